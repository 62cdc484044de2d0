#include "core/safety/Pacing.h"

#include <algorithm>

namespace wadesk {

Pacing::Pacing(PacingSettings settings, quint32 seed)
    : m_settings(settings)
    , m_rng(seed ? QRandomGenerator(seed) : QRandomGenerator::securelySeeded())
{
}

int Pacing::between(int low, int high)
{
    if (high <= low)
        return std::max(0, low);
    return low + int(m_rng.bounded(high - low + 1));
}

int Pacing::typingMs(int characters)
{
    const int perChar = between(m_settings.typingMsPerCharMin, m_settings.typingMsPerCharMax);
    const qint64 total = qint64(perChar) * std::max(0, characters);
    return int(std::min<qint64>(total, m_settings.typingCapMs));
}

int Pacing::gapMs()
{
    if (m_settings.longPauseChance > 0 && m_rng.generateDouble() < m_settings.longPauseChance)
        return between(m_settings.longPauseMinMs, m_settings.longPauseMaxMs);
    return between(m_settings.gapMinMs, m_settings.gapMaxMs);
}

qint64 Pacing::meanGapMs() const
{
    const double normal = (m_settings.gapMinMs + m_settings.gapMaxMs) / 2.0;
    const double longer = (m_settings.longPauseMinMs + m_settings.longPauseMaxMs) / 2.0;
    const double p = std::clamp(m_settings.longPauseChance, 0.0, 1.0);
    return qint64((1 - p) * normal + p * longer);
}

} // namespace wadesk

#pragma once

#include <QRandomGenerator>

namespace wadesk {

// Human pacing (docs/DESIGN.md §7): typing presence for a time that grows with the text, a pause of a
// few seconds between messages, and now and then a longer one. Everything can be set to zero
// for tests.
struct PacingSettings {
    int typingMsPerCharMin = 60;
    int typingMsPerCharMax = 100;
    int typingCapMs = 8000;
    int gapMinMs = 2000;
    int gapMaxMs = 5000;
    double longPauseChance = 0.1;
    int longPauseMinMs = 15000;
    int longPauseMaxMs = 45000;

    // No typing time and no pauses (messaging/pacing off: tests, benchmarks).
    static PacingSettings off() { return PacingSettings{0, 0, 0, 0, 0, 0.0, 0, 0}; }
    bool isOff() const { return typingMsPerCharMax == 0 && typingCapMs == 0 && gapMaxMs == 0 && longPauseChance == 0.0; }
};

class Pacing {
public:
    explicit Pacing(PacingSettings settings, quint32 seed = 0);
    int typingMs(int characters);
    int gapMs();
    qint64 meanGapMs() const;
    const PacingSettings &settings() const { return m_settings; }

private:
    int between(int low, int high);
    PacingSettings m_settings;
    QRandomGenerator m_rng;
};

} // namespace wadesk

#include "core/common/Ids.h"

#include "core/common/Clock.h"

#include <QDateTime>
#include <QMutex>
#include <QRandomGenerator>
#include <array>
#include <cstring>

namespace wadesk::Ids {

namespace {
constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr int kTimeChars = 10;
constexpr int kRandomChars = 16;

struct MonotonicState {
    QMutex mutex;
    qint64 lastMs = -1;
    std::array<quint8, 10> lastRandom{};
};

MonotonicState &state()
{
    static MonotonicState s;
    return s;
}

// Adds one to an 80-bit big-endian number; false when it overflows.
bool increment(std::array<quint8, 10> &bytes)
{
    for (int i = int(bytes.size()) - 1; i >= 0; --i) {
        if (++bytes[size_t(i)] != 0)
            return true;
    }
    return false;
}
} // namespace

QString makeAt(const char *prefix, qint64 ms)
{
    std::array<quint8, 10> random{};
    {
        MonotonicState &s = state();
        QMutexLocker lock(&s.mutex);
        if (ms == s.lastMs && increment(s.lastRandom)) {
            random = s.lastRandom;
        } else {
            QRandomGenerator::system()->generate(random.begin(), random.end());
            random[0] &= 0x7f; // leave headroom so increments within a millisecond never wrap
            s.lastMs = ms;
            s.lastRandom = random;
        }
    }

    char out[kTimeChars + kRandomChars];
    quint64 t = quint64(ms) & 0xFFFFFFFFFFFFull;
    for (int i = kTimeChars - 1; i >= 0; --i) {
        out[i] = kAlphabet[t & 31];
        t >>= 5;
    }
    // 80 bits -> 16 base32 characters, most significant first.
    int bitBuffer = 0;
    int bits = 0;
    int pos = kTimeChars;
    for (quint8 byte : random) {
        bitBuffer = (bitBuffer << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            out[pos++] = kAlphabet[(bitBuffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    return QLatin1String(prefix) + QLatin1Char('_') + QLatin1String(out, kTimeChars + kRandomChars);
}

QString make(const char *prefix)
{
    // The real clock even under a test's clock: the time part only orders ids and spreads them
    // (it is never read back as a date), and ids made in one process must keep sorting by
    // creation when a test moves its clock backwards or holds it still.
    return makeAt(prefix, Clock::system().nowMs());
}

bool looksValid(const QString &id, const char *prefix)
{
    const int prefixLen = int(std::strlen(prefix));
    if (id.size() != prefixLen + 1 + kTimeChars + kRandomChars)
        return false;
    if (!id.startsWith(QLatin1String(prefix)) || id.at(prefixLen) != QLatin1Char('_'))
        return false;
    for (int i = prefixLen + 1; i < id.size(); ++i) {
        const char c = id.at(i).toLatin1();
        if (!std::strchr(kAlphabet, c) || c == 0)
            return false;
    }
    return true;
}

} // namespace wadesk::Ids

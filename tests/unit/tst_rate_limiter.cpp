// Account safety arithmetic (docs/DESIGN.md §7), without a database or a clock of its own: the three
// sliding-window rate tiers (the 21st send in a minute waits exactly until the first one leaves
// the window; the hour and day tiers; the exact time the next send may start), the estimate of
// when the last queued message goes out, the human pacing bounds (typing 60–100 ms per
// character with a cap, 2–5 s between messages, a long pause about one time in ten), and the
// sliding window of the health monitor.

#include "core/safety/HealthMonitor.h"
#include "core/safety/Pacing.h"
#include "core/safety/RateLimiter.h"

#include <QTest>

using namespace wadesk;
using RateLimiter::kDay;
using RateLimiter::kHour;
using RateLimiter::kMinute;

namespace {

constexpr qint64 kT0 = 1'800'000'000'000; // an arbitrary epoch ms

// Sends as early as the tiers allow, trying every `stepMs` from `start`; the start times.
QList<qint64> sendGreedily(const RateTiers &tiers, int count, qint64 start, qint64 stepMs)
{
    QList<qint64> times;
    qint64 now = start;
    while (times.size() < count) {
        const RateState s = RateLimiter::evaluate(tiers, times, now);
        if (s.allowed)
            times << now;
        now += stepMs;
    }
    return times;
}

} // namespace

class TestRateLimiter : public QObject {
    Q_OBJECT

private slots:
    void emptyHistoryIsAllowed()
    {
        const RateState s = RateLimiter::evaluate(RateTiers{}, {}, kT0);
        QVERIFY(s.allowed);
        QCOMPARE(s.nextAllowedAt, kT0);
        QCOMPARE(s.minute.used, 0);
        QCOMPARE(s.minute.limit, 20);
        QCOMPARE(s.minute.remaining, 20);
        QCOMPARE(s.hour.limit, 100);
        QCOMPARE(s.hour.remaining, 100);
        QCOMPARE(s.day.limit, 1000);
        QCOMPARE(s.day.remaining, 1000);
    }

    // 20 sends one second apart fill the minute: the 21st may start exactly when the first
    // leaves the 60 s window, not a millisecond earlier.
    void twentyFirstInAMinuteWaitsForTheFirstToLeave()
    {
        const RateTiers tiers; // 20 / 100 / 1000
        QList<qint64> times;
        for (int i = 0; i < 20; ++i) {
            const RateState before = RateLimiter::evaluate(tiers, times, kT0 + i * 1000);
            QVERIFY2(before.allowed, qPrintable(QString::number(i)));
            QCOMPARE(before.minute.used, i);
            QCOMPARE(before.minute.remaining, 20 - i);
            times << kT0 + i * 1000;
        }
        const RateState full = RateLimiter::evaluate(tiers, times, kT0 + 19'500);
        QVERIFY(!full.allowed);
        QCOMPARE(full.minute.used, 20);
        QCOMPARE(full.minute.remaining, 0);
        QCOMPARE(full.hour.used, 20);
        QCOMPARE(full.hour.remaining, 80);
        QCOMPARE(full.nextAllowedAt, kT0 + kMinute);

        const RateState justBefore = RateLimiter::evaluate(tiers, times, kT0 + kMinute - 1);
        QVERIFY(!justBefore.allowed);
        QCOMPARE(justBefore.nextAllowedAt, kT0 + kMinute);
        const RateState at = RateLimiter::evaluate(tiers, times, kT0 + kMinute);
        QVERIFY(at.allowed);
        QCOMPARE(at.nextAllowedAt, kT0 + kMinute);
        QCOMPARE(at.minute.used, 19);

        // The same through a greedy sender that tries every 10 ms.
        const QList<qint64> greedy = sendGreedily(tiers, 22, kT0, 10);
        QCOMPARE(greedy.at(19), kT0 + 190);
        QCOMPARE(greedy.at(20), kT0 + kMinute);      // the first left the window
        QCOMPARE(greedy.at(21), kT0 + kMinute + 10); // and so did the second
    }

    // More sends in the window than the limit (the limit was lowered): as many must leave as
    // bring the count under the limit.
    void loweredLimitWaitsForEnoughToLeave()
    {
        QList<qint64> times;
        for (int i = 0; i < 25; ++i)
            times << kT0 + i * 100;
        RateTiers tiers;
        tiers.perMinute = 20;
        const RateState s = RateLimiter::evaluate(tiers, times, kT0 + 3000);
        QVERIFY(!s.allowed);
        QCOMPARE(s.minute.used, 25);
        QCOMPARE(s.minute.remaining, 0);
        QCOMPARE(s.nextAllowedAt, times.at(5) + kMinute); // six must leave: 19 remain
        QVERIFY(!RateLimiter::evaluate(tiers, times, s.nextAllowedAt - 1).allowed);
        QVERIFY(RateLimiter::evaluate(tiers, times, s.nextAllowedAt).allowed);
    }

    // 100 sends, two a minute: the minute tier never binds, the hour tier does.
    void hourTier()
    {
        const RateTiers tiers; // 20 / 100 / 1000
        QList<qint64> times;
        for (int i = 0; i < 100; ++i)
            times << kT0 + i * 30'000;
        const qint64 now = times.last() + 1;
        const RateState s = RateLimiter::evaluate(tiers, times, now);
        QVERIFY(!s.allowed);
        QCOMPARE(s.minute.used, 2);
        QCOMPARE(s.minute.remaining, 18);
        QCOMPARE(s.hour.used, 100);
        QCOMPARE(s.hour.remaining, 0);
        QCOMPARE(s.day.used, 100);
        QCOMPARE(s.nextAllowedAt, kT0 + kHour);
        QVERIFY(!RateLimiter::evaluate(tiers, times, kT0 + kHour - 1).allowed);
        QVERIFY(RateLimiter::evaluate(tiers, times, kT0 + kHour).allowed);
    }

    // 50 sends ten minutes apart with a day limit of 50: free again 24 h after the first.
    void dayTier()
    {
        const RateTiers tiers{1000, 100000, 50};
        QList<qint64> times;
        for (int i = 0; i < 50; ++i)
            times << kT0 + i * 10 * kMinute;
        const RateState s = RateLimiter::evaluate(tiers, times, times.last() + kMinute);
        QVERIFY(!s.allowed);
        QCOMPARE(s.day.used, 50);
        QCOMPARE(s.day.remaining, 0);
        QCOMPARE(s.hour.used, 6);
        QCOMPARE(s.nextAllowedAt, kT0 + kDay);
        QVERIFY(!RateLimiter::evaluate(tiers, times, kT0 + kDay - 1).allowed);
        const RateState later = RateLimiter::evaluate(tiers, times, kT0 + kDay);
        QVERIFY(later.allowed);
        QCOMPARE(later.day.used, 49);
    }

    // Two full tiers: the next send waits for the later of the two.
    void theLaterTierWins()
    {
        const RateTiers tiers{5, 10, 1000};
        QList<qint64> times;
        for (int i = 0; i < 5; ++i)
            times << kT0 + i * 20 * kMinute / 5; // five in the first 20 minutes
        for (int i = 0; i < 5; ++i)
            times << kT0 + 30 * kMinute + i * 1000; // five in one second at minute 30
        const qint64 now = kT0 + 30 * kMinute + 10'000;
        const RateState s = RateLimiter::evaluate(tiers, times, now);
        QVERIFY(!s.allowed);
        QCOMPARE(s.minute.used, 5);
        QCOMPARE(s.hour.used, 10);
        // Minute frees at 31:00, the hour only when the send at 00:00 leaves, at 60:00.
        QCOMPARE(s.nextAllowedAt, kT0 + kHour);
    }

    // Each tier counts only the sends inside its own window (a send exactly one window old has left).
    void usageOfPartlyFilledTiers()
    {
        const RateTiers tiers{20, 100, 1000};
        const QList<qint64> times{kT0 - 2 * kDay, kT0 - kDay, kT0 - kHour, kT0 - kMinute, kT0 - 10, kT0 - 1};
        const RateState s = RateLimiter::evaluate(tiers, times, kT0);
        QVERIFY(s.allowed);
        // A send exactly one window ago has left it; kT0 - kDay has left the day window.
        QCOMPARE(s.minute.used, 2);
        QCOMPARE(s.hour.used, 3);
        QCOMPARE(s.day.used, 4);
        QCOMPARE(s.day.remaining, 996);
    }

    void estimateLastDeparture()
    {
        const RateTiers tiers; // 20 / 100 / 1000
        // Nothing queued, or one message and nothing in the way: now.
        QCOMPARE(RateLimiter::estimateLastDeparture(tiers, {}, 0, kT0, 5000), kT0);
        QCOMPARE(RateLimiter::estimateLastDeparture(tiers, {}, 1, kT0, 5000), kT0);
        // Two messages: the second after one pacing gap.
        QCOMPARE(RateLimiter::estimateLastDeparture(tiers, {}, 2, kT0, 5000), kT0 + 5000);
        // 25 with no pacing: 20 now, the rest when the minute frees.
        QCOMPARE(RateLimiter::estimateLastDeparture(tiers, {}, 25, kT0, 0), kT0 + kMinute);
        // 25 one second apart: the 21st waits for the first to leave (60 s), then one a second.
        QCOMPARE(RateLimiter::estimateLastDeparture(tiers, {}, 25, kT0, 1000), kT0 + kMinute + 4000);
        // A full minute already: the single queued message waits for it to free.
        QList<qint64> full;
        for (int i = 0; i < 20; ++i)
            full << kT0 - 30'000 + i;
        QCOMPARE(RateLimiter::estimateLastDeparture(tiers, full, 1, kT0, 5000), kT0 + 30'000);

        // Monotonic in the queue length, never before now.
        qint64 previous = kT0;
        for (int queued : {1, 2, 5, 20, 21, 50, 100, 101, 250, 1000, 1001, 3000}) {
            const qint64 t = RateLimiter::estimateLastDeparture(tiers, {}, queued, kT0, 6150);
            QVERIFY2(t >= previous, qPrintable(QString::number(queued)));
            previous = t;
        }
        // 101 messages: the hour holds 100, so the last waits at least an hour.
        QVERIFY(RateLimiter::estimateLastDeparture(tiers, {}, 101, kT0, 0) >= kT0 + kHour);
        // 1001: more than a day's budget.
        QVERIFY(RateLimiter::estimateLastDeparture(tiers, {}, 1001, kT0, 0) >= kT0 + kDay);
        // A very long queue (beyond the simulated part): about one day per day's budget.
        const qint64 far = RateLimiter::estimateLastDeparture(tiers, {}, 10000, kT0, 6150);
        QVERIFY2(far >= kT0 + 9 * kDay, qPrintable(QString::number(double(far - kT0) / kDay)));
        QVERIFY2(far <= kT0 + 11 * kDay, qPrintable(QString::number(double(far - kT0) / kDay)));
    }

    void typingGrowsWithTheTextAndIsCapped()
    {
        Pacing pacing(PacingSettings{}, 42);
        QCOMPARE(pacing.typingMs(0), 0);
        for (int chars : {1, 5, 10, 40, 79}) {
            for (int i = 0; i < 200; ++i) {
                const int t = pacing.typingMs(chars);
                QVERIFY2(t >= 60 * chars && t <= 100 * chars, qPrintable(QStringLiteral("%1 chars: %2 ms").arg(chars).arg(t)));
            }
        }
        // The whole 60–100 ms range is used.
        int low = INT_MAX;
        int high = 0;
        for (int i = 0; i < 2000; ++i) {
            const int t = pacing.typingMs(10);
            low = std::min(low, t);
            high = std::max(high, t);
        }
        QVERIFY2(low <= 620, qPrintable(QString::number(low)));
        QVERIFY2(high >= 980, qPrintable(QString::number(high)));
        // Capped at 8 s for long texts, whatever the draw.
        for (int i = 0; i < 100; ++i) {
            QCOMPARE(pacing.typingMs(1000), 8000);
            QCOMPARE(pacing.typingMs(4096), 8000);
        }
        QCOMPARE(pacing.settings().typingCapMs, 8000);
    }

    // 2–5 s between messages, a 15–45 s pause about one time in ten, and the mean matches.
    void gapsAndLongPauses()
    {
        Pacing pacing(PacingSettings{}, 7);
        const int draws = 20000;
        int longPauses = 0;
        double sum = 0;
        int minNormal = INT_MAX;
        int maxNormal = 0;
        for (int i = 0; i < draws; ++i) {
            const int g = pacing.gapMs();
            sum += g;
            if (g >= 15000) {
                QVERIFY2(g <= 45000, qPrintable(QString::number(g)));
                ++longPauses;
            } else {
                QVERIFY2(g >= 2000 && g <= 5000, qPrintable(QString::number(g)));
                minNormal = std::min(minNormal, g);
                maxNormal = std::max(maxNormal, g);
            }
        }
        const double share = double(longPauses) / draws;
        QVERIFY2(share > 0.08 && share < 0.12, qPrintable(QString::number(share)));
        QVERIFY(minNormal < 2100);
        QVERIFY(maxNormal > 4900);
        QCOMPARE(pacing.meanGapMs(), qint64(6150)); // 0.9 × 3.5 s + 0.1 × 30 s
        const double mean = sum / draws;
        QVERIFY2(std::abs(mean - double(pacing.meanGapMs())) < 0.05 * pacing.meanGapMs(), qPrintable(QString::number(mean)));
    }

    void pacingOffAndSeeded()
    {
        Pacing off(PacingSettings{0, 0, 0, 0, 0, 0.0, 0, 0}, 1);
        for (int i = 0; i < 100; ++i) {
            QCOMPARE(off.typingMs(100), 0);
            QCOMPARE(off.gapMs(), 0);
        }
        QCOMPARE(off.meanGapMs(), qint64(0));

        // Small test settings keep their proportions.
        Pacing small(PacingSettings{2, 4, 150, 20, 40, 0.0, 0, 0}, 3);
        for (int i = 0; i < 100; ++i) {
            const int t = small.typingMs(30);
            QVERIFY(t >= 60 && t <= 120);
            QCOMPARE(small.typingMs(500), 150);
            const int g = small.gapMs();
            QVERIFY(g >= 20 && g <= 40);
        }

        // The same seed, the same sequence.
        Pacing a(PacingSettings{}, 99);
        Pacing b(PacingSettings{}, 99);
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(a.typingMs(20), b.typingMs(20));
            QCOMPARE(a.gapMs(), b.gapMs());
        }
    }

    void healthMonitorWindow()
    {
        HealthMonitor monitor; // 5 of the last 20
        for (int i = 0; i < 4; ++i)
            QVERIFY(!monitor.record(false));
        QCOMPARE(monitor.failures(), 4);
        for (int i = 0; i < 16; ++i)
            QVERIFY(!monitor.record(true));
        // 20 outcomes, 4 failures. The next success pushes the oldest failure out.
        QVERIFY(!monitor.record(true));
        QCOMPARE(monitor.failures(), 3);
        // Each new failure pushes one of the old ones out while they are at the front.
        for (int i = 0; i < 3; ++i) {
            QVERIFY(!monitor.record(false));
            QCOMPARE(monitor.failures(), 3);
        }
        QVERIFY(!monitor.record(false)); // a success left: 4 of the last 20
        QCOMPARE(monitor.failures(), 4);
        QVERIFY(monitor.record(false)); // 5 of the last 20
        QCOMPARE(monitor.failures(), 5);

        monitor.reset();
        QCOMPARE(monitor.failures(), 0);
        // Failures spread wider than the window never trip it.
        for (int round = 0; round < 10; ++round) {
            QVERIFY(!monitor.record(false));
            for (int i = 0; i < 4; ++i)
                QVERIFY(!monitor.record(true));
            QVERIFY(monitor.failures() <= 4);
        }
        // Five in a row do.
        monitor.reset();
        for (int i = 0; i < 4; ++i)
            QVERIFY(!monitor.record(false));
        QVERIFY(monitor.record(false));

        HealthMonitor small(3, 2);
        QVERIFY(!small.record(false));
        QVERIFY(!small.record(true));
        QVERIFY(!small.record(true));
        QVERIFY(!small.record(false)); // the first failure left the window of 3
        QVERIFY(small.record(false));
    }
};

QTEST_APPLESS_MAIN(TestRateLimiter)

#include "tst_rate_limiter.moc"

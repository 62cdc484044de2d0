#pragma once

#include <QQueue>

namespace wadesk {

// Remembers the outcome of a client's last `window` sends; trips when `maxFailures` of them
// failed (docs/DESIGN.md §7: a burst of failures pauses the session).
class HealthMonitor {
public:
    HealthMonitor(int window = 20, int maxFailures = 5) : m_window(window), m_maxFailures(maxFailures) {}
    // Returns true when this outcome trips the monitor.
    bool record(bool success)
    {
        m_outcomes.enqueue(success);
        if (!success)
            ++m_failures;
        while (m_outcomes.size() > m_window) {
            if (!m_outcomes.dequeue())
                --m_failures;
        }
        return m_failures >= m_maxFailures;
    }
    void reset()
    {
        m_outcomes.clear();
        m_failures = 0;
    }
    int failures() const { return m_failures; }

private:
    int m_window;
    int m_maxFailures;
    QQueue<bool> m_outcomes;
    int m_failures = 0;
};

} // namespace wadesk

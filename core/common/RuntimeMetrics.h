#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>
#include <array>
#include <atomic>

namespace wadesk {

// What this process counts for GET /metrics (Prometheus text format 0.0.4): answered HTTP
// requests by route template, method and status with a latency histogram, send outcomes and
// webhook delivery outcomes. Process-wide, like the process it describes: the API thread, the
// senders on the main thread and the webhook worker all count into the one instance. Counters
// start at zero with the process, as Prometheus expects of a counter.
class RuntimeMetrics {
public:
    static RuntimeMetrics &instance();

    // `route` is the pattern that matched ("/api/clients/:clientId"), never the path itself, so
    // the number of series is bounded by the route table.
    void recordHttp(const QByteArray &method, const QString &route, int status, qint64 durationMicros);
    void countSend(bool sent);
    // Send outcomes the database could not take yet (MessageSender keeps them in memory).
    void addUnrecordedOutcomes(int delta);
    enum class WebhookOutcome { Succeeded, Retried, Dead };
    void countWebhookDelivery(WebhookOutcome outcome);

    quint64 sendsSent() const { return m_sent.load(); }
    quint64 sendsFailed() const { return m_failed.load(); }

    // The families above in the text format, each with its HELP and TYPE lines.
    void appendPrometheus(QByteArray &out) const;

    // Upper bounds of the latency buckets, in seconds (+Inf is implied).
    static constexpr std::array<double, 11> kLatencyBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    // Escapes a label value (backslash, double quote, line feed).
    static QByteArray escapeLabel(const QString &value);

private:
    RuntimeMetrics() = default;
    struct HttpSeries {
        QHash<int, quint64> byStatus;
        std::array<quint64, kLatencyBuckets.size()> buckets{}; // not cumulative; summed when written
        quint64 count = 0;
        double sumSeconds = 0;
    };
    mutable QMutex m_httpMutex;
    QHash<QPair<QByteArray, QString>, HttpSeries> m_http;
    std::atomic<quint64> m_sent{0};
    std::atomic<quint64> m_failed{0};
    std::atomic<qint64> m_unrecorded{0};
    std::atomic<quint64> m_webhookSucceeded{0};
    std::atomic<quint64> m_webhookRetried{0};
    std::atomic<quint64> m_webhookDead{0};
};

} // namespace wadesk

#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QSet>
#include <QString>
#include <array>
#include <atomic>

namespace wadesk {

// What this process counts for GET /metrics (Prometheus text format 0.0.4): answered HTTP
// requests by route template, method and status with a latency histogram; sends by client and
// outcome and each client's use of its rate tiers; inbound messages by client; webhook delivery
// outcomes and latency; database statement, commit and ping latency and failures by kind; the
// outage journal's depth; and which clients' sessions this process runs. Process-wide, like the
// process it describes: the API thread, the senders on the main thread and the webhook worker
// all count into the one instance. Counters start at zero with the process, as Prometheus
// expects of a counter.
class RuntimeMetrics {
public:
    static RuntimeMetrics &instance();

    // `route` is the pattern that matched ("/api/clients/:clientId"), never the path itself, so
    // the number of series is bounded by the route table.
    void recordHttp(const QByteArray &method, const QString &route, int status, qint64 durationMicros);
    void countSend(const QString &clientId, bool sent);
    // What the client's rate tiers allow and how much of it the last day's sends used, as the
    // sender saw it before its latest claim (index 0 minute, 1 hour, 2 day).
    void setTierUse(const QString &clientId, const std::array<int, 3> &used, const std::array<int, 3> &limits);
    // A message someone sent to the client, stored once (a repeated report is not counted).
    void countInbound(const QString &clientId);
    // Send outcomes the database could not take yet (MessageSender keeps them in memory).
    void addUnrecordedOutcomes(int delta);
    enum class WebhookOutcome { Succeeded, Retried, Dead };
    void countWebhookDelivery(WebhookOutcome outcome);
    // From the request's start to its answer (or the network's failure).
    void recordWebhookLatency(qint64 durationMicros);

    enum class DatabaseOperation { Statement, Commit, Ping };
    void recordDatabase(DatabaseOperation operation, qint64 durationMicros);
    // A failed statement or connection: `outage` when the database could not serve anyone
    // (the 503 kind), otherwise a statement that was refused (the 500 kind).
    void countDatabaseError(bool outage);

    // Reports waiting in the outage journal on disk for the database to return.
    void setJournalDepth(qint64 depth);

    // The clients whose sessions (pages) this process has open: the owner of a session without
    // a live lease is this instance for those, and "none" for the rest.
    void setSessionRunning(const QString &clientId, bool running);
    QSet<QString> runningSessions() const;

    quint64 sendsSent() const { return m_sent.load(); }
    quint64 sendsFailed() const { return m_failed.load(); }

    // The most clients listed in each per-client family (the busiest first).
    static constexpr int kMaxClientSeries = 500;

    // The families above in the text format, each with its HELP and TYPE lines.
    void appendPrometheus(QByteArray &out) const;

    // Upper bounds of the latency buckets, in seconds (+Inf is implied).
    static constexpr std::array<double, 11> kLatencyBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    // Escapes a label value (backslash, double quote, line feed).
    static QByteArray escapeLabel(const QString &value);

    // A latency histogram over kLatencyBuckets that threads observe without a lock. _count is
    // written as the sum of the buckets read, so that +Inf and _count agree in every scrape.
    class Histogram {
    public:
        void observe(qint64 durationMicros);
        void append(QByteArray &out, const char *name, const QByteArray &labels) const;

    private:
        std::array<std::atomic<quint64>, kLatencyBuckets.size() + 1> m_buckets{}; // the last: above every bound
        std::atomic<quint64> m_sumMicros{0};
    };

private:
    RuntimeMetrics() = default;
    struct ClientSeries {
        quint64 sent = 0;
        quint64 failed = 0;
        quint64 inbound = 0;
        bool tiersKnown = false;
        std::array<int, 3> used{};
        std::array<int, 3> limits{};
    };
    void appendClients(QByteArray &out) const;
    mutable QMutex m_clientMutex;
    QHash<QString, ClientSeries> m_clients;
    QSet<QString> m_running;
    Histogram m_webhookLatency;
    std::array<Histogram, 3> m_databaseLatency; // by DatabaseOperation
    std::atomic<quint64> m_databaseOutageErrors{0};
    std::atomic<quint64> m_databaseOtherErrors{0};
    std::atomic<qint64> m_journalDepth{0};
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

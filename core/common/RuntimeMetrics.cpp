#include "core/common/RuntimeMetrics.h"

#include <QList>
#include <QMutexLocker>
#include <algorithm>

namespace wadesk {

RuntimeMetrics &RuntimeMetrics::instance()
{
    static RuntimeMetrics metrics;
    return metrics;
}

QByteArray RuntimeMetrics::escapeLabel(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

void RuntimeMetrics::recordHttp(const QByteArray &method, const QString &route, int status, qint64 durationMicros)
{
    const double seconds = double(std::max<qint64>(0, durationMicros)) / 1e6;
    QMutexLocker lock(&m_httpMutex);
    HttpSeries &series = m_http[qMakePair(method, route)];
    ++series.byStatus[status];
    ++series.count;
    series.sumSeconds += seconds;
    const auto bucket = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
    if (bucket != kLatencyBuckets.end())
        ++series.buckets[size_t(bucket - kLatencyBuckets.begin())];
}

void RuntimeMetrics::countSend(const QString &clientId, bool sent)
{
    (sent ? m_sent : m_failed).fetch_add(1);
    QMutexLocker lock(&m_clientMutex);
    ClientSeries &series = m_clients[clientId];
    ++(sent ? series.sent : series.failed);
}

void RuntimeMetrics::setTierUse(const QString &clientId, const std::array<int, 3> &used, const std::array<int, 3> &limits)
{
    QMutexLocker lock(&m_clientMutex);
    ClientSeries &series = m_clients[clientId];
    series.tiersKnown = true;
    series.used = used;
    series.limits = limits;
}

void RuntimeMetrics::countInbound(const QString &clientId)
{
    QMutexLocker lock(&m_clientMutex);
    ++m_clients[clientId].inbound;
}

void RuntimeMetrics::recordWebhookLatency(qint64 durationMicros)
{
    m_webhookLatency.observe(durationMicros);
}

void RuntimeMetrics::recordDatabase(DatabaseOperation operation, qint64 durationMicros)
{
    m_databaseLatency[size_t(operation)].observe(durationMicros);
}

void RuntimeMetrics::countDatabaseError(bool outage)
{
    (outage ? m_databaseOutageErrors : m_databaseOtherErrors).fetch_add(1);
}

void RuntimeMetrics::setJournalDepth(qint64 depth)
{
    m_journalDepth.store(std::max<qint64>(0, depth));
}

void RuntimeMetrics::setSessionRunning(const QString &clientId, bool running)
{
    QMutexLocker lock(&m_clientMutex);
    if (running)
        m_running.insert(clientId);
    else
        m_running.remove(clientId);
}

QSet<QString> RuntimeMetrics::runningSessions() const
{
    QMutexLocker lock(&m_clientMutex);
    return m_running;
}

void RuntimeMetrics::Histogram::observe(qint64 durationMicros)
{
    const qint64 micros = std::max<qint64>(0, durationMicros);
    const double seconds = double(micros) / 1e6;
    const auto bucket = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
    m_buckets[size_t(bucket - kLatencyBuckets.begin())].fetch_add(1, std::memory_order_relaxed);
    m_sumMicros.fetch_add(quint64(micros), std::memory_order_relaxed);
}

void RuntimeMetrics::addUnrecordedOutcomes(int delta)
{
    m_unrecorded.fetch_add(delta);
}

void RuntimeMetrics::countWebhookDelivery(WebhookOutcome outcome)
{
    switch (outcome) {
    case WebhookOutcome::Succeeded: m_webhookSucceeded.fetch_add(1); break;
    case WebhookOutcome::Retried: m_webhookRetried.fetch_add(1); break;
    case WebhookOutcome::Dead: m_webhookDead.fetch_add(1); break;
    }
}

namespace {
void family(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

QByteArray number(double value)
{
    return QByteArray::number(value, 'g', 12);
}
} // namespace

void RuntimeMetrics::Histogram::append(QByteArray &out, const char *name, const QByteArray &labels) const
{
    const QByteArray prefix = labels.isEmpty() ? QByteArray() : labels + ',';
    quint64 cumulative = 0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        cumulative += m_buckets[i].load(std::memory_order_relaxed);
        out += name + QByteArray("_bucket{") + prefix + "le=\"" + number(kLatencyBuckets[i]) + "\"} " + QByteArray::number(cumulative) + '\n';
    }
    cumulative += m_buckets[kLatencyBuckets.size()].load(std::memory_order_relaxed);
    const QByteArray braced = labels.isEmpty() ? QByteArray() : '{' + labels + '}';
    out += name + QByteArray("_bucket{") + prefix + "le=\"+Inf\"} " + QByteArray::number(cumulative) + '\n';
    out += name + QByteArray("_sum") + braced + ' ' + number(double(m_sumMicros.load(std::memory_order_relaxed)) / 1e6) + '\n';
    out += name + QByteArray("_count") + braced + ' ' + QByteArray::number(cumulative) + '\n';
}

void RuntimeMetrics::appendClients(QByteArray &out) const
{
    struct Row {
        QString client;
        ClientSeries series;
    };
    QList<Row> rows;
    {
        QMutexLocker lock(&m_clientMutex);
        rows.reserve(m_clients.size());
        for (auto it = m_clients.cbegin(); it != m_clients.cend(); ++it)
            rows.append(Row{it.key(), it.value()});
    }
    // The busiest clients first, and a bounded number of them: a series per client of an
    // installation with thousands would swamp the scrape.
    std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        const quint64 x = a.series.sent + a.series.failed + a.series.inbound;
        const quint64 y = b.series.sent + b.series.failed + b.series.inbound;
        return x != y ? x > y : a.client < b.client;
    });
    if (rows.size() > kMaxClientSeries)
        rows.resize(kMaxClientSeries);
    family(out, "wadesk_client_sends_total", "counter", "Send outcomes the pages reported since the start, by client and outcome (the 500 busiest clients).");
    for (const Row &row : std::as_const(rows)) {
        if (row.series.sent + row.series.failed == 0)
            continue;
        const QByteArray client = "client=\"" + escapeLabel(row.client) + '"';
        out += "wadesk_client_sends_total{" + client + ",outcome=\"sent\"} " + QByteArray::number(row.series.sent) + '\n';
        out += "wadesk_client_sends_total{" + client + ",outcome=\"failed\"} " + QByteArray::number(row.series.failed) + '\n';
    }
    static const char *const tiers[] = {"minute", "hour", "day"};
    family(out, "wadesk_send_tier_used", "gauge", "Sends counted against each rate tier of a client at its sender's latest look (the 500 busiest clients).");
    for (const Row &row : std::as_const(rows)) {
        if (!row.series.tiersKnown)
            continue;
        for (size_t i = 0; i < 3; ++i)
            out += "wadesk_send_tier_used{client=\"" + escapeLabel(row.client) + "\",tier=\"" + tiers[i] + "\"} "
                + QByteArray::number(row.series.used[i]) + '\n';
    }
    family(out, "wadesk_send_tier_limit", "gauge", "The limit of each rate tier of a client (the 500 busiest clients).");
    for (const Row &row : std::as_const(rows)) {
        if (!row.series.tiersKnown)
            continue;
        for (size_t i = 0; i < 3; ++i)
            out += "wadesk_send_tier_limit{client=\"" + escapeLabel(row.client) + "\",tier=\"" + tiers[i] + "\"} "
                + QByteArray::number(row.series.limits[i]) + '\n';
    }
    family(out, "wadesk_inbound_messages_total", "counter", "Messages received and stored since the start, by client (the 500 busiest clients).");
    for (const Row &row : std::as_const(rows)) {
        if (row.series.inbound > 0)
            out += "wadesk_inbound_messages_total{client=\"" + escapeLabel(row.client) + "\"} " + QByteArray::number(row.series.inbound) + '\n';
    }
}

void RuntimeMetrics::appendPrometheus(QByteArray &out) const
{
    family(out, "wadesk_messages_sent_total", "counter", "Send outcomes the pages reported since the start, by outcome.");
    out += "wadesk_messages_sent_total{outcome=\"sent\"} " + QByteArray::number(m_sent.load()) + '\n';
    out += "wadesk_messages_sent_total{outcome=\"failed\"} " + QByteArray::number(m_failed.load()) + '\n';
    family(out, "wadesk_send_outcomes_unrecorded", "gauge",
           "Send outcomes held in memory until the database takes them (non-zero during a database outage).");
    out += "wadesk_send_outcomes_unrecorded " + QByteArray::number(std::max<qint64>(0, m_unrecorded.load())) + '\n';
    family(out, "wadesk_webhook_deliveries_total", "counter", "Webhook delivery attempts since the start, by outcome (dead: a dead letter).");
    out += "wadesk_webhook_deliveries_total{outcome=\"succeeded\"} " + QByteArray::number(m_webhookSucceeded.load()) + '\n';
    out += "wadesk_webhook_deliveries_total{outcome=\"retried\"} " + QByteArray::number(m_webhookRetried.load()) + '\n';
    out += "wadesk_webhook_deliveries_total{outcome=\"dead\"} " + QByteArray::number(m_webhookDead.load()) + '\n';
    family(out, "wadesk_webhook_delivery_duration_seconds", "histogram", "Time from a webhook request's start to its answer or failure.");
    m_webhookLatency.append(out, "wadesk_webhook_delivery_duration_seconds", {});
    appendClients(out);
    family(out, "wadesk_database_duration_seconds", "histogram",
           "Time of database round trips, by operation (statement: a prepared statement's execution; commit; ping).");
    static const char *const operations[] = {"statement", "commit", "ping"};
    for (size_t i = 0; i < m_databaseLatency.size(); ++i)
        m_databaseLatency[i].append(out, "wadesk_database_duration_seconds", QByteArray("operation=\"") + operations[i] + '"');
    family(out, "wadesk_database_errors_total", "counter",
           "Failed statements and connection attempts, by kind (outage: the database could not serve anyone; other: the statement was refused).");
    out += "wadesk_database_errors_total{kind=\"outage\"} " + QByteArray::number(m_databaseOutageErrors.load()) + '\n';
    out += "wadesk_database_errors_total{kind=\"other\"} " + QByteArray::number(m_databaseOtherErrors.load()) + '\n';
    family(out, "wadesk_journal_depth", "gauge", "Page reports (acks, inbound messages, state changes) waiting in the outage journal for the database.");
    out += "wadesk_journal_depth " + QByteArray::number(m_journalDepth.load()) + '\n';

    QMutexLocker lock(&m_httpMutex);
    QList<QPair<QByteArray, QString>> keys = m_http.keys();
    std::sort(keys.begin(), keys.end());
    family(out, "wadesk_http_requests_total", "counter", "HTTP requests answered, by route template, method and status.");
    for (const auto &key : std::as_const(keys)) {
        const HttpSeries &series = m_http[key];
        QList<int> statuses = series.byStatus.keys();
        std::sort(statuses.begin(), statuses.end());
        const QByteArray labels = "method=\"" + escapeLabel(QString::fromLatin1(key.first)) + "\",route=\"" + escapeLabel(key.second) + '"';
        for (int status : std::as_const(statuses))
            out += "wadesk_http_requests_total{" + labels + ",status=\"" + QByteArray::number(status) + "\"} "
                + QByteArray::number(series.byStatus.value(status)) + '\n';
    }
    family(out, "wadesk_http_request_duration_seconds", "histogram", "Time from a request's arrival to its answer being written.");
    for (const auto &key : std::as_const(keys)) {
        const HttpSeries &series = m_http[key];
        const QByteArray labels = "method=\"" + escapeLabel(QString::fromLatin1(key.first)) + "\",route=\"" + escapeLabel(key.second) + '"';
        quint64 cumulative = 0;
        for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
            cumulative += series.buckets[i];
            out += "wadesk_http_request_duration_seconds_bucket{" + labels + ",le=\"" + number(kLatencyBuckets[i]) + "\"} "
                + QByteArray::number(cumulative) + '\n';
        }
        out += "wadesk_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + QByteArray::number(series.count) + '\n';
        out += "wadesk_http_request_duration_seconds_sum{" + labels + "} " + number(series.sumSeconds) + '\n';
        out += "wadesk_http_request_duration_seconds_count{" + labels + "} " + QByteArray::number(series.count) + '\n';
    }
}

} // namespace wadesk

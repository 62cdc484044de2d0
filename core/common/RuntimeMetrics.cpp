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

void RuntimeMetrics::countSend(bool sent)
{
    (sent ? m_sent : m_failed).fetch_add(1);
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

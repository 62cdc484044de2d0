#pragma once

#include "core/common/Clock.h"
#include "core/webhooks/WebhookRepository.h"
#include "core/webhooks/WebhookSettings.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace wadesk {

class AesGcm;
class AuditLog;
class Database;
class WebhookRepository;

// Sends webhook deliveries from the database, on its own thread with its own QNetworkAccessManager
// and database connection. Claims due rows with a lease (a process that dies mid-delivery
// leaves rows that become due again), sends them with bounded concurrency per endpoint and
// overall, and records the outcome: 2xx succeeds; 410 disables the webhook; anything else, a
// timeout or a connection error retries with exponential back-off and jitter (Retry-After
// honoured within bounds) until the attempts run out and the delivery is a dead letter.
class DeliveryWorker final : public QObject {
    Q_OBJECT
public:
    DeliveryWorker(Database &database, const AesGcm &cipher, DeliverySettings settings, const Clock &clock = Clock::system());
    ~DeliveryWorker() override;

    static qint64 backoffMs(int attempts, qint64 maxBackoffMs, double jitter);

    // QNetworkAccessManager opens at most this many HTTP/1.1 connections to one host and port and
    // queues the rest (with their transfer timeout running): the worker never hands it more, so
    // webhooks of different organizations on one host share it without timing out in a queue.
    static constexpr int kMaxPerHost = 6;

public slots:
    void start(); // on the worker thread
    void wake();
    void stop();

signals:
    void delivered(const QString &deliveryId, bool success);

private:
    void poll(bool timer);
    // Reads due rows and claims what the limits allow, in the caller's transaction (`beforeClaim`
    // opens it, false: stop); the caller sends them once that has committed.
    QList<DeliveryRecord> claimDue(WebhookRepository &repo, qint64 now, bool timer, const std::function<bool()> &beforeClaim);
    void send(const DeliveryRecord &delivery);
    void finished(QNetworkReply *reply, const DeliveryRecord &delivery, const QString &host);
    // Retry later (Retry-After when >= 0) or, out of attempts, a dead letter; disables a webhook
    // failing for too long.
    void failed(const DeliveryRecord &delivery, int status, const QString &error, const QString &excerpt, qint64 retryAfterMs);
    void done(const DeliveryRecord &delivery, const QString &host);
    void disableWebhook(WebhookRepository &repo, AuditLog &audit, const DeliveryRecord &delivery, const QString &reason, qint64 now);
    static QString hostKey(const QUrl &url);

    Database &m_database;
    const AesGcm &m_cipher;
    DeliverySettings m_settings;
    const Clock &m_clock;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_timer = nullptr;
    QHash<QString, int> m_perEndpoint; // webhook id -> in flight
    QHash<QString, int> m_perHost;     // scheme://host:port -> in flight
    QHash<QString, QString> m_hostOfWebhook; // webhook id -> its host key, learnt when sending
    struct CachedWebhook {
        WebhookRecord webhook;
        QStringList secrets;
    };
    QHash<QString, CachedWebhook> m_webhooks; // by id, see send()
    QHash<QString, qint64> m_healthyWritten;  // webhook id -> when its success was last written
    static constexpr qint64 kHealthWriteMs = 1000;
    static constexpr int kPageRows = 16;
    QElapsedTimer m_lastPoll;
    static constexpr qint64 kMinPollGapMs = 3;
    QSet<QString> m_inFlight;          // delivery ids
    bool m_stopping = false;
    bool m_pollQueued = false;
    QElapsedTimer m_fairness; // when a poll last looked past endpoints at their limit
    static constexpr qint64 kFairnessIntervalMs = 1000;
};

} // namespace wadesk

#include "messaging/MessageService.h"

#include "audit/AuditEvent.h"
#include "common/Ids.h"
#include "common/Json.h"
#include "common/PhoneNumbers.h"
#include "db/SqlRunner.h"
#include "messaging/ContactRepository.h"
#include "safety/Pacing.h"
#include "sessions/ClientService.h"
#include "sessions/SessionControl.h"

#include <QCryptographicHash>
#include <QDateTime>

namespace wadesk {

MessageService::MessageService(Database &database, ClientService &clients, SessionControl *sessions, MessagingSettings settings)
    : m_database(database)
    , m_clients(clients)
    , m_sessions(sessions)
    , m_settings(std::move(settings))
{
}

RateTiers MessageService::tiersOf(const ClientRecord &client, const RateTiers &defaults)
{
    RateTiers t = defaults;
    if (client.ratePerMinute > 0)
        t.perMinute = client.ratePerMinute;
    if (client.ratePerHour > 0)
        t.perHour = client.ratePerHour;
    if (client.ratePerDay > 0)
        t.perDay = client.ratePerDay;
    return t;
}

Result<MessageService::Accepted> MessageService::send(const AuthContext &ctx, const QString &clientId, const QString &to,
                                                     const QString &text, const QString &idempotencyKey)
{
    Result<ClientRecord> client = m_clients.get(ctx, clientId);
    if (!client)
        return client.error();
    if (text.trimmed().isEmpty())
        return DomainError::validation(QStringLiteral("message"), QStringLiteral("message must not be empty"));
    if (text.toUcs4().size() > m_settings.maxTextLength)
        return DomainError::validation(QStringLiteral("message"),
                                       QStringLiteral("message must be at most %1 characters").arg(m_settings.maxTextLength));
    // A number without a country code is taken to be in the client's own country.
    const QString region = regionOf(client.value().phoneNumber);
    Result<QString> phone = PhoneNumbers::toE164(to, region);
    if (!phone) {
        DomainError e = phone.error();
        e.details.insert(QStringLiteral("field"), QStringLiteral("to"));
        return e;
    }
    if (idempotencyKey.size() > 200)
        return DomainError::validation(QStringLiteral("Idempotency-Key"), QStringLiteral("Idempotency-Key must be at most 200 characters"));
    const QString requestHash = QString::fromLatin1(
        QCryptographicHash::hash((clientId + QLatin1Char('\n') + phone.value() + QLatin1Char('\n') + text).toUtf8(), QCryptographicHash::Sha256)
            .toHex());

    SqlRunner sql(m_database);
    MessageRepository messages(sql);
    ContactRepository contacts(sql);
    AuditLog audit(sql);
    if (!idempotencyKey.isEmpty()) {
        Result<std::optional<MessageRecord>> earlier = messages.findByIdempotencyKey(ctx.organizationId, idempotencyKey);
        if (!earlier)
            return earlier.error();
        if (earlier.value()) {
            if (earlier.value()->requestHash != requestHash)
                return DomainError::unprocessable(QStringLiteral("This Idempotency-Key was used for a different request"),
                                                  QStringLiteral("idempotency_key_reused"));
            return Accepted{earlier.value()->id, QStringLiteral("queued"), true};
        }
    }
    if (!client.value().linked)
        return DomainError::conflict(QStringLiteral("Client not ready: link it by scanning its QR code first"),
                                     QStringLiteral("client_not_ready"));
    if (client.value().paused)
        return DomainError::conflict(QStringLiteral("The client is paused: %1").arg(client.value().pausedReason),
                                     QStringLiteral("client_paused"));

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const RateTiers tiers = tiersOf(client.value(), m_settings.defaultTiers);
    MessageRecord m;
    m.id = Ids::make("msg");
    m.organizationId = ctx.organizationId;
    m.clientId = clientId;
    m.direction = QStringLiteral("outbound");
    m.body = text;
    m.status = QStringLiteral("queued");
    m.idempotencyKey = idempotencyKey;
    m.requestHash = requestHash;
    m.createdBy = ctx.userId;
    m.createdAt = m.updatedAt = now;

    Transaction tx(m_database);
    if (Status s = tx.begin(); !s)
        return s.error();
    Result<ContactRecord> contact = contacts.upsert(ctx.organizationId, phone.value());
    if (!contact)
        return contact.error();
    if (contact.value().optedOut)
        return DomainError::unprocessable(QStringLiteral("The contact opted out of messages"), QStringLiteral("contact_opted_out"));
    // The queue stops accepting when the day's budget is already spoken for. Checked inside the
    // write transaction, so that two requests cannot both take the last place.
    int retryAfter = 0;
    Result<bool> fits = fitsDailyBudget(messages, clientId, tiers.perDay, now, &retryAfter);
    if (!fits)
        return fits.error();
    if (!fits.value())
        return DomainError::tooManyRequests(QStringLiteral("Rate limit exceeded: the daily budget of %1 messages is used up").arg(tiers.perDay),
                                            retryAfter, QStringLiteral("rate_limited"));
    m.contactId = contact.value().id;
    if (Status s = messages.insert(m); !s) {
        // Two requests with one new Idempotency-Key at the same moment: the loser answers like a replay.
        Result<std::optional<MessageRecord>> winner = idempotencyKey.isEmpty() ? Result<std::optional<MessageRecord>>(std::optional<MessageRecord>())
                                                                               : messages.findByIdempotencyKey(ctx.organizationId, idempotencyKey);
        if (winner && winner.value())
            return Accepted{winner.value()->id, QStringLiteral("queued"), true};
        return s.error();
    }
    if (Status s = messages.enqueue(m); !s)
        return s.error();
    if (Status s = audit.append(auditBy(ctx, QStringLiteral("send_message"), QStringLiteral("messages"), m.id,
                                        {{QStringLiteral("clientId"), clientId}, {QStringLiteral("to"), phone.value()}}));
        !s)
        return s.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    acceptedOne(clientId);
    if (m_sessions)
        m_sessions->requestWake(clientId);
    return Accepted{m.id, m.status, false};
}

Result<bool> MessageService::fitsDailyBudget(MessageRepository &messages, const QString &clientId, int perDay, qint64 now, int *retryAfter)
{
    // A count is trusted for a second (other WaDesk instances on the same database may accept
    // for this client too) and only while the budget is not close to spent.
    constexpr qint64 kTrustMs = 1000;
    const int margin = std::max(20, perDay / 10);
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_budgets.constFind(clientId);
        if (it != m_budgets.constEnd() && it->perDay == perDay && now - it->countedAt < kTrustMs && now >= it->countedAt
            && it->used + margin < perDay)
            return true;
    }
    const qint64 since = now - RateLimiter::kDay;
    Result<int> used = messages.budgetUsed(clientId, since);
    if (!used)
        return used.error();
    {
        QMutexLocker lock(&m_mutex);
        if (m_budgets.size() > 10000)
            m_budgets.clear();
        m_budgets.insert(clientId, Budget{perDay, now, used.value()});
    }
    if (used.value() < perDay)
        return true;
    Result<qint64> oldest = messages.oldestSendSince(clientId, since);
    if (!oldest)
        return oldest.error();
    const qint64 first = oldest.value() > 0 ? oldest.value() : now;
    *retryAfter = int(std::max<qint64>(1, (first + RateLimiter::kDay - now) / 1000));
    return false;
}

void MessageService::acceptedOne(const QString &clientId)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_budgets.find(clientId);
    if (it != m_budgets.end())
        ++it->used;
}

QString MessageService::regionOf(const QString &clientPhone)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_regions.constFind(clientPhone);
    if (it != m_regions.constEnd())
        return it.value();
    if (m_regions.size() > 10000)
        m_regions.clear();
    const QString region = PhoneNumbers::regionOf(clientPhone);
    m_regions.insert(clientPhone, region);
    return region;
}

Result<MessageRecord> MessageService::get(const AuthContext &ctx, const QString &messageId)
{
    SqlRunner sql(m_database);
    MessageRepository messages(sql);
    Result<std::optional<MessageRecord>> found = messages.find(ctx.organizationId, messageId, ClientService::visibleTo(ctx));
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Message"));
    return *found.value();
}

Result<MessageService::Page> MessageService::history(const AuthContext &ctx, const QString &clientId, MessageQuery query)
{
    Result<ClientRecord> client = m_clients.get(ctx, clientId);
    if (!client)
        return client.error();
    if (!query.contactPhone.isEmpty()) {
        Result<QString> phone = PhoneNumbers::toE164(query.contactPhone, PhoneNumbers::regionOf(client.value().phoneNumber));
        if (!phone) {
            DomainError e = phone.error();
            e.details.insert(QStringLiteral("field"), QStringLiteral("contact"));
            return e;
        }
        query.contactPhone = phone.value();
    }
    SqlRunner sql(m_database);
    MessageRepository messages(sql);
    Result<QList<MessageRecord>> rows = messages.list(ctx.organizationId, clientId, query);
    if (!rows)
        return rows.error();
    Result<int> total = messages.count(ctx.organizationId, clientId, query);
    if (!total)
        return total.error();
    return Page{rows.value(), total.value()};
}

Result<QJsonObject> MessageService::rateLimits(const AuthContext &ctx, const QString &clientId)
{
    Result<ClientRecord> client = m_clients.get(ctx, clientId);
    if (!client)
        return client.error();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const RateTiers tiers = tiersOf(client.value(), m_settings.defaultTiers);
    SqlRunner sql(m_database);
    MessageRepository messages(sql);
    Result<QList<qint64>> times = messages.sendTimesSince(clientId, now - RateLimiter::kDay);
    if (!times)
        return times.error();
    Result<int> depth = messages.queueDepth(clientId);
    if (!depth)
        return depth.error();
    const RateState s = RateLimiter::evaluate(tiers, times.value(), now);
    auto tier = [](const TierUsage &u) {
        return QJsonObject{{QStringLiteral("used"), u.used}, {QStringLiteral("limit"), u.limit}, {QStringLiteral("remaining"), u.remaining}};
    };
    const Pacing pacing(m_settings.pacing, 1);
    QJsonObject out{{QStringLiteral("allowed"), s.allowed && !client.value().paused},
                    {QStringLiteral("perMinute"), tier(s.minute)},
                    {QStringLiteral("perHour"), tier(s.hour)},
                    {QStringLiteral("perDay"), tier(s.day)},
                    {QStringLiteral("queue_depth"), depth.value()},
                    {QStringLiteral("paused"), client.value().paused},
                    {QStringLiteral("next_send_at"), Json::isoTime(s.nextAllowedAt)}};
    out.insert(QStringLiteral("estimated_last_departure"),
               depth.value() > 0 ? Json::isoTime(RateLimiter::estimateLastDeparture(tiers, times.value(), depth.value(), now, pacing.meanGapMs()))
                                 : QJsonValue(QJsonValue::Null));
    return out;
}

} // namespace wadesk

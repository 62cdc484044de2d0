#include "core/messaging/MessageService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/common/Json.h"
#include "core/common/PhoneNumbers.h"
#include "core/common/RequestContext.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/safety/Pacing.h"
#include "core/sessions/ClientSendTiers.h"
#include "core/sessions/ClientService.h"
#include "core/sessions/SessionControl.h"

#include <QByteArrayList>
#include <QCryptographicHash>
#include <QDateTime>
#include <QSet>
#include <QTimer>

namespace wadesk {

MessageService::MessageService(Database &database, ClientService &clients, SessionControl *sessions, MessagingSettings settings,
                               const Clock &clock)
    : m_database(database)
    , m_clients(clients)
    , m_sessions(sessions)
    , m_settings(std::move(settings))
    , m_clock(clock)
{
}

MessageService::~MessageService() = default;

Result<MessageService::Accepted> MessageService::send(const AuthContext &ctx, const QString &clientId, const QString &to,
                                                     const Content &content, const QString &idempotencyKey)
{
    std::optional<Result<Accepted>> out;
    submit(ctx, clientId, to, content, idempotencyKey, [&out](const Result<Accepted> &r) { out = r; });
    flush();
    if (!out) // its Idempotency-Key was in use by an earlier send of the same group
        flush();
    return out ? *out : Result<Accepted>(DomainError::internal(QStringLiteral("The send was not processed")));
}

Result<MessageService::Accepted> MessageService::send(const AuthContext &ctx, const QString &clientId, const QString &to,
                                                     const QString &text, const QString &idempotencyKey)
{
    Content content;
    content.text = text;
    return send(ctx, clientId, to, content, idempotencyKey);
}

void MessageService::submit(const AuthContext &ctx, const QString &clientId, const QString &to, const QString &text,
                            const QString &idempotencyKey, Done done)
{
    Content content;
    content.text = text;
    submit(ctx, clientId, to, content, idempotencyKey, std::move(done));
}

void MessageService::submit(const AuthContext &ctx, const QString &clientId, const QString &to, const Content &content,
                            const QString &idempotencyKey, Done done)
{
    m_pending.push_back(Pending{ctx, clientId, to, content, idempotencyKey, std::move(done),
                                QByteArray::fromStdString(RequestContext::currentRequestId())});
    if (!m_flushTimer) {
        m_flushTimer = std::make_unique<QTimer>();
        m_flushTimer->setSingleShot(true);
        m_flushTimer->setInterval(0);
        QObject::connect(m_flushTimer.get(), &QTimer::timeout, m_flushTimer.get(), [this]() { flush(); });
    }
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

std::optional<DomainError> MessageService::checkContent(const Pending &request, QString *caption, QString *fileIdentity,
                                                        std::optional<MediaInfo> *stored)
{
    const Content &c = request.content;
    if (!c.hasFile()) {
        if (c.text.trimmed().isEmpty())
            return DomainError::validation(QStringLiteral("message"), QStringLiteral("message must not be empty"));
        if (c.text.toUcs4().size() > m_settings.maxTextLength)
            return DomainError::validation(QStringLiteral("message"),
                                           QStringLiteral("message must be at most %1 characters").arg(m_settings.maxTextLength));
        *caption = c.text;
        return std::nullopt;
    }
    if (c.media && !c.mediaId.isEmpty())
        return DomainError::validation(QStringLiteral("media"), QStringLiteral("send either media or media_id, not both"));
    *caption = c.caption ? *c.caption : c.text;
    if (caption->isNull())
        *caption = QStringLiteral(""); // the body column holds "" for a file without a caption
    if (caption->toUcs4().size() > m_settings.maxTextLength)
        return DomainError::validation(c.caption ? QStringLiteral("caption") : QStringLiteral("message"),
                                       QStringLiteral("caption must be at most %1 characters").arg(m_settings.maxTextLength));
    if (c.filename.size() > 255 || c.filename.contains(QLatin1Char('/')) || c.filename.contains(QLatin1Char('\\'))
        || c.filename.contains(QChar(0)))
        return DomainError::validation(QStringLiteral("filename"),
                                       QStringLiteral("filename must be a plain file name of at most 255 characters"));
    if (!m_media)
        return DomainError::unavailable(QStringLiteral("Media storage is not available"), QStringLiteral("media_unavailable"));
    if (c.media) {
        if (c.media->isEmpty())
            return DomainError::badRequest(QStringLiteral("media is empty"), QStringLiteral("invalid_media"));
        *fileIdentity = QString::fromLatin1(QCryptographicHash::hash(*c.media, QCryptographicHash::Sha256).toHex());
        return std::nullopt;
    }
    if (!Ids::looksValid(c.mediaId, "media"))
        return DomainError::notFound(QStringLiteral("Media"));
    Result<MediaInfo> info = m_media->info(request.ctx.organizationId, c.mediaId);
    if (!info)
        return info.error();
    *fileIdentity = info.value().sha256;
    *stored = info.value();
    return std::nullopt;
}

// One send of a group on its way through flush().
struct MessageService::Item {
    Pending request;
    std::optional<Result<Accepted>> outcome; // set once decided
    ClientRecord client;
    QString phone;
    QString requestHash;
    RateTiers tiers;
    MessageRecord message;
    QString caption;                // the text, or the caption of a file
    std::optional<MediaInfo> media; // the file, once known or stored
};

void MessageService::flush()
{
    if (m_flushTimer)
        m_flushTimer->stop();
    std::vector<Item> items;
    items.reserve(m_pending.size());
    for (Pending &p : m_pending)
        items.push_back(Item{std::move(p), std::nullopt, {}, {}, {}, {}, {}, {}, std::nullopt});
    m_pending.clear();
    if (items.empty())
        return;

    // First what needs no writing, in the order a single request is checked: the client (as the
    // caller may see it), the text, the number, the Idempotency-Key, the client's state.
    SqlRunner sql(m_database);
    MessageRepository messages(sql);
    QHash<QString, Result<ClientRecord>> clients; // per caller scope and client, within this group
    QSet<QString> keysInGroup;
    std::vector<size_t> toStore;
    for (size_t i = 0; i < items.size(); ++i) {
        Item &item = items[i];
        const Pending &r = item.request;
        const RequestContext::RequestScope logScope(r.requestId);
        const QString scope = r.ctx.organizationId + QLatin1Char('|') + ClientScope::of(r.ctx).key() + QLatin1Char('|') + r.clientId;
        auto known = clients.constFind(scope);
        if (known == clients.constEnd())
            known = clients.insert(scope, m_clients.get(r.ctx, r.clientId));
        if (!known.value()) {
            item.outcome = Result<Accepted>(known.value().error());
            continue;
        }
        item.client = known.value().value();
        QString fileIdentity;
        if (std::optional<DomainError> refused = checkContent(r, &item.caption, &fileIdentity, &item.media)) {
            item.outcome = Result<Accepted>(*refused);
            continue;
        }
        // A number without a country code is taken to be in the client's own country.
        Result<QString> phone = toE164(r.to, regionOf(item.client.phoneNumber));
        if (!phone) {
            DomainError e = phone.error();
            e.details.insert(QStringLiteral("field"), QStringLiteral("to"));
            item.outcome = Result<Accepted>(e);
            continue;
        }
        item.phone = phone.value();
        if (r.idempotencyKey.size() > 200) {
            item.outcome = Result<Accepted>(
                DomainError::validation(QStringLiteral("Idempotency-Key"), QStringLiteral("Idempotency-Key must be at most 200 characters")));
            continue;
        }
        // A text's hash is what it always was (keys stored before files existed still match);
        // a file's adds its content hash and name.
        const QString hashed = fileIdentity.isEmpty()
            ? r.clientId + QLatin1Char('\n') + item.phone + QLatin1Char('\n') + item.caption
            : r.clientId + QLatin1Char('\n') + item.phone + QLatin1Char('\n') + item.caption + QStringLiteral("\nfile:") + fileIdentity
                + QLatin1Char('\n') + r.content.filename;
        item.requestHash = QString::fromLatin1(QCryptographicHash::hash(hashed.toUtf8(), QCryptographicHash::Sha256).toHex());
        if (!r.idempotencyKey.isEmpty()) {
            const QString key = r.ctx.organizationId + QLatin1Char('|') + r.idempotencyKey;
            if (keysInGroup.contains(key)) {
                // The same key twice in one group: this one waits for the next group, where the
                // first is stored and it becomes a replay (or a reuse).
                m_pending.push_back(std::move(item.request));
                item.outcome = Result<Accepted>(Accepted{}); // answered later, not now
                item.request.done = nullptr;
                continue;
            }
            keysInGroup.insert(key);
            Result<std::optional<MessageRecord>> earlier = messages.findByIdempotencyKey(r.ctx.organizationId, r.idempotencyKey);
            if (!earlier) {
                item.outcome = Result<Accepted>(earlier.error());
                continue;
            }
            if (earlier.value()) {
                if (earlier.value()->requestHash != item.requestHash)
                    item.outcome = Result<Accepted>(DomainError::unprocessable(
                        QStringLiteral("This Idempotency-Key was used for a different request"), QStringLiteral("idempotency_key_reused")));
                else
                    item.outcome = Result<Accepted>(Accepted{earlier.value()->id, MessageStatus::Queued, true});
                continue;
            }
        }
        if (!item.client.linked) {
            item.outcome = Result<Accepted>(DomainError::conflict(QStringLiteral("Client not ready: link it by scanning its QR code first"),
                                                                  QStringLiteral("client_not_ready")));
            continue;
        }
        if (item.client.paused) {
            item.outcome = Result<Accepted>(DomainError::conflict(QStringLiteral("The client is paused: %1").arg(item.client.pausedReason),
                                                                  QStringLiteral("client_paused")));
            continue;
        }
        item.tiers = clientSendTiers(item.client, m_settings.defaultTiers);
        // A file given inline is stored now, once the send is known to be acceptable: the
        // library's own refusals (400 undecodable, 413 quota, 415 type) are the answer.
        if (r.content.media) {
            MediaHints hints;
            hints.filename = r.content.filename;
            hints.declaredMimetype = r.content.mimetype;
            Result<MediaInfo> stored = m_media->store(r.ctx.organizationId, *r.content.media, hints, r.ctx.userId);
            if (!stored) {
                item.outcome = Result<Accepted>(stored.error());
                continue;
            }
            item.media = stored.value();
        }
        toStore.push_back(i);
    }

    // Then the writes: the whole group in one transaction (one commit for many sends). Should a
    // database error break it, nothing of it is kept and each send is stored on its own.
    // (Log lines of the group name every request in it.)
    QByteArrayList groupIds;
    for (size_t i : toStore) {
        if (!items[i].request.requestId.isEmpty())
            groupIds << items[i].request.requestId;
    }
    bool stored = true;
    if (!toStore.empty()) {
        const RequestContext::RequestScope logScope(groupIds.join(','));
        stored = storeGroup(items, toStore);
    }
    if (!stored) {
        for (size_t i : toStore) {
            const RequestContext::RequestScope logScope(items[i].request.requestId);
            items[i].outcome.reset();
            if (!storeGroup(items, {i}) && !items[i].outcome)
                items[i].outcome = Result<Accepted>(DomainError::internal(QStringLiteral("Database error")));
        }
    }

    QSet<QString> wake;
    for (Item &item : items) {
        if (!item.request.done)
            continue; // moved to the next group
        if (item.outcome && item.outcome->ok() && !item.outcome->value().replayed)
            wake.insert(item.request.clientId);
        const RequestContext::RequestScope logScope(item.request.requestId);
        item.request.done(item.outcome ? *item.outcome : Result<Accepted>(DomainError::internal(QStringLiteral("The send was not processed"))));
    }
    if (m_sessions) {
        for (const QString &clientId : std::as_const(wake))
            m_sessions->requestWake(clientId);
    }
    if (!m_pending.empty() && m_flushTimer && !m_flushTimer->isActive())
        m_flushTimer->start();
}

bool MessageService::storeGroup(std::vector<Item> &items, const std::vector<size_t> &group)
{
    const qint64 now = m_clock.nowMs();
    QHash<QString, int> acceptedNow; // per client, in this transaction
    std::vector<size_t> accepted;
    auto failOne = [&](const DomainError &e) {
        if (group.size() == 1)
            items[group.front()].outcome = Result<Accepted>(e);
        return false;
    };

    bool raced = false; // the Idempotency-Key was taken meanwhile by another WaDesk on the database
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        MessageRepository messages(write.sql);
        ContactRepository contacts(write.sql, write.clock);

        // The group's contacts in one query per organization (a round trip per send is what makes
        // PostgreSQL slow here, not the work).
        QHash<QString, QStringList> numbersByOrganization;
        for (size_t i : group) {
            QStringList &numbers = numbersByOrganization[items[i].request.ctx.organizationId];
            if (!numbers.contains(items[i].phone))
                numbers << items[i].phone;
        }
        QHash<QString, QHash<QString, ContactRecord>> known; // organization → number → contact
        for (auto it = numbersByOrganization.constBegin(); it != numbersByOrganization.constEnd(); ++it) {
            Result<QHash<QString, ContactRecord>> found = contacts.findByPhones(it.key(), it.value());
            if (!found)
                return found.error();
            known.insert(it.key(), found.value());
        }

        QList<MessageRecord> rows;
        QList<AuditEntry> entries;
        for (size_t i : group) {
            Item &item = items[i];
            const Pending &r = item.request;
            QHash<QString, ContactRecord> &contactsOfOrganization = known[r.ctx.organizationId];
            auto contact = contactsOfOrganization.constFind(item.phone);
            if (contact != contactsOfOrganization.constEnd() && contact->optedOut) {
                item.outcome = Result<Accepted>(
                    DomainError::unprocessable(QStringLiteral("The contact opted out of messages"), QStringLiteral("contact_opted_out")));
                continue;
            }
            // The queue stops accepting when the day's budget is already spoken for. Checked inside
            // the write transaction, so that two requests cannot both take the last place.
            int retryAfter = 0;
            Result<bool> fits = fitsDailyBudget(messages, r.clientId, item.tiers.perDay, now, acceptedNow.value(r.clientId), &retryAfter);
            if (!fits)
                return fits.error();
            if (!fits.value()) {
                item.outcome = Result<Accepted>(DomainError::tooManyRequests(
                    QStringLiteral("Rate limit exceeded: the daily budget of %1 messages is used up").arg(item.tiers.perDay), retryAfter,
                    QStringLiteral("rate_limited")));
                continue;
            }
            if (contact == contactsOfOrganization.constEnd()) {
                Result<ContactRecord> created = contacts.upsert(r.ctx.organizationId, item.phone);
                if (!created)
                    return created.error();
                contact = contactsOfOrganization.insert(item.phone, created.value());
            }
            MessageRecord &m = item.message;
            m.id = Ids::make("msg");
            m.organizationId = r.ctx.organizationId;
            m.clientId = r.clientId;
            m.contactId = contact->id;
            m.direction = MessageDirection::Outbound;
            m.body = item.caption;
            if (item.media) {
                m.type = item.media->kind.isEmpty() ? QStringLiteral("document") : item.media->kind;
                m.mediaId = item.media->id;
                m.caption = item.caption;
                m.filename = r.content.filename.isEmpty() ? item.media->filename : r.content.filename;
            }
            m.status = MessageStatus::Queued;
            m.idempotencyKey = r.idempotencyKey;
            m.requestHash = item.requestHash;
            m.createdBy = r.ctx.userId;
            m.createdAt = m.updatedAt = now;
            rows << m;
            QJsonObject details{{QStringLiteral("clientId"), r.clientId}, {QStringLiteral("to"), item.phone}};
            if (item.media) {
                details.insert(QStringLiteral("type"), m.type);
                details.insert(QStringLiteral("media_id"), m.mediaId);
            }
            entries << auditBy(r.ctx, QStringLiteral("send_message"), QStringLiteral("messages"), m.id, details);
            acceptedNow[r.clientId] += 1;
            accepted.push_back(i);
        }
        if (!rows.isEmpty()) {
            if (Status s = messages.insertMany(rows); !s) {
                raced = group.size() == 1 && !items[group.front()].request.idempotencyKey.isEmpty();
                return s;
            }
            if (Status s = messages.enqueueMany(rows); !s)
                return s;
            if (Status s = write.audit.appendMany(entries); !s)
                return s;
        }
        return {};
    }, m_clock);
    if (!stored) {
        if (raced) {
            // Another WaDesk on the same database took this new Idempotency-Key a moment ago:
            // now that this transaction is rolled back, answer like a replay of the winner.
            Item &item = items[group.front()];
            const Pending &r = item.request;
            SqlRunner sql(m_database);
            Result<std::optional<MessageRecord>> winner =
                MessageRepository(sql).findByIdempotencyKey(r.ctx.organizationId, r.idempotencyKey);
            if (winner && winner.value()) {
                item.outcome = Result<Accepted>(winner.value()->requestHash == item.requestHash
                                                    ? Result<Accepted>(Accepted{winner.value()->id, MessageStatus::Queued, true})
                                                    : Result<Accepted>(DomainError::unprocessable(
                                                          QStringLiteral("This Idempotency-Key was used for a different request"),
                                                          QStringLiteral("idempotency_key_reused"))));
                return true;
            }
        }
        return failOne(stored.error());
    }
    for (size_t i : accepted) {
        acceptedOne(items[i].request.clientId);
        items[i].outcome = Result<Accepted>(Accepted{items[i].message.id, items[i].message.status, false});
    }
    return true;
}

Result<bool> MessageService::fitsDailyBudget(MessageRepository &messages, const QString &clientId, int perDay, qint64 now, int pending,
                                             int *retryAfter)
{
    // A count is trusted for a second (other WaDesk instances on the same database may accept
    // for this client too) and only while the budget is not close to spent.
    constexpr qint64 kTrustMs = 1000;
    const int margin = std::max(20, perDay / 10);
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_budgets.constFind(clientId);
        if (it != m_budgets.constEnd() && it->perDay == perDay && now - it->countedAt < kTrustMs && now >= it->countedAt
            && it->used + pending + margin < perDay)
            return true;
    }
    const qint64 since = now - RateLimiter::kDay;
    // Counted only up to the budget: whether the sum reaches perDay is all the check needs, and
    // min(sent, perDay) + min(queued, perDay) reaches it exactly when sent + queued does.
    Result<int> used = messages.budgetUsed(clientId, since, std::max(perDay, 0));
    if (!used)
        return used.error();
    {
        QMutexLocker lock(&m_mutex);
        if (m_budgets.size() > 10000)
            m_budgets.clear();
        // The count includes this transaction's own sends; they are added once it commits.
        m_budgets.insert(clientId, Budget{perDay, now, used.value() - pending});
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

Result<QString> MessageService::toE164(const QString &to, const QString &region)
{
    // Senders write to the same numbers again and again; libphonenumber's parse is the costliest
    // step of a send that needs no database.
    const QString key = region + QLatin1Char('|') + to;
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_numbers.constFind(key);
        if (it != m_numbers.constEnd())
            return it.value();
    }
    Result<QString> phone = PhoneNumbers::toE164(to, region);
    if (phone) {
        QMutexLocker lock(&m_mutex);
        if (m_numbers.size() > 20000)
            m_numbers.clear();
        m_numbers.insert(key, phone.value());
    }
    return phone;
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
    Result<std::optional<MessageRecord>> found = messages.find(ctx.organizationId, messageId, ClientScope::of(ctx));
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
    if (!query.beforeId.isEmpty()) {
        // Checked before any SQL (QPSQL inlines values); a message of another client or
        // organization is refused like a malformed one, so a cursor tells nothing.
        const auto badCursor = [] {
            return DomainError::badRequest(QStringLiteral("before must be the id of a message of this client"), QStringLiteral("invalid_cursor"));
        };
        if (!Ids::looksValid(query.beforeId, "msg"))
            return badCursor();
        Result<std::optional<qint64>> at = messages.position(ctx.organizationId, clientId, query.beforeId);
        if (!at)
            return at.error();
        if (!at.value())
            return badCursor();
        query.beforeCreatedAt = *at.value();
    }
    Result<QList<MessageRecord>> rows = messages.list(ctx.organizationId, clientId, query);
    if (!rows)
        return rows.error();
    Page page;
    page.messages = rows.value();
    page.info = Paging::trim(page.messages, query.limit, [](const MessageRecord &m) { return m.id; });
    page.info.total = Paging::freeTotal(page.info, page.messages.size(), query.offset, !query.beforeId.isEmpty());
    if (query.exactTotal) {
        Result<int> total = messages.count(ctx.organizationId, clientId, query);
        if (!total)
            return total.error();
        page.info.total = total.value();
    }
    return page;
}

Result<int> MessageService::queueDepth(const AuthContext &ctx, const QString &clientId)
{
    Result<ClientRecord> client = m_clients.get(ctx, clientId);
    if (!client)
        return client.error();
    SqlRunner sql(m_database);
    return MessageRepository(sql).queueDepth(client.value().id);
}

Result<QHash<QString, int>> MessageService::queueDepths(const AuthContext &ctx)
{
    Result<std::optional<QSet<QString>>> visible = m_clients.visibleIds(ctx);
    if (!visible)
        return visible.error();
    SqlRunner sql(m_database);
    Result<QHash<QString, int>> depths = MessageRepository(sql).queueDepths(ctx.organizationId);
    if (depths && visible.value()) {
        for (auto it = depths.value().begin(); it != depths.value().end();)
            it = visible.value()->contains(it.key()) ? std::next(it) : depths.value().erase(it);
    }
    return depths;
}

Result<RateLimitStatus> MessageService::rateLimits(const AuthContext &ctx, const QString &clientId)
{
    Result<ClientRecord> client = m_clients.get(ctx, clientId);
    if (!client)
        return client.error();
    const qint64 now = m_clock.nowMs();
    const RateTiers tiers = clientSendTiers(client.value(), m_settings.defaultTiers);
    SqlRunner sql(m_database);
    MessageRepository messages(sql);
    Result<QList<qint64>> times = messages.sendTimesSince(clientId, now - RateLimiter::kDay);
    if (!times)
        return times.error();
    // Counted up to a cap, so that the route costs the same with any queue: beyond it the
    // depth (and the estimate built on it) is a lower bound, and says so.
    Result<int> depth = messages.queueDepthUpTo(clientId, RateLimitStatus::kQueueDepthCap);
    if (!depth)
        return depth.error();
    RateLimitStatus out;
    out.rate = RateLimiter::evaluate(tiers, times.value(), now);
    out.paused = client.value().paused;
    out.allowed = out.rate.allowed && !out.paused;
    out.queueDepth = depth.value();
    out.queueDepthExact = depth.value() < RateLimitStatus::kQueueDepthCap;
    if (out.queueDepth > 0) {
        const Pacing pacing(m_settings.pacing, 1);
        out.estimatedLastDeparture = RateLimiter::estimateLastDeparture(tiers, times.value(), out.queueDepth, now, pacing.meanGapMs());
    }
    return out;
}

} // namespace wadesk

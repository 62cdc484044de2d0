#include "core/campaigns/CampaignService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/common/PhoneNumbers.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/media/MediaLibrary.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/Segments.h"
#include "core/safety/Pacing.h"
#include "core/sessions/ClientRepository.h"
#include "core/sessions/ClientSendTiers.h"
#include "core/sessions/ClientService.h"
#include "core/templates/TemplateRepository.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSet>

namespace wadesk {

namespace {
// A contact's values for a template, as TemplateRepository reads them (string attributes only).
TemplateValues templateValuesOf(const ContactRecord &contact)
{
    TemplateValues v;
    v.phoneNumber = contact.phoneNumber;
    v.name = contact.name;
    for (auto it = contact.attributes.constBegin(); it != contact.attributes.constEnd(); ++it) {
        if (it.value().isString())
            v.attributes.insert(it.key(), it.value().toString());
    }
    return v;
}

// A draft's clients, each once, each one the caller may see (404 otherwise); 400 without any.
Result<QStringList> draftClients(ClientService &clients, const AuthContext &ctx, const QStringList &ids)
{
    if (ids.isEmpty())
        return DomainError::validation(QStringLiteral("client_id"), QStringLiteral("client_id or client_ids is required"));
    QStringList distinct;
    for (const QString &id : ids) {
        if (distinct.contains(id))
            continue;
        Result<ClientRecord> client = clients.get(ctx, id);
        if (!client)
            return client.error();
        distinct << id;
    }
    return distinct;
}

DomainError illegal(const CampaignRecord &c, const QString &action)
{
    return DomainError::conflict(QStringLiteral("A %1 campaign cannot be %2").arg(CampaignStatuses::name(c.status), action),
                                 QStringLiteral("invalid_campaign_state"));
}

CampaignEventData eventData(const CampaignRecord &c, CampaignStatus status, const CampaignCounts &counts, const QString &reason, qint64 at)
{
    CampaignEventData d;
    d.campaignId = c.id;
    d.name = c.name;
    d.status = CampaignStatuses::name(status);
    d.clientIds = c.clientIds;
    d.total = counts.total;
    d.sent = counts.sent;
    d.failed = counts.failed;
    d.skipped = counts.skipped;
    d.reason = reason;
    d.at = at;
    return d;
}
} // namespace

CampaignService::CampaignService(Database &database, ClientService &clients, EventBus *events, MessagingSettings messaging,
                                 CampaignSettings settings, const Clock &clock)
    : m_database(database)
    , m_clients(clients)
    , m_events(events)
    , m_messaging(std::move(messaging))
    , m_settings(settings)
    , m_clock(clock)
{
}

Result<CampaignView> CampaignService::create(const AuthContext &ctx, const Draft &draft)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    Result<QStringList> clients = draftClients(m_clients, ctx, draft.clientIds);
    if (!clients)
        return clients.error();
    const QStringList &clientIds = clients.value();
    const int audienceSize = int(draft.numbers.size() + draft.contactIds.size());
    if (audienceSize == 0 && draft.tags.isEmpty() && draft.segmentId.isEmpty())
        return DomainError::validation(QStringLiteral("audience"), QStringLiteral("audience needs numbers, contact_ids, tags or segment_id"));
    if (audienceSize > m_settings.maxAudience)
        return DomainError::validation(QStringLiteral("audience"),
                                       QStringLiteral("audience may hold at most %1 recipients").arg(m_settings.maxAudience));
    Draft effective = draft;
    if (!draft.templateId.isEmpty()) {
        if (!draft.message.isEmpty())
            return DomainError::validation(QStringLiteral("template_id"), QStringLiteral("send message or template_id, not both"));
        if (!Ids::looksValid(draft.templateId, "tpl"))
            return DomainError::notFound(QStringLiteral("Template"));
        SqlRunner sql(m_database);
        Result<std::optional<TemplateRecord>> found = TemplateRepository(sql).find(ctx.organizationId, draft.templateId);
        if (!found)
            return found.error();
        if (!found.value())
            return DomainError::notFound(QStringLiteral("Template"));
        // Copied now: a later change to the template does not change this campaign.
        effective.message = found.value()->body;
        if (effective.mediaId.isEmpty())
            effective.mediaId = found.value()->mediaId;
    }
    CampaignRecord c;
    c.templateId = draft.templateId;
    if (!effective.mediaId.isEmpty()) {
        if (!m_media)
            return DomainError::unavailable(QStringLiteral("Media storage is not available"), QStringLiteral("media_unavailable"));
        if (!Ids::looksValid(effective.mediaId, "media"))
            return DomainError::notFound(QStringLiteral("Media"));
        Result<MediaInfo> info = m_media->info(ctx.organizationId, effective.mediaId);
        if (!info)
            return info.error();
        c.mediaId = info.value().id;
        c.mediaType = info.value().kind.isEmpty() ? QStringLiteral("document") : info.value().kind;
        c.mediaFilename = info.value().filename;
    } else if (effective.message.trimmed().isEmpty()) {
        return DomainError::validation(QStringLiteral("message"), QStringLiteral("message is required"));
    }
    if (effective.message.toUcs4().size() > m_messaging.maxTextLength)
        return DomainError::validation(QStringLiteral("message"),
                                       QStringLiteral("message must be at most %1 characters").arg(m_messaging.maxTextLength));
    SqlRunner sql(m_database);
    ContactRepository contacts(sql, m_clock);
    for (const QString &id : draft.contactIds) {
        Result<std::optional<ContactRecord>> found =
            Ids::looksValid(id, "contact") ? contacts.find(ctx.organizationId, id) : Result<std::optional<ContactRecord>>(std::optional<ContactRecord>());
        if (!found)
            return found.error();
        if (!found.value())
            return DomainError::validation(QStringLiteral("audience"), QStringLiteral("audience.contact_ids: no contact %1").arg(id.left(64)));
    }
    if (!draft.segmentId.isEmpty()) {
        Result<std::optional<SegmentRecord>> segment =
            Ids::looksValid(draft.segmentId, "seg") ? SegmentRepository(sql).find(ctx.organizationId, draft.segmentId)
                                                    : Result<std::optional<SegmentRecord>>(std::optional<SegmentRecord>());
        if (!segment)
            return segment.error();
        if (!segment.value())
            return DomainError::validation(QStringLiteral("audience"), QStringLiteral("audience.segment_id: no segment %1").arg(draft.segmentId.left(64)));
    }
    const qint64 now = m_clock.nowMs();
    c.id = Ids::make("cmp");
    c.organizationId = ctx.organizationId;
    c.name = draft.name;
    c.status = CampaignStatus::Draft;
    c.message = effective.message;
    QJsonObject audience;
    if (!draft.numbers.isEmpty())
        audience.insert(QStringLiteral("numbers"), QJsonArray::fromStringList(draft.numbers));
    if (!draft.contactIds.isEmpty())
        audience.insert(QStringLiteral("contact_ids"), QJsonArray::fromStringList(draft.contactIds));
    if (!draft.tags.isEmpty())
        audience.insert(QStringLiteral("tags"), QJsonArray::fromStringList(draft.tags));
    if (!draft.segmentId.isEmpty())
        audience.insert(QStringLiteral("segment_id"), draft.segmentId);
    c.audience = audience;
    c.clientIds = clientIds;
    c.scheduleAt = draft.scheduleAt;
    c.window = draft.window;
    c.dailyCap = draft.dailyCap;
    c.createdBy = ctx.userId;
    c.createdAt = c.updatedAt = now;
    Status stored = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        if (Status s = CampaignRepository(write.sql).insert(c); !s)
            return s;
        return write.audit.append(auditBy(ctx, QStringLiteral("create_campaign"), QStringLiteral("campaigns"), c.id,
                                          {{QStringLiteral("name"), c.name}, {QStringLiteral("client_ids"), QJsonArray::fromStringList(clientIds)}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return view(c);
}

Result<CampaignRecord> CampaignService::visible(const AuthContext &ctx, const QString &campaignId)
{
    if (!Ids::looksValid(campaignId, "cmp"))
        return DomainError::notFound(QStringLiteral("Campaign"));
    SqlRunner sql(m_database);
    Result<std::optional<CampaignRecord>> found = CampaignRepository(sql).find(ctx.organizationId, campaignId, ClientScope::of(ctx));
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Campaign"));
    return *found.value();
}

Result<CampaignView> CampaignService::view(const CampaignRecord &campaign)
{
    SqlRunner sql(m_database);
    Result<CampaignCounts> counts = CampaignRepository(sql).counts(campaign.organizationId, campaign.id, campaign.startedAt, m_settings.replyWindowMs);
    if (!counts)
        return counts.error();
    CampaignView v;
    v.campaign = campaign;
    v.counts = counts.value();
    v.estimatedFinish = estimateFinish(campaign, v.counts);
    return v;
}

std::optional<qint64> CampaignService::estimateFinish(const CampaignRecord &c, const CampaignCounts &counts)
{
    if (c.status == CampaignStatus::Draft || c.status == CampaignStatus::Completed || c.status == CampaignStatus::Cancelled)
        return std::nullopt;
    SqlRunner sql(m_database);
    Result<QHash<QString, int>> remaining = CampaignRepository(sql).remainingByClient(c.organizationId, c.id);
    if (!remaining)
        return std::nullopt;
    return estimateFrom(c, remaining.value(), counts.pending + counts.queued);
}

Result<qint64> CampaignService::estimate(const AuthContext &ctx, const Draft &draft, qint64 recipients)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    Result<QStringList> clients = draftClients(m_clients, ctx, draft.clientIds);
    if (!clients)
        return clients.error();
    const QStringList &clientIds = clients.value();
    CampaignRecord c;
    c.organizationId = ctx.organizationId;
    c.scheduleAt = draft.scheduleAt;
    c.window = draft.window;
    c.dailyCap = draft.dailyCap;
    // Spread over the clients in turn, as the start does.
    QHash<QString, int> remaining;
    const qint64 count = std::max<qint64>(0, recipients);
    for (int i = 0; i < clientIds.size(); ++i)
        remaining.insert(clientIds.at(i), int(count / clientIds.size() + (i < count % clientIds.size() ? 1 : 0)));
    const std::optional<qint64> finish = estimateFrom(c, remaining, count);
    if (!finish)
        return DomainError::unavailable(QStringLiteral("The estimate could not be read"), QStringLiteral("estimate_unavailable"));
    return *finish;
}

std::optional<qint64> CampaignService::estimateFrom(const CampaignRecord &c, const QHash<QString, int> &remaining, qint64 left)
{
    const qint64 now = m_clock.nowMs();
    const qint64 start = std::max(now, c.scheduleAt);
    SqlRunner sql(m_database);
    CampaignRepository campaigns(sql);
    ClientRepository clients(sql);
    MessageRepository messages(sql);
    const Pacing pacing(m_messaging.pacing, 1);
    qint64 finish = start;
    for (auto it = remaining.constBegin(); it != remaining.constEnd(); ++it) {
        Result<std::optional<ClientRecord>> client = clients.find(c.organizationId, it.key(), ClientScope::all());
        if (!client || !client.value())
            continue;
        RateTiers tiers = clientSendTiers(*client.value(), m_messaging.defaultTiers);
        tiers.perDay = std::max(1, tiers.perDay - tiers.perDay * m_settings.replyReservePercent / 100);
        Result<QList<qint64>> times = messages.sendTimesSince(it.key(), now - RateLimiter::kDay);
        if (!times)
            continue;
        finish = std::max(finish, RateLimiter::estimateLastDeparture(tiers, times.value(), it.value(), start, pacing.meanGapMs()));
    }
    if (c.dailyCap > 0 && left > c.dailyCap)
        finish = std::max(finish, start + ((left - 1) / c.dailyCap) * RateLimiter::kDay);
    if (!c.window)
        return finish;
    // The sending time spread over the window's openings.
    Result<QString> zoneName = campaigns.timeZoneOf(c.organizationId);
    QTimeZone zone(zoneName ? zoneName.value().toLatin1() : QByteArrayLiteral("UTC"));
    if (!zone.isValid())
        zone = QTimeZone(QByteArrayLiteral("UTC"));
    qint64 work = finish - start;
    qint64 t = c.window->nextOpen(start, zone);
    for (int i = 0; i < 1000 && work > 0; ++i) {
        const qint64 close = c.window->closesAfter(t, zone);
        const qint64 chunk = std::min(close - t, work);
        work -= chunk;
        t += chunk;
        if (work > 0)
            t = c.window->nextOpen(close, zone);
    }
    return t;
}

Result<CampaignService::Page> CampaignService::list(const AuthContext &ctx, const CampaignQuery &query)
{
    if (Status s = ctx.require(Permission::ViewAnalytics); !s)
        return s.error();
    SqlRunner sql(m_database);
    CampaignRepository campaigns(sql);
    Result<QList<CampaignRecord>> rows = campaigns.list(ctx.organizationId, ClientScope::of(ctx), query);
    if (!rows)
        return rows.error();
    Result<int> total = campaigns.count(ctx.organizationId, ClientScope::of(ctx), query);
    if (!total)
        return total.error();
    Page page;
    page.total = total.value();
    for (const CampaignRecord &c : rows.value()) {
        Result<CampaignView> v = view(c);
        if (!v)
            return v.error();
        page.campaigns << v.value();
    }
    return page;
}

Result<CampaignView> CampaignService::get(const AuthContext &ctx, const QString &campaignId)
{
    if (Status s = ctx.require(Permission::ViewAnalytics); !s)
        return s.error();
    Result<CampaignRecord> c = visible(ctx, campaignId);
    if (!c)
        return c.error();
    return view(c.value());
}

Result<QList<CampaignRecipient>> CampaignService::freeze(SqlRunner &sql, const CampaignRecord &c)
{
    ClientRepository clients(sql);
    ContactRepository contacts(sql, m_clock);
    // A number without a country code is taken to be in the first client's country, as a send is.
    QString region;
    Result<std::optional<ClientRecord>> first = clients.find(c.organizationId, c.clientIds.value(0), ClientScope::all());
    if (!first)
        return first.error();
    if (first.value())
        region = PhoneNumbers::regionOf(first.value()->phoneNumber);

    QList<CampaignRecipient> out;
    QSet<QString> seen;
    // Contacts already read for the audience (tags, ids, segment): not looked up again below.
    QHash<QString, ContactRecord> known;
    auto addContact = [&](const ContactRecord &contact) {
        known.insert(contact.phoneNumber, contact);
    };
    auto add = [&](const QString &phone, const QString &reason, const QString &contactId) {
        if (seen.contains(phone))
            return;
        seen.insert(phone);
        CampaignRecipient r;
        r.seq = out.size() + 1;
        r.phoneNumber = phone;
        r.contactId = contactId;
        r.body = c.message;
        r.status = reason.isEmpty() ? QStringLiteral("pending") : QStringLiteral("skipped");
        r.reason = reason;
        out << r;
    };
    for (const QJsonValue &v : c.audience.value(QStringLiteral("numbers")).toArray()) {
        const QString given = v.toString().trimmed().left(40);
        Result<QString> phone = PhoneNumbers::toE164(given, region);
        add(phone ? phone.value() : given, phone ? QString() : QStringLiteral("invalid_number"), QString());
    }
    for (const QJsonValue &v : c.audience.value(QStringLiteral("contact_ids")).toArray()) {
        Result<std::optional<ContactRecord>> found = contacts.find(c.organizationId, v.toString());
        if (!found)
            return found.error();
        if (found.value()) {
            addContact(*found.value());
            add(found.value()->phoneNumber, QString(), found.value()->id);
        }
    }
    for (const QJsonValue &v : c.audience.value(QStringLiteral("tags")).toArray()) {
        ContactQuery query;
        query.tag = v.toString();
        query.limit = 1000;
        for (query.offset = 0;; query.offset += query.limit) {
            Result<QList<ContactRecord>> page = contacts.list(c.organizationId, query);
            if (!page)
                return page.error();
            for (const ContactRecord &contact : page.value()) {
                if (contact.tags.contains(query.tag)) {
                    addContact(contact);
                    add(contact.phoneNumber, QString(), contact.id);
                }
            }
            if (page.value().size() < query.limit || out.size() > m_settings.maxAudience)
                break;
        }
    }
    const QString segmentId = c.audience.value(QStringLiteral("segment_id")).toString();
    if (!segmentId.isEmpty() && out.size() <= m_settings.maxAudience) {
        SegmentRepository segments(sql);
        Result<std::optional<SegmentRecord>> segment = segments.find(c.organizationId, segmentId);
        if (!segment)
            return segment.error();
        if (!segment.value())
            return DomainError::unprocessable(QStringLiteral("The campaign's segment was deleted"), QStringLiteral("segment_not_found"));
        Status read = segments.members(c.organizationId, segment.value()->rules, m_clock.nowMs(), [&](const ContactRecord &contact) {
            addContact(contact);
            add(contact.phoneNumber, QString(), contact.id);
            return out.size() <= m_settings.maxAudience;
        });
        if (!read)
            return read.error();
    }
    if (out.size() > m_settings.maxAudience)
        return DomainError::unprocessable(QStringLiteral("The audience has more than %1 recipients").arg(m_settings.maxAudience),
                                          QStringLiteral("audience_too_large"));
    // Who opted out is known now: they are skipped for good (and re-checked again before each
    // send). Only numbers given as numbers are looked up; contacts read above are known.
    QStringList unknown;
    for (const CampaignRecipient &r : std::as_const(out)) {
        if (r.status == QLatin1String("pending") && !known.contains(r.phoneNumber))
            unknown << r.phoneNumber;
    }
    for (int from = 0; from < unknown.size(); from += 500) {
        Result<QHash<QString, ContactRecord>> found = contacts.findByPhones(c.organizationId, unknown.mid(from, 500));
        if (!found)
            return found.error();
        known.insert(found.value());
    }
    // A template campaign's text is rendered here, once per recipient, and stored with it, from
    // the contact's values as read above.
    std::optional<MessageTemplate> rendering;
    if (!c.templateId.isEmpty()) {
        Result<MessageTemplate> parsed = MessageTemplate::parse(c.message);
        if (!parsed)
            return parsed.error();
        rendering = parsed.value();
    }
    int next = 0;
    for (CampaignRecipient &r : out) {
        if (r.status != QLatin1String("pending"))
            continue;
        auto contact = known.constFind(r.phoneNumber);
        if (contact != known.constEnd()) {
            r.contactId = contact->id;
            if (contact->optedOut) {
                r.status = QStringLiteral("skipped");
                r.reason = QStringLiteral("opted_out");
                continue;
            }
        }
        if (rendering) {
            TemplateValues v;
            v.phoneNumber = r.phoneNumber;
            if (contact != known.constEnd())
                v = templateValuesOf(*contact);
            const MessageTemplate::Rendered text = rendering->render(v);
            if (!text.missing.isEmpty() || text.text.toUcs4().size() > m_messaging.maxTextLength) {
                r.status = QStringLiteral("skipped");
                r.reason = text.missing.isEmpty() ? QStringLiteral("text_too_long") : QStringLiteral("missing_variable");
                continue;
            }
            r.body = text.text;
        }
        // Spread over the clients in turn.
        r.clientId = c.clientIds.at(next++ % c.clientIds.size());
    }
    return out;
}

Result<CampaignView> CampaignService::start(const AuthContext &ctx, const QString &campaignId)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    Result<CampaignRecord> found = visible(ctx, campaignId);
    if (!found)
        return found.error();
    CampaignRecord c = found.value();
    if (c.status != CampaignStatus::Draft)
        return illegal(c, QStringLiteral("started"));
    if (c.clientIds.isEmpty()) // its clients were deleted since
        return DomainError::conflict(QStringLiteral("The campaign's clients no longer exist"), QStringLiteral("campaign_without_clients"));
    const qint64 now = m_clock.nowMs();
    const CampaignStatus target = c.scheduleAt > now ? CampaignStatus::Scheduled : CampaignStatus::Running;
    Status stored = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        CampaignRepository campaigns(write.sql);
        Result<bool> moved = campaigns.transition(c.organizationId, c.id, {CampaignStatus::Draft}, target, now);
        if (!moved)
            return moved.error();
        if (!moved.value())
            return illegal(c, QStringLiteral("started"));
        Result<QList<CampaignRecipient>> recipients = freeze(write.sql, c);
        if (!recipients)
            return recipients.error();
        if (Status s = campaigns.insertRecipients(c.organizationId, c.id, recipients.value()); !s)
            return s;
        if (target == CampaignStatus::Running) {
            c.startedAt = now;
            Result<CampaignCounts> counts = campaigns.counts(c.organizationId, c.id, now, m_settings.replyWindowMs);
            if (!counts)
                return counts.error();
            if (Status s = write.events.record(CampaignEvents::make(EventType::CampaignStarted, c.organizationId,
                                                                     eventData(c, target, counts.value(), QString(), now), m_clock));
                !s)
                return s;
        }
        return write.audit.append(auditBy(ctx, QStringLiteral("start_campaign"), QStringLiteral("campaigns"), c.id,
                                          {{QStringLiteral("recipients"), int(recipients.value().size())},
                                           {QStringLiteral("status"), CampaignStatuses::name(target)}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return get(ctx, campaignId);
}

Result<CampaignView> CampaignService::pause(const AuthContext &ctx, const QString &campaignId)
{
    return pauseOrCancel(ctx, campaignId, false);
}

Result<CampaignView> CampaignService::cancel(const AuthContext &ctx, const QString &campaignId)
{
    return pauseOrCancel(ctx, campaignId, true);
}

Result<CampaignView> CampaignService::pauseOrCancel(const AuthContext &ctx, const QString &campaignId, bool cancel)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    Result<CampaignRecord> found = visible(ctx, campaignId);
    if (!found)
        return found.error();
    const CampaignRecord c = found.value();
    const QList<CampaignStatus> from = cancel ? QList<CampaignStatus>{CampaignStatus::Draft, CampaignStatus::Scheduled, CampaignStatus::Running,
                                                                      CampaignStatus::Paused}
                                              : QList<CampaignStatus>{CampaignStatus::Scheduled, CampaignStatus::Running};
    const QString action = cancel ? QStringLiteral("cancelled") : QStringLiteral("paused");
    if (!from.contains(c.status))
        return illegal(c, action);
    const qint64 now = m_clock.nowMs();
    Status stored = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        CampaignRepository campaigns(write.sql);
        const CampaignStatus to = cancel ? CampaignStatus::Cancelled : CampaignStatus::Paused;
        const QString reason = cancel ? QString() : QStringLiteral("paused by %1").arg(ctx.email.isEmpty() ? ctx.userId : ctx.email);
        Result<bool> moved = campaigns.transition(c.organizationId, c.id, from, to, now, reason);
        if (!moved)
            return moved.error();
        if (!moved.value())
            return illegal(c, action);
        // What waits in a queue comes back out, so nothing more of it leaves.
        Result<int> withdrawn = campaigns.withdrawQueued(c.id);
        if (!withdrawn)
            return withdrawn.error();
        if (cancel) {
            if (Result<int> r = campaigns.cancelPending(c.id); !r)
                return r.error();
        } else {
            Result<CampaignCounts> counts = campaigns.counts(c.organizationId, c.id, c.startedAt, m_settings.replyWindowMs);
            if (!counts)
                return counts.error();
            if (Status s = write.events.record(
                    CampaignEvents::make(EventType::CampaignPaused, c.organizationId, eventData(c, to, counts.value(), reason, now), m_clock));
                !s)
                return s;
        }
        return write.audit.append(auditBy(ctx, cancel ? QStringLiteral("cancel_campaign") : QStringLiteral("pause_campaign"),
                                          QStringLiteral("campaigns"), c.id, {{QStringLiteral("withdrawn"), withdrawn.value()}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return get(ctx, campaignId);
}

Result<CampaignView> CampaignService::resume(const AuthContext &ctx, const QString &campaignId)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    Result<CampaignRecord> found = visible(ctx, campaignId);
    if (!found)
        return found.error();
    CampaignRecord c = found.value();
    if (c.status != CampaignStatus::Paused)
        return illegal(c, QStringLiteral("resumed"));
    const qint64 now = m_clock.nowMs();
    const CampaignStatus to = c.startedAt == 0 && c.scheduleAt > now ? CampaignStatus::Scheduled : CampaignStatus::Running;
    Status stored = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        CampaignRepository campaigns(write.sql);
        Result<bool> moved = campaigns.transition(c.organizationId, c.id, {CampaignStatus::Paused}, to, now);
        if (!moved)
            return moved.error();
        if (!moved.value())
            return illegal(c, QStringLiteral("resumed"));
        if (to == CampaignStatus::Running && c.startedAt == 0) {
            c.startedAt = now;
            Result<CampaignCounts> counts = campaigns.counts(c.organizationId, c.id, now, m_settings.replyWindowMs);
            if (!counts)
                return counts.error();
            if (Status s = write.events.record(
                    CampaignEvents::make(EventType::CampaignStarted, c.organizationId, eventData(c, to, counts.value(), QString(), now), m_clock));
                !s)
                return s;
        }
        return write.audit.append(auditBy(ctx, QStringLiteral("resume_campaign"), QStringLiteral("campaigns"), c.id));
    }, m_clock);
    if (!stored)
        return stored.error();
    return get(ctx, campaignId);
}

Result<CampaignService::RecipientPage> CampaignService::recipients(const AuthContext &ctx, const QString &campaignId, const QString &status,
                                                                   int limit, int offset)
{
    if (Status s = ctx.require(Permission::ViewAnalytics); !s)
        return s.error();
    static const QStringList kStatuses = {QStringLiteral("pending"), QStringLiteral("skipped"), QStringLiteral("cancelled"),
                                          QStringLiteral("queued"), QStringLiteral("sending"), QStringLiteral("sent"),
                                          QStringLiteral("delivered"), QStringLiteral("read"), QStringLiteral("failed")};
    if (!status.isEmpty() && !kStatuses.contains(status))
        return DomainError::validation(QStringLiteral("status"), QStringLiteral("status must be one of ") + kStatuses.join(QStringLiteral(", ")));
    Result<CampaignRecord> c = visible(ctx, campaignId);
    if (!c)
        return c.error();
    SqlRunner sql(m_database);
    CampaignRepository campaigns(sql);
    Result<QList<CampaignRecipient>> rows = campaigns.recipients(ctx.organizationId, campaignId, status, m_settings.replyWindowMs, limit, offset);
    if (!rows)
        return rows.error();
    Result<int> total = campaigns.recipientCount(ctx.organizationId, campaignId, status);
    if (!total)
        return total.error();
    return RecipientPage{rows.value(), total.value()};
}

Result<CampaignAnalytics> CampaignService::analytics(const AuthContext &ctx, const QString &campaignId)
{
    Result<CampaignView> v = get(ctx, campaignId);
    if (!v)
        return v.error();
    SqlRunner sql(m_database);
    CampaignRepository campaigns(sql);
    Result<QHash<QString, int>> failed = campaigns.failureReasons(ctx.organizationId, campaignId);
    if (!failed)
        return failed.error();
    Result<QHash<QString, int>> skipped = campaigns.skipReasons(ctx.organizationId, campaignId);
    if (!skipped)
        return skipped.error();
    return CampaignAnalytics{v.value().campaign, v.value().counts, failed.value(), skipped.value()};
}

Result<QList<CampaignRecipient>> CampaignService::exportRecipients(const AuthContext &ctx, const QString &campaignId)
{
    Result<RecipientPage> all = recipients(ctx, campaignId, QString(), m_settings.maxAudience + 1, 0);
    if (!all)
        return all.error();
    return all.value().recipients;
}

Result<int> CampaignService::activeCount(const AuthContext &ctx)
{
    SqlRunner sql(m_database);
    return CampaignRepository(sql).activeCount(ctx.organizationId, ClientScope::of(ctx));
}

} // namespace wadesk

#include "core/messaging/InboundProcessor.h"

#include "core/audit/AuditLog.h"
#include "core/audit/AuditedChange.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/common/Ids.h"
#include "core/common/Json.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/MessageSender.h"

#include <QDateTime>
#include <QJsonArray>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
// "14155552671@c.us" → "+14155552671"; empty for groups, broadcasts and anything else.
QString phoneOfChat(const QString &wid)
{
    if (!wid.endsWith(QLatin1String("@c.us")))
        return {};
    const QString user = wid.section(QLatin1Char('@'), 0, 0).section(QLatin1Char(':'), 0, 0);
    if (user.isEmpty() || user.size() > 15)
        return {};
    for (const QChar c : user) {
        if (!c.isDigit())
            return {};
    }
    return QLatin1Char('+') + user;
}
} // namespace

InboundProcessor::InboundProcessor(Database &database, EventBus *events, MessagingSettings settings, const Clock &clock)
    : m_database(database)
    , m_events(events)
    , m_settings(std::move(settings))
    , m_clock(clock)
{
}

InboundProcessor::Keyword InboundProcessor::classify(const QString &body) const
{
    const QString word = body.trimmed().toUpper();
    if (word.isEmpty() || word.size() > 20)
        return Keyword::None;
    for (const QString &k : m_settings.optOutKeywords) {
        if (word == k.toUpper())
            return Keyword::OptOut;
    }
    for (const QString &k : m_settings.optInKeywords) {
        if (word == k.toUpper())
            return Keyword::OptIn;
    }
    return Keyword::None;
}

void InboundProcessor::onMessage(const QString &organizationId, const QString &clientId, const QJsonObject &message,
                                 const MessageSender *sender)
{
    const QString waId = message.value(QStringLiteral("id")).toString();
    const bool fromMe = message.value(QStringLiteral("fromMe")).toBool();
    const QString body = message.value(QStringLiteral("body")).toString();
    const QString chat = message.value(fromMe ? QStringLiteral("to") : QStringLiteral("from")).toString();
    const QString phone = phoneOfChat(chat);
    if (waId.isEmpty() || phone.isEmpty())
        return; // groups, status broadcasts and system messages are not stored (yet)
    if (fromMe && sender && sender->inFlightChat() == chat && sender->inFlightBody() == body)
        return; // the echo of the send in flight: the sender records it with its id

    const qint64 now = m_clock.nowMs();
    const qint64 t = message.value(QStringLiteral("t")).toDouble() > 0 ? qint64(message.value(QStringLiteral("t")).toDouble()) * 1000 : now;
    if (fromMe) {
        SqlRunner sql(m_database);
        Result<std::optional<MessageRecord>> known = MessageRepository(sql).findByWaId(clientId, waId);
        if (!known || known.value())
            return; // ours, already recorded
    }
    // Refuses the change (rolls it back) when this WhatsApp id is stored already: not a failure.
    const QString kStoredAlready = QStringLiteral("stored_already");
    Status stored = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        ContactRepository contacts(write.sql, write.clock);
        MessageRepository messages(write.sql);
        Result<ContactRecord> contact = contacts.upsert(organizationId, phone, chat);
        if (!contact)
            return contact.error();
        MessageRecord m;
        m.id = Ids::make("msg");
        m.organizationId = organizationId;
        m.clientId = clientId;
        m.contactId = contact.value().id;
        m.direction = fromMe ? MessageDirection::Outbound : MessageDirection::Inbound;
        m.body = body;
        m.status = fromMe ? MessageStatus::Sent : MessageStatus::Received;
        m.waMessageId = waId;
        m.createdAt = t;
        m.sentAt = t;
        m.updatedAt = now;
        Result<bool> inserted = messages.insertIfNew(m);
        if (!inserted)
            return inserted.error();
        if (!inserted.value())
            return DomainError::conflict(QStringLiteral("message stored already"), kStoredAlready); // delivered twice: stored once
        if (!fromMe) {
            const Keyword keyword = classify(body);
            ContactRecord c = contact.value();
            if ((keyword == Keyword::OptOut && !c.optedOut) || (keyword == Keyword::OptIn && c.optedOut)) {
                c.optedOut = keyword == Keyword::OptOut;
                c.optedOutAt = c.optedOut ? now : 0;
                c.updatedAt = now;
                if (Status s = contacts.update(c); !s)
                    return s;
                AuditEntry entry;
                entry.organizationId = organizationId;
                entry.action = c.optedOut ? QStringLiteral("contact_opted_out") : QStringLiteral("contact_opted_in");
                entry.resource = QStringLiteral("contacts");
                entry.resourceId = c.id;
                entry.details = QJsonObject{{QStringLiteral("phone_number"), phone}, {QStringLiteral("keyword"), body.trimmed()},
                                            {QStringLiteral("clientId"), clientId}};
                if (Status s = write.audit.append(entry); !s)
                    return s;
            }
            MessageEventData received;
            received.messageId = m.id;
            received.clientId = clientId;
            received.counterpart = phone;
            received.body = body;
            received.at = t;
            if (Status s = write.events.record(MessageEvents::received(organizationId, received, write.clock)); !s)
                return s;
        }
        return {};
    }, m_clock);
    if (!stored && stored.error().code != kStoredAlready)
        spdlog::warn("client {}: incoming message {} not stored: {}", clientId.toStdString(), waId.toStdString(),
                     stored.error().message.toStdString());
}

void InboundProcessor::onAck(const QString &organizationId, const QString &clientId, const QJsonObject &ack)
{
    const int level = ack.value(QStringLiteral("ack")).toInt();
    if (level != -1 && level < 2)
        return; // 0 pending, 1 sent: nothing beyond what the send itself recorded
    const qint64 now = m_clock.nowMs();
    SqlRunner sql(m_database);
    MessageRepository messages(sql);
    EventLog events(sql, m_events);
    Transaction tx(m_database);
    if (!tx.begin())
        return;
    for (const QJsonValue &id : ack.value(QStringLiteral("ids")).toArray()) {
        Result<std::optional<MessageRecord>> moved = messages.applyAck(clientId, id.toString(), level, now);
        if (!moved)
            return;
        if (!moved.value())
            continue;
        const MessageRecord &m = *moved.value();
        MessageEventData outcome;
        outcome.messageId = m.id;
        outcome.clientId = clientId;
        outcome.counterpart = m.contactPhone;
        outcome.at = now;
        Event event;
        if (m.status == MessageStatus::Failed) {
            outcome.reason = QStringLiteral("WhatsApp reported the message as failed");
            event = MessageEvents::failed(organizationId, outcome, m_clock);
        } else if (m.status == MessageStatus::Read) {
            event = MessageEvents::read(organizationId, outcome, m_clock);
        } else {
            event = MessageEvents::delivered(organizationId, outcome, m_clock);
        }
        if (!events.record(event))
            return;
    }
    if (tx.commit())
        events.publishRecorded();
}

} // namespace wadesk

#include "core/messaging/OutboundAcks.h"

#include "core/db/SqlRunner.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/journal/OutageJournal.h"
#include "core/messaging/MessageRepository.h"

#include <QJsonArray>
#include <QSet>
#include <algorithm>
#include <optional>
#include <spdlog/spdlog.h>

namespace wadesk {

QString ackFailureReason(int ack)
{
    switch (ack) {
    case -2: return QStringLiteral("WhatsApp refused the message: it expired before it could be sent");
    case -3: return QStringLiteral("WhatsApp refused the message: its media is no longer available");
    case -4: return QStringLiteral("WhatsApp refused the message: the file is too big");
    case -5: return QStringLiteral("WhatsApp refused the message: the file could not be uploaded");
    case -6: return QStringLiteral("WhatsApp refused the message: the chat is inactive");
    case -7: return QStringLiteral("WhatsApp refused the message: the recipient's app is too old");
    default: return QStringLiteral("WhatsApp refused the message");
    }
}

JournalRecord ackRecord(const QString &organizationId, const QString &clientId, const QString &waId, int ack, qint64 at)
{
    JournalRecord r;
    r.kind = QStringLiteral("ack");
    r.organizationId = organizationId;
    r.clientId = clientId;
    r.at = at;
    r.data = QJsonObject{{QStringLiteral("ack"), ack}, {QStringLiteral("ids"), QJsonArray{waId}}};
    return r;
}

OutboundAcks::OutboundAcks(Database &database, EventBus *events, const Clock &clock, Limits limits, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_events(events)
    , m_clock(clock)
    , m_limits(limits)
{
    m_retry.setInterval(std::max(10, m_limits.retryMs));
    connect(&m_retry, &QTimer::timeout, this, &OutboundAcks::retry);
}

void OutboundAcks::onAck(const QString &organizationId, const QString &clientId, const QJsonObject &ack)
{
    const QJsonValue levelValue = ack.value(QStringLiteral("ack"));
    if (!levelValue.isDouble())
        return;
    const int level = levelValue.toInt();
    if (level >= 0 && level < 2)
        return; // 0 pending, 1 sent: nothing beyond what the send itself records
    for (const QJsonValue &id : ack.value(QStringLiteral("ids")).toArray()) {
        const QString waId = id.toString();
        if (waId.isEmpty() || waId.size() > 200 || waId.contains(QChar(0)))
            continue; // not an id the page makes (and a NUL would break a PostgreSQL statement)
        // Something already held for this id goes first: acks apply in the order they came.
        if (m_held.contains(clientId))
            drain(clientId, waId);
        const auto held = m_held.constFind(clientId);
        const bool waiting = held != m_held.constEnd()
            && std::any_of(held->cbegin(), held->cend(), [&](const Held &h) { return h.waId == waId; });
        if (waiting) {
            hold(organizationId, clientId, waId, level);
            continue;
        }
        switch (apply(organizationId, clientId, waId, level)) {
        case Outcome::Applied: break;
        case Outcome::Unknown:
            hold(organizationId, clientId, waId, level);
            break;
        case Outcome::Error: // the database is away: journaled (or tried again with the held ones)
            if (!m_journal || !m_journal->append(ackRecord(organizationId, clientId, waId, level, m_clock.nowMs())))
                hold(organizationId, clientId, waId, level);
            break;
        }
    }
}

OutboundAcks::Replayed OutboundAcks::replay(const QString &organizationId, const QString &clientId, const QJsonObject &ack)
{
    const QJsonValue levelValue = ack.value(QStringLiteral("ack"));
    if (!levelValue.isDouble())
        return Replayed::Applied;
    const int level = levelValue.toInt();
    for (const QJsonValue &id : ack.value(QStringLiteral("ids")).toArray()) {
        const QString waId = id.toString();
        if (waId.isEmpty() || waId.size() > 200 || waId.contains(QChar(0)))
            continue;
        switch (apply(organizationId, clientId, waId, level)) {
        case Outcome::Applied: break;
        case Outcome::Unknown: hold(organizationId, clientId, waId, level); break;
        case Outcome::Error: return Replayed::DatabaseDown;
        }
    }
    return Replayed::Applied;
}

void OutboundAcks::onRecorded(const QString &clientId, const QString &waMessageId)
{
    if (!waMessageId.isEmpty() && m_held.contains(clientId))
        drain(clientId, waMessageId);
}

void OutboundAcks::forget(const QString &clientId)
{
    m_held.remove(clientId);
    if (m_held.isEmpty())
        m_retry.stop();
}

int OutboundAcks::heldCount(const QString &clientId) const
{
    if (!clientId.isEmpty())
        return int(m_held.value(clientId).size());
    int n = 0;
    for (const auto &held : m_held)
        n += int(held.size());
    return n;
}

OutboundAcks::Outcome OutboundAcks::apply(const QString &organizationId, const QString &clientId, const QString &waId, int ack)
{
    const qint64 now = m_clock.nowMs();
    SqlRunner sql(m_database);
    MessageRepository messages(sql);
    EventLog events(sql, m_events);
    Transaction tx(m_database);
    if (!tx.begin())
        return Outcome::Error;
    Result<std::optional<MessageRecord>> known = messages.findByWaId(clientId, waId);
    if (!known)
        return Outcome::Error;
    if (!known.value())
        return Outcome::Unknown;
    Result<std::optional<MessageRecord>> moved = messages.applyAck(clientId, waId, ack, now);
    if (!moved)
        return Outcome::Error;
    if (!moved.value())
        return Outcome::Applied; // not ours, or nothing new (a status never goes back)
    const MessageRecord &m = *moved.value();
    MessageEventData outcome = messageEventData(m, now);
    Event event;
    if (m.status == MessageStatus::Failed) {
        outcome.reason = m.failureReason;
        event = MessageEvents::failed(organizationId, outcome, m_clock);
    } else if (m.status == MessageStatus::Read) {
        event = MessageEvents::read(organizationId, outcome, m_clock);
    } else {
        event = MessageEvents::delivered(organizationId, outcome, m_clock);
    }
    if (!events.record(event))
        return Outcome::Error;
    if (!tx.commit())
        return Outcome::Error;
    events.publishRecorded();
    return Outcome::Applied;
}

void OutboundAcks::hold(const QString &organizationId, const QString &clientId, const QString &waId, int ack)
{
    std::deque<Held> &held = m_held[clientId];
    if (int(held.size()) >= m_limits.maxHeldPerClient) {
        spdlog::warn("client {}: too many acks wait for their message; dropped the oldest ({})", clientId.toStdString(),
                     held.front().waId.toStdString());
        held.pop_front();
    }
    held.push_back(Held{organizationId, waId, ack, m_clock.nowMs()});
    if (!m_retry.isActive())
        m_retry.start();
}

void OutboundAcks::drain(const QString &clientId, const QString &waId)
{
    auto it = m_held.find(clientId);
    if (it == m_held.end())
        return;
    const qint64 now = m_clock.nowMs();
    // Taken out first: applying publishes events, and a listener may come back here.
    std::deque<Held> pending;
    pending.swap(it.value());
    // The periodic look asks once which of the held ids exist now (old acks, e.g. receipts for
    // messages from before WaDesk, may wait here by the hundred).
    std::optional<QSet<QString>> known;
    if (waId.isEmpty()) {
        QStringList ids;
        for (const Held &h : pending)
            ids << h.waId;
        SqlRunner sql(m_database);
        Result<QSet<QString>> found = MessageRepository(sql).knownWaIds(clientId, ids);
        if (found)
            known = found.value();
    }
    std::deque<Held> kept;
    QSet<QString> blocked; // ids with an earlier ack still waiting: later ones wait behind it
    for (Held &h : pending) {
        if (blocked.contains(h.waId) || (!waId.isEmpty() && h.waId != waId)) {
            kept.push_back(std::move(h));
            continue;
        }
        const Outcome outcome = known && !known->contains(h.waId) ? Outcome::Unknown : apply(h.organizationId, clientId, h.waId, h.ack);
        if (outcome == Outcome::Applied)
            continue;
        if (now - h.heldAt >= m_limits.holdMs) {
            spdlog::debug("client {}: ack {} for {} dropped: no message of this client has that id", clientId.toStdString(), h.ack,
                         h.waId.toStdString());
            continue;
        }
        blocked.insert(h.waId);
        kept.push_back(std::move(h));
    }
    std::deque<Held> &slot = m_held[clientId];
    // Whatever was held meanwhile (by a listener) came after these.
    for (Held &h : slot)
        kept.push_back(std::move(h));
    slot.swap(kept);
    if (slot.empty())
        m_held.remove(clientId);
    if (m_held.isEmpty())
        m_retry.stop();
}

void OutboundAcks::retry()
{
    const QStringList clients = m_held.keys();
    for (const QString &clientId : clients)
        drain(clientId, QString());
}

} // namespace wadesk

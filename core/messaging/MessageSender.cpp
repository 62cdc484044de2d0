#include "core/messaging/MessageSender.h"

#include "core/messaging/LeasedQueue.h"

#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/common/Json.h"
#include "core/common/RuntimeMetrics.h"
#include "core/db/SqlRunner.h"
#include "core/media/MediaLibrary.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/MessageTransport.h"
#include "core/messaging/SendOutcomes.h"
#include "core/journal/OutageJournal.h"

#include <QDateTime>
#include <QPointer>
#include <algorithm>
#include <spdlog/spdlog.h>

namespace wadesk {

MessageSender::MessageSender(Database &database, EventBus *events, QString organizationId, QString clientId,
                             MessageTransport &transport, MessagingSettings settings, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_events(events)
    , m_organizationId(std::move(organizationId))
    , m_clientId(std::move(clientId))
    , m_transport(transport)
    , m_settings(std::move(settings))
    , m_tiers(m_settings.defaultTiers)
    , m_pacing(m_settings.pacing)
    , m_health(m_settings.healthWindow, m_settings.healthMaxFailures)
    , m_clock(clock)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &MessageSender::next);
}

MessageSender::~MessageSender()
{
    if (!m_unrecorded.isEmpty()) {
        spdlog::error("client {}: {} send outcomes were never stored; those messages stay `sending` until the next start",
                      m_clientId.toStdString(), m_unrecorded.size());
        RuntimeMetrics::instance().addUnrecordedOutcomes(-int(m_unrecorded.size()));
    }
}

void MessageSender::setPaused(bool paused)
{
    m_paused = paused;
    if (!paused) {
        m_health.reset();
        wake();
    }
}

void MessageSender::setTiers(const RateTiers &tiers)
{
    const bool changed = tiers.perMinute != m_tiers.perMinute || tiers.perHour != m_tiers.perHour || tiers.perDay != m_tiers.perDay;
    m_tiers = tiers;
    if (changed)
        recheck();
}

void MessageSender::wake()
{
    if (!m_busy && !m_timer.isActive())
        QTimer::singleShot(0, this, &MessageSender::next);
}

void MessageSender::recheck()
{
    // A wait scheduled for the old tiers (up to an hour) would otherwise stand.
    if (!m_busy)
        m_timer.start(0);
}

void MessageSender::scheduleAt(qint64 when)
{
    const qint64 wait = std::max<qint64>(0, when - m_clock.nowMs());
    m_timer.start(int(std::min<qint64>(wait, 60 * 60 * 1000)));
}

namespace {
// How soon the sender looks again after the database failed it: the connection's own backoff
// (up to 1 s, Database::connection) decides how often it really tries, so the queue moves again
// about a second after the database is back.
constexpr int kDatabaseRetryMs = 1000;
// Outcomes kept while they cannot be stored; one is a few hundred bytes, and a sender that
// cannot store any stops claiming new messages, so this bound is only reached by a long outage
// with many sends in flight.
constexpr int kMaxUnrecordedOutcomes = 1000;
} // namespace

void MessageSender::next()
{
    if (m_busy)
        return;
    const qint64 now = m_clock.nowMs();
    // Outcomes the database could not take first: until they are stored, no new message is
    // claimed (the database is not there to claim it from anyway).
    if (!recordPending()) {
        scheduleAt(now + kDatabaseRetryMs);
        return;
    }
    if (m_paused || !m_transport.isReady())
        return;
    if (now < m_notBefore) {
        scheduleAt(m_notBefore);
        return;
    }
    SqlRunner sql(m_database);
    MessageRepository messages(sql);
    Result<QList<qint64>> times = messages.sendTimesSince(m_clientId, now - RateLimiter::kDay);
    if (!times) {
        scheduleAt(now + kDatabaseRetryMs); // the database hiccuped: try again shortly
        return;
    }
    const RateState rate = RateLimiter::evaluate(m_tiers, times.value(), now);
    RuntimeMetrics::instance().setTierUse(m_clientId, {rate.minute.used, rate.hour.used, rate.day.used},
                                          {rate.minute.limit, rate.hour.limit, rate.day.limit});
    if (!rate.allowed) {
        spdlog::debug("client {}: rate tier reached, next send at {}", m_clientId.toStdString(), rate.nextAllowedAt);
        scheduleAt(rate.nextAllowedAt);
        return;
    }

    Transaction tx(m_database);
    if (!tx.begin()) {
        scheduleAt(now + kDatabaseRetryMs);
        return;
    }
    Result<std::optional<MessageRecord>> claimed = m_fence ? claimNextUnderLease(sql, m_clientId, now, *m_fence)
                                                                : messages.claimNext(m_clientId, now);
    if (!claimed || !tx.commit()) {
        scheduleAt(now + kDatabaseRetryMs);
        return;
    }
    if (!claimed.value())
        return; // the queue is empty: wait for the next wake()
    m_busy = true;
    const MessageRecord message = *claimed.value();
    m_inFlightId = message.id;
    // The contact may have opted out after this message was accepted: it is not sent.
    ContactRepository contacts(sql, m_clock);
    Result<std::optional<ContactRecord>> contact = contacts.find(message.organizationId, message.contactId);
    if (contact && contact.value() && contact.value()->optedOut) {
        finish(message.id, QString(), QStringLiteral("the contact opted out"), false);
        return;
    }
    const QString chat = message.contactWaId.isEmpty() ? chatIdForPhone(message.contactPhone) : message.contactWaId;
    QPointer<MessageSender> self(this);
    if (m_settings.checkNumberExists && message.contactWaId.isEmpty()) {
        m_transport.queryExists(chat, [self, message, chat](bool ok, bool exists, const QString &error) {
            if (!self)
                return;
            if (!ok) {
                self->finish(message.id, QString(), QStringLiteral("could not check the number: ") + error);
                return;
            }
            if (!exists) {
                self->finish(message.id, QString(), QStringLiteral("the number is not on WhatsApp"));
                return;
            }
            SqlRunner sql(self->m_database);
            ContactRepository contacts(sql, self->m_clock);
            // Only remembers the chat id for the next send; this send goes on without it.
            if (Result<ContactRecord> stored = contacts.upsert(message.organizationId, message.contactPhone, chat); !stored)
                spdlog::warn("message {}: cannot store the contact's chat id: {}", message.id.toStdString(),
                             stored.error().message.toStdString());
            self->sendClaimed(message);
        });
        return;
    }
    sendClaimed(message);
}

void MessageSender::sendClaimed(const MessageRecord &message)
{
    const QString chat = message.contactWaId.isEmpty() ? chatIdForPhone(message.contactPhone) : message.contactWaId;
    const int typing = m_pacing.typingMs(message.body.size());
    QPointer<MessageSender> self(this);
    auto send = [self, message, chat]() {
        if (!self)
            return;
        if (!self->m_transport.isReady()) {
            self->finish(message.id, QString(), QStringLiteral("the session was not ready"));
            return;
        }
        self->transmit(message, chat);
    };
    if (typing > 0) {
        m_transport.markComposing(chat, typing);
        QTimer::singleShot(typing, this, send);
    } else {
        send();
    }
}

namespace {
// wa-js's sendFileMessage `type` for a message type (a voice note is audio sent with isPtt).
QString waFileType(const QString &messageType)
{
    if (messageType == QLatin1String("image") || messageType == QLatin1String("video") || messageType == QLatin1String("sticker")
        || messageType == QLatin1String("document"))
        return messageType;
    if (messageType == QLatin1String("audio") || messageType == QLatin1String("voice"))
        return QStringLiteral("audio");
    return QStringLiteral("document");
}
} // namespace

void MessageSender::transmit(const MessageRecord &message, const QString &chat)
{
    QPointer<MessageSender> self(this);
    auto done = [self, message](bool ok, const QString &waId, const QString &error) {
        if (self)
            self->finish(message.id, waId, ok ? QString() : (error.isEmpty() ? QStringLiteral("send failed") : error));
    };
    if (message.mediaId.isEmpty()) {
        m_inFlightChat = chat;
        m_inFlightBody = message.body;
        m_transport.sendText(chat, message.body, done);
        return;
    }
    // A file that cannot be read never reaches WhatsApp: it says nothing of the account's health.
    if (!m_media) {
        finish(message.id, QString(), QStringLiteral("media storage unavailable"), false);
        return;
    }
    Result<MediaInfo> info = m_media->info(message.organizationId, message.mediaId);
    Result<QByteArray> bytes = info ? m_media->readAll(message.organizationId, message.mediaId) : Result<QByteArray>(info.error());
    if (!bytes) {
        const DomainError &e = bytes.error();
        finish(message.id, QString(),
               e.httpStatus == 404 ? QStringLiteral("the media %1 is no longer stored").arg(message.mediaId)
                                   : QStringLiteral("cannot read the media %1: %2").arg(message.mediaId, e.message),
               false);
        return;
    }
    OutgoingFile file;
    file.bytes = bytes.value();
    file.mimetype = info.value().mimetype;
    file.type = waFileType(message.type);
    file.caption = message.caption;
    file.filename = message.filename.isEmpty() ? info.value().filename : message.filename;
    file.voiceNote = message.type == QLatin1String("voice");
    m_inFlightChat = chat;
    m_inFlightBody = message.body;
    m_transport.sendFile(chat, file, done);
}

void MessageSender::finish(const QString &messageId, const QString &waId, const QString &error, bool attempted)
{
    const qint64 now = m_clock.nowMs();
    m_inFlightChat.clear();
    m_inFlightBody.clear();
    m_inFlightId.clear();
    const bool ok = error.isEmpty();
    const Outcome outcome{messageId, waId, error, now};
    RuntimeMetrics::instance().countSend(m_clientId, ok);
    // The page has answered: what it said is kept until the database takes it, so that a send
    // that went out during an outage does not stay `sending` (or is resent) for good.
    // Behind what the journal holds (order kept); into it when the database cannot take it now.
    const bool journalWaits = m_journal && !m_journal->isEmpty();
    const bool stored = !journalWaits && m_unrecorded.isEmpty() && record(outcome);
    const bool journaled = !stored && m_journal && m_unrecorded.isEmpty() && m_journal->append(sendOutcomeRecord(outcome));
    if (journaled) {
        spdlog::warn("client {}: the outcome of message {} is journaled until the database takes it", m_clientId.toStdString(),
                     messageId.toStdString());
    } else if (!stored) {
        if (m_unrecorded.size() >= kMaxUnrecordedOutcomes) {
            const Outcome dropped = m_unrecorded.takeFirst();
            RuntimeMetrics::instance().addUnrecordedOutcomes(-1);
            spdlog::error("client {}: too many send outcomes waiting for the database; message {} stays `sending` until the next start",
                          m_clientId.toStdString(), dropped.messageId.toStdString());
        }
        m_unrecorded.append(outcome);
        RuntimeMetrics::instance().addUnrecordedOutcomes(1);
        spdlog::warn("client {}: the outcome of message {} is kept until the database takes it", m_clientId.toStdString(),
                     messageId.toStdString());
    }
    if (!ok)
        spdlog::warn("client {}: message {} failed: {}", m_clientId.toStdString(), messageId.toStdString(), error.toStdString());

    m_busy = false;
    if (attempted)
        m_notBefore = now + m_pacing.gapMs();
    emit messageFinished(messageId, ok ? QStringLiteral("sent") : QStringLiteral("failed"));
    if (stored && !waId.isEmpty())
        emit waMessageIdRecorded(waId);
    if (attempted && m_health.record(ok)) {
        emit healthTripped(QStringLiteral("%1 of the last %2 sends failed").arg(m_health.failures()).arg(m_settings.healthWindow));
        if (!stored)
            scheduleAt(now + kDatabaseRetryMs); // paused, but what the page said still goes in
        return;
    }
    scheduleAt(stored ? m_notBefore : std::max(m_notBefore, now + kDatabaseRetryMs));
}

bool MessageSender::answersFor(const QString &messageId) const
{
    if (m_inFlightId == messageId)
        return true;
    return std::any_of(m_unrecorded.cbegin(), m_unrecorded.cend(), [&](const Outcome &o) { return o.messageId == messageId; });
}

bool MessageSender::recordPending()
{
    while (!m_unrecorded.isEmpty()) {
        const Outcome outcome = m_unrecorded.first();
        if (!record(outcome))
            return false;
        m_unrecorded.removeFirst();
        RuntimeMetrics::instance().addUnrecordedOutcomes(-1);
        spdlog::info("client {}: the outcome of message {} is stored after the database came back", m_clientId.toStdString(),
                     outcome.messageId.toStdString());
        if (!outcome.waId.isEmpty())
            emit waMessageIdRecorded(outcome.waId);
    }
    return true;
}

JournalRecord MessageSender::sendOutcomeRecord(const Outcome &outcome) const
{
    JournalRecord r;
    r.kind = QStringLiteral("send_outcome");
    r.organizationId = m_organizationId;
    r.clientId = m_clientId;
    r.at = outcome.at;
    r.data = QJsonObject{{QStringLiteral("message_id"), outcome.messageId},
                         {QStringLiteral("wa_id"), outcome.waId},
                         {QStringLiteral("error"), outcome.error}};
    return r;
}

bool MessageSender::record(const Outcome &outcome)
{
    const Status stored = recordSendOutcome(m_database, m_events, m_clock, m_organizationId, m_clientId, outcome);
    if (!stored)
        spdlog::error("client {}: could not store the outcome of message {}: {}", m_clientId.toStdString(),
                      outcome.messageId.toStdString(), stored.error().message.toStdString());
    return stored.ok();
}

} // namespace wadesk

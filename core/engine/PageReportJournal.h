#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/journal/OutageJournal.h"
#include "core/messaging/InboundProcessor.h"
#include "core/sessions/SessionControl.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>
#include <functional>
#include <optional>

namespace wadesk {

class Database;
class EventBus;
class MessageSender;
class OutboundAcks;
class SessionRecorder;

// What the pages report (acks, received messages, state changes; the senders journal their own
// outcomes) goes through here on the main thread: straight to the database when it takes it,
// and into the OutageJournal when it cannot (a 503-class failure), or when the journal still
// holds something (a report never overtakes an earlier one). While the journal is not empty it
// is replayed every `retryMs`, in order, each record in its own transaction; records are
// idempotent, so one applied again after a crash changes nothing:
//
// - ack: a status never goes back;
// - message: a WhatsApp id is stored once per client;
// - send_outcome: a message no longer `sending` is left alone;
// - state: a client row that shows this state since this time already is left alone.
class PageReportJournal final : public QObject {
    Q_OBJECT
public:
    PageReportJournal(OutageJournal &journal, Database &database, EventBus *events, SessionRecorder &recorder,
                      InboundProcessor &inbound, OutboundAcks &acks, const Clock &clock = Clock::system(), int retryMs = 1000,
                      QObject *parent = nullptr);

    // A replayed received message carries a file to fetch from its client's page (which may be
    // gone; then failPendingMedia settles it when the client starts again).
    void setMediaRequested(std::function<void(const QString &organizationId, const QString &clientId, const InboundMediaRequest &)> f)
    {
        m_mediaRequested = std::move(f);
    }
    // A replayed send outcome stored its WhatsApp id (held acks may apply now).
    void setRecorded(std::function<void(const QString &clientId, const QString &waId)> f) { m_recorded = std::move(f); }

    void ack(const QString &organizationId, const QString &clientId, const QJsonObject &ack);
    std::optional<InboundMediaRequest> message(const QString &organizationId, const QString &clientId, const QJsonObject &message,
                                               const MessageSender *sender);
    void state(const SessionSnapshot &snapshot, SessionState previous);

    // Applies what the journal holds, oldest first, until the database fails again. Returns how
    // many records left it. Called at start (before any session runs) and by the retry timer.
    int replay();
    int depth() const { return m_journal.depth(); }
    OutageJournal &journal() { return m_journal; }

    static JournalRecord stateRecord(const SessionSnapshot &snapshot, SessionState previous, qint64 at);

private:
    bool keep(const JournalRecord &record);
    OutageJournal::Step apply(const JournalRecord &record);
    void armRetry();

    OutageJournal &m_journal;
    Database &m_database;
    EventBus *m_events;
    SessionRecorder &m_recorder;
    InboundProcessor &m_inbound;
    OutboundAcks &m_acks;
    const Clock &m_clock;
    QTimer m_retry;
    std::function<void(const QString &, const QString &, const InboundMediaRequest &)> m_mediaRequested;
    std::function<void(const QString &, const QString &)> m_recorded;
};

// The failure is the database being away or refusing writes for now (503 database_unavailable,
// database_full, database_read_only, database_io_error), not a statement gone wrong.
bool isDatabaseOutage(const DomainError &error);

} // namespace wadesk

#include "core/engine/PageReportJournal.h"

#include "core/db/SqlRunner.h"
#include "core/messaging/OutboundAcks.h"
#include "core/sessions/ClientRepository.h"
#include "core/messaging/SendOutcomes.h"
#include "core/sessions/SessionRecorder.h"

#include <spdlog/spdlog.h>

namespace wadesk {

namespace {

const QString kAck = QStringLiteral("ack");
const QString kMessage = QStringLiteral("message");
const QString kState = QStringLiteral("state");
const QString kSendOutcome = QStringLiteral("send_outcome");

} // namespace

bool isDatabaseOutage(const DomainError &error)
{
    // database_full, database_read_only and database_io_error too: a report the disk refused is
    // kept and stored once it takes writes again, like one that met a server away.
    return error.httpStatus == 503 && error.code.startsWith(QLatin1String("database_"));
}

PageReportJournal::PageReportJournal(OutageJournal &journal, Database &database, EventBus *events, SessionRecorder &recorder,
                                     InboundProcessor &inbound, OutboundAcks &acks, const Clock &clock, int retryMs, QObject *parent)
    : QObject(parent)
    , m_journal(journal)
    , m_database(database)
    , m_events(events)
    , m_recorder(recorder)
    , m_inbound(inbound)
    , m_acks(acks)
    , m_clock(clock)
{
    m_retry.setInterval(std::max(10, retryMs));
    connect(&m_retry, &QTimer::timeout, this, [this]() {
        replay();
    });
    // The senders journal their own outcomes: the timer runs whenever the journal may hold any.
    m_retry.start();
}

void PageReportJournal::armRetry()
{
    if (!m_retry.isActive())
        m_retry.start();
}

bool PageReportJournal::keep(const JournalRecord &record)
{
    const bool kept = m_journal.append(record);
    if (kept)
        spdlog::warn("client {}: the database cannot take a {} report now: journaled ({} waiting)", record.clientId.toStdString(),
                     record.kind.toStdString(), m_journal.depth());
    armRetry();
    return kept;
}

void PageReportJournal::ack(const QString &organizationId, const QString &clientId, const QJsonObject &ack)
{
    if (!m_journal.isEmpty()) {
        if (keep(JournalRecord{kAck, organizationId, clientId, m_clock.nowMs(), ack}))
            return;
    }
    // Per id: one the database fails goes to the journal from there (OutboundAcks::setJournal).
    m_acks.onAck(organizationId, clientId, ack);
}

std::optional<InboundMediaRequest> PageReportJournal::message(const QString &organizationId, const QString &clientId,
                                                              const QJsonObject &message, const MessageSender *sender)
{
    const JournalRecord record{kMessage, organizationId, clientId, m_clock.nowMs(), message};
    if (!m_journal.isEmpty() && keep(record))
        return std::nullopt;
    Status failure;
    std::optional<InboundMediaRequest> file = m_inbound.onMessage(organizationId, clientId, message, sender, &failure);
    if (!failure.ok() && isDatabaseOutage(failure.error()))
        keep(record);
    return file;
}

void PageReportJournal::state(const SessionSnapshot &snapshot, SessionState previous)
{
    const JournalRecord record = stateRecord(snapshot, previous, m_clock.nowMs());
    if (!m_journal.isEmpty() && keep(record))
        return;
    const Status s = m_recorder.recordTransition(snapshot, previous);
    if (s.ok())
        return;
    if (isDatabaseOutage(s.error()) && keep(record))
        return;
    spdlog::error("client {}: cannot store its state {}: {}", snapshot.clientId.toStdString(),
                  SessionStates::name(snapshot.state).toStdString(), s.error().message.toStdString());
}

JournalRecord PageReportJournal::stateRecord(const SessionSnapshot &snapshot, SessionState previous, qint64 at)
{
    JournalRecord r;
    r.kind = kState;
    r.organizationId = snapshot.organizationId;
    r.clientId = snapshot.clientId;
    r.at = at;
    r.data = QJsonObject{{QStringLiteral("state"), SessionStates::name(snapshot.state)},
                         {QStringLiteral("previous"), SessionStates::name(previous)},
                         {QStringLiteral("since"), double(snapshot.stateSince)},
                         {QStringLiteral("error"), snapshot.lastError},
                         {QStringLiteral("phone"), snapshot.phoneNumber}};
    return r;
}

int PageReportJournal::replay()
{
    if (m_journal.isEmpty())
        return 0;
    const int before = m_journal.depth();
    const int done = m_journal.replay([this](const JournalRecord &record) { return apply(record); });
    if (done > 0)
        spdlog::info("journal: {} of {} reports stored after the database came back ({} waiting)", done, before, m_journal.depth());
    return done;
}

OutageJournal::Step PageReportJournal::apply(const JournalRecord &r)
{
    using Step = OutageJournal::Step;
    if (r.kind == kAck) {
        return m_acks.replay(r.organizationId, r.clientId, r.data) == OutboundAcks::Replayed::Applied ? Step::Applied : Step::Retry;
    }
    if (r.kind == kMessage) {
        Status failure;
        const std::optional<InboundMediaRequest> file = m_inbound.onMessage(r.organizationId, r.clientId, r.data, nullptr, &failure);
        if (!failure.ok())
            return isDatabaseOutage(failure.error()) ? Step::Retry : Step::Drop;
        if (file && m_mediaRequested)
            m_mediaRequested(r.organizationId, r.clientId, *file);
        return Step::Applied;
    }
    if (r.kind == kState) {
        const std::optional<SessionState> state = SessionStates::fromName(r.data.value(QStringLiteral("state")).toString());
        const std::optional<SessionState> previous = SessionStates::fromName(r.data.value(QStringLiteral("previous")).toString());
        if (!state || !previous)
            return Step::Drop;
        SessionSnapshot snapshot;
        snapshot.clientId = r.clientId;
        snapshot.organizationId = r.organizationId;
        snapshot.state = *state;
        snapshot.stateSince = qint64(r.data.value(QStringLiteral("since")).toDouble());
        snapshot.lastError = r.data.value(QStringLiteral("error")).toString();
        snapshot.phoneNumber = r.data.value(QStringLiteral("phone")).toString();
        // Applied already (a crash came between the commit and the journal's own write): the row
        // shows this very state since this very time, and its event is not recorded twice.
        SqlRunner sql(m_database);
        Result<std::optional<ClientRecord>> stored = ClientRepository(sql).find(r.organizationId, r.clientId, ClientScope::all());
        if (!stored)
            return isDatabaseOutage(stored.error()) ? Step::Retry : Step::Drop;
        if (!stored.value())
            return Step::Drop; // the client is gone
        if (stored.value()->status == SessionStates::name(snapshot.state) && stored.value()->stateSince == snapshot.stateSince)
            return Step::Applied;
        const Status s = m_recorder.recordTransition(snapshot, *previous);
        if (s.ok())
            return Step::Applied;
        return isDatabaseOutage(s.error()) ? Step::Retry : Step::Drop;
    }
    if (r.kind == kSendOutcome) {
        SendOutcome outcome;
        outcome.messageId = r.data.value(QStringLiteral("message_id")).toString();
        outcome.waId = r.data.value(QStringLiteral("wa_id")).toString();
        outcome.error = r.data.value(QStringLiteral("error")).toString();
        outcome.at = r.at;
        if (outcome.messageId.isEmpty())
            return Step::Drop;
        const Status s = recordSendOutcome(m_database, m_events, m_clock, r.organizationId, r.clientId, outcome, true);
        if (!s.ok())
            return isDatabaseOutage(s.error()) ? Step::Retry : Step::Drop;
        if (!outcome.waId.isEmpty()) {
            if (m_recorded)
                m_recorded(r.clientId, outcome.waId);
            else
                m_acks.onRecorded(r.clientId, outcome.waId);
        }
        return Step::Applied;
    }
    return Step::Drop;
}

} // namespace wadesk

#include "core/messaging/SendReconciler.h"

#include "core/db/SqlRunner.h"
#include "core/messaging/InterruptedSends.h"
#include "core/messaging/MessageTransport.h"
#include "core/messaging/OutboundAcks.h"
#include "core/messaging/SendMatching.h"
#include "core/messaging/SendOutcomes.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <spdlog/spdlog.h>
#include <utility>

namespace wadesk {

SendReconciler::SendReconciler(Database &database, EventBus *events, OutboundAcks &acks, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_events(events)
    , m_acks(acks)
    , m_clock(clock)
{
}

bool SendReconciler::reconcile(const QString &clientId, const QList<MessageRecord> &stuck, MessageTransport &transport,
                               std::function<bool()> stillOwned, Done done)
{
    if (m_rounds.contains(clientId))
        return false;
    auto round = std::make_shared<Round>();
    round->clientId = clientId;
    round->stillOwned = std::move(stillOwned);
    round->done = std::move(done);
    for (const MessageRecord &m : stuck) {
        if (m.clientId != clientId)
            continue;
        round->byChat[m.contactWaId.isEmpty() ? chatIdForPhone(m.contactPhone) : m.contactWaId] << m;
    }
    if (round->byChat.isEmpty()) {
        if (round->done)
            round->done(Tally{});
        return true;
    }
    m_rounds.insert(clientId, round);
    round->waiting = int(round->byChat.size());
    const QStringList chats = round->byChat.keys();
    QPointer<SendReconciler> self(this);
    for (const QString &chat : chats) {
        const int count = kPageMessages + int(round->byChat.value(chat).size());
        transport.recentMessages(chat, count, [self, round, chat](bool ok, const QList<PageMessage> &messages, const QString &error) {
            if (ok)
                round->answers.insert(chat, messages);
            else
                spdlog::warn("client {}: the page could not list chat {} to reconcile its stuck sends ({}); tried again later",
                             round->clientId.toStdString(), chat.toStdString(), error.toStdString());
            if (--round->waiting == 0 && self)
                self->settle(round);
        });
    }
    return true;
}

QSet<QString> SendReconciler::idsOfOtherSends(SqlRunner &sql, const QString &clientId, const QStringList &ids)
{
    QSet<QString> out;
    MessageRepository messages(sql);
    Result<QSet<QString>> known = messages.knownWaIds(clientId, ids);
    if (!known)
        return QSet<QString>(ids.cbegin(), ids.cend()); // cannot tell: nothing is matched this round
    for (const QString &id : known.value()) {
        Result<std::optional<MessageRecord>> row = messages.findByWaId(clientId, id);
        // A row the page's report made (never claimed: no sending_at) is the echo of a send,
        // perhaps of the one looked for; recordSendOutcome takes its place.
        if (!row || !row.value() || row.value()->sendingAt > 0 || row.value()->direction != MessageDirection::Outbound)
            out.insert(id);
    }
    return out;
}

void SendReconciler::settle(const std::shared_ptr<Round> &round)
{
    m_rounds.remove(round->clientId);
    Tally tally;
    if (round->stillOwned && !round->stillOwned()) {
        spdlog::info("client {}: its session went away while its stuck sends were looked up; left for later",
                     round->clientId.toStdString());
        if (round->done)
            round->done(tally);
        return;
    }
    const QString &clientId = round->clientId;
    SqlRunner sql(m_database);
    QStringList pageIds;
    for (const QList<PageMessage> &page : std::as_const(round->answers)) {
        for (const PageMessage &p : page) {
            if (p.fromMe)
                pageIds << p.waId;
        }
    }
    const QSet<QString> taken = pageIds.isEmpty() ? QSet<QString>() : idsOfOtherSends(sql, clientId, pageIds);
    QList<MessageRecord> unmatched;
    for (auto it = round->byChat.cbegin(); it != round->byChat.cend(); ++it) {
        if (!round->answers.contains(it.key())) {
            tally.left += int(it.value().size());
            continue;
        }
        const QHash<QString, PageMessage> matches = matchStuckSends(it.value(), round->answers.value(it.key()), taken, kSkewMs);
        for (const MessageRecord &m : it.value()) {
            const auto match = matches.constFind(m.id);
            if (match == matches.constEnd()) {
                unmatched << m;
                continue;
            }
            const PageMessage &p = match.value();
            SendOutcome outcome{m.id, p.waId, p.ack < 0 ? ackFailureReason(p.ack) : QString(), m_clock.nowMs()};
            // `replayed`: a row no longer `sending` (a late outcome stored meanwhile) is left as
            // it is, so its message.sent / message.failed goes out once.
            if (Status s = recordSendOutcome(m_database, m_events, m_clock, m.organizationId, clientId, outcome, true); !s) {
                spdlog::error("client {}: message {} matched WhatsApp's {}, but it could not be stored ({}); tried again later",
                              clientId.toStdString(), m.id.toStdString(), p.waId.toStdString(), s.error().message.toStdString());
                ++tally.left;
                continue;
            }
            ++tally.sent;
            spdlog::info("client {}: message {} was left `sending`; its page sent it as {}: reconciled", clientId.toStdString(),
                         m.id.toStdString(), p.waId.toStdString());
            m_acks.onRecorded(clientId, p.waId);
            if (p.ack >= 2)
                m_acks.onAck(m.organizationId, clientId, QJsonObject{{QStringLiteral("ack"), p.ack}, {QStringLiteral("ids"), QJsonArray{p.waId}}});
        }
    }
    if (!unmatched.isEmpty()) {
        Result<int> failed = failSendsAsInterrupted(m_database, m_events, m_clock, unmatched);
        if (!failed) {
            spdlog::error("client {}: {} stuck sends not found on the page could not be failed ({}); tried again later",
                          clientId.toStdString(), unmatched.size(), failed.error().message.toStdString());
            tally.left += int(unmatched.size());
        } else {
            tally.failed = failed.value();
            for (const MessageRecord &m : unmatched)
                spdlog::warn("client {}: message {} was left `sending` and its page does not show it: failed as interrupted (not resent)",
                             clientId.toStdString(), m.id.toStdString());
        }
    }
    if (round->done)
        round->done(tally);
}

} // namespace wadesk

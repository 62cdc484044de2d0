#pragma once

#include "core/common/DomainError.h"

#include <QList>
#include <QString>
#include <optional>

namespace wadesk {

class Database;

// One conversation's message as the pairing reads it, in the pairing's order: created_at, then
// outbound before inbound in the same millisecond, then id.
struct PairingMessage {
    QString id;
    bool inbound = false;
    bool countsAsResponse = true; // false for a failed send or an automatic reply
    qint64 createdAt = 0;
    QString createdBy;
};

// A run of a conversation (docs/analytics.md "Response times"): it starts at an inbound message
// that opens the conversation or follows an outbound one; its response is the first outbound
// message, not failed, written after that first inbound message.
struct ResponseRun {
    qint64 startedAt = 0;
    QString startedId;
    std::optional<qint64> responseMs;
    QString responder;

    bool operator==(const ResponseRun &other) const
    {
        return startedAt == other.startedAt && startedId == other.startedId && responseMs == other.responseMs
               && responder == other.responder;
    }
};

// The response pairing, kept in the response_runs table so that analytics reads a row per run
// instead of pairing a million messages per request. The triggers of migration 0020 note in
// response_changes which conversation changed and from when; refresh() recomputes each noted
// conversation from the last run that began before the change (runs before it cannot move) and
// rewrites its runs after that point, in one transaction. Reads call refresh() first, so they are
// exact; a large backlog (a bulk load, the migration itself) is handled by rebuilding every run
// in one ordered pass instead of conversation by conversation.
class ResponseRuns {
public:
    explicit ResponseRuns(Database &database) : m_database(database) {}

    // The pairing rules, one place: `messages` in the pairing order, the state before the first
    // one being "no open run".
    static QList<ResponseRun> pair(const QList<PairingMessage> &messages);

    // Applies the noted changes; returns how many conversations were recomputed.
    Result<qint64> refresh();
    // Recomputes every run from the raw messages (wadesk analytics --repair).
    Result<qint64> rebuild();
    // The conversations whose stored runs differ from what their messages give, as
    // "client <id>, contact <id>: …" lines (wadesk analytics --verify); pending changes are
    // applied first.
    Result<QStringList> verify();

    static constexpr int kChangesPerRound = 5000;
    static constexpr int kRebuildBacklog = 50000; // more noted changes than this: rebuild

private:
    Result<qint64> refreshRound(bool *more);
    Result<qint64> rebuildLocked();

    Database &m_database;
};

} // namespace wadesk

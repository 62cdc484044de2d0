#pragma once

#include "core/common/DomainError.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace wadesk {

class Database;

// The command that stops a session where it runs and releases its lease, so that another
// instance takes it (a pin elsewhere, a draining instance).
inline const QString kHandOverCommand = QStringLiteral("hand_over");

// The session_commands table: a session request asked of one instance for a client another
// instance drives is written here for that owner, which runs it and writes the result back, where
// the asking instance reads it. Times are on the database's clock, like the leases'.
class SessionCommandQueue {
public:
    explicit SessionCommandQueue(Database &database) : m_database(database) {}

    struct Command {
        QString id;
        QString clientId;
        QString command;
        QJsonObject payload;
        qint64 ageMs = 0; // how long ago it was asked, on the database's clock
    };

    // Returns the new command's id.
    Result<QString> enqueue(const QString &clientId, const QString &targetInstance, const QString &command,
                            const QJsonObject &payload = {});
    // The commands for `instance` not done yet, oldest first.
    Result<QList<Command>> pendingFor(const QString &instance, int limit = 50);
    // Marks a command done with its result (once: a second completion changes nothing).
    Status complete(const QString &commandId, const QJsonObject &result);
    // The results of those of `commandIds` that are done.
    Result<QHash<QString, QJsonObject>> results(const QStringList &commandIds);
    // Deletes commands done more than `doneMs` ago, and those asked more than `askedMs` ago and
    // never done (for an instance that is gone); returns how many.
    Result<int> prune(qint64 doneMs, qint64 askedMs);

private:
    Database &m_database;
};

} // namespace wadesk

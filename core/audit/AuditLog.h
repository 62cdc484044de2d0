#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QJsonObject>
#include <optional>
#include <QList>
#include <QString>

namespace wadesk {

class Database;
class SqlRunner;

struct AuditEntry {
    QString id;
    QString organizationId;
    qint64 seq = 0;
    QString userId;       // empty for the system or an unknown caller
    QString action;       // "create_client", "login_failed", ...
    QString resource;     // "whatsapp_clients", "users", ...
    QString resourceId;
    QJsonObject details;
    QString ipAddress;
    qint64 createdAt = 0;
    QString prevHash;
    QString hash;
};

struct AuditQuery {
    QString userId;
    QString action;
    qint64 since = 0;
    qint64 until = 0;
    int limit = 50;
    int offset = 0;
    qint64 beforeSeq = 0; // keyset: only entries older than this one (seq descending); 0 = from the newest
};

// The append-only audit log. Each organization's entries form a hash chain: an entry's hash
// covers its content and the previous entry's hash, and audit_heads remembers the newest, so
// editing, deleting or truncating entries is detected by verify().
class AuditLog {
public:
    explicit AuditLog(SqlRunner &sql, const Clock &clock = Clock::system()) : m_sql(sql), m_clock(clock) {}

    // Call inside the caller's transaction so the entry commits with the change it records.
    Status append(AuditEntry entry);
    // The same for several entries (of one or more organizations), in order: each chain's head
    // is locked and moved once, and the entries go in with multi-row INSERTs.
    Status appendMany(QList<AuditEntry> entries);
    // For changes that have no transaction of their own: the entry alone, committed at once.
    static Status appendAlone(Database &database, const AuditEntry &entry, const Clock &clock = Clock::system());
    Result<QList<AuditEntry>> list(const QString &organizationId, const AuditQuery &query);
    // The seq of an entry of that organization (a list cursor); none for anything else.
    Result<std::optional<qint64>> position(const QString &organizationId, const QString &entryId);

    struct Verification {
        bool intact = true;
        int entries = 0;
        int organizations = 0;
        QString firstBadEntryId;
        QString organizationId;
        qint64 seq = 0;
        QString reason;
    };
    // Every organization's chain, or only `organizationId`'s when it is set (what an
    // organization's admin may check).
    Result<Verification> verify(const QString &organizationId = QString());

    static QString computeHash(const AuditEntry &entry);
    static QString genesisHash();

private:
    SqlRunner &m_sql;
    const Clock &m_clock;
};

} // namespace wadesk

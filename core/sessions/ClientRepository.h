#pragma once

#include "common/DomainError.h"

#include <QList>
#include <QString>
#include <optional>

namespace wadesk {

class SqlRunner;

struct ClientRecord {
    QString id;
    QString organizationId;
    QString name;
    QString phoneNumber; // E.164 or empty
    QString status = QStringLiteral("initializing");
    QString createdBy;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

// WhatsApp client records and who they are assigned to. Scoped by organization; with a
// `visibleTo` user id, only clients assigned to that user are seen.
class ClientRepository {
public:
    explicit ClientRepository(SqlRunner &sql) : m_sql(sql) {}

    Status insert(const ClientRecord &client); // 409 phone_number_taken
    Result<std::optional<ClientRecord>> find(const QString &organizationId, const QString &clientId,
                                             const QString &visibleTo = QString());
    Result<QList<ClientRecord>> list(const QString &organizationId, const QString &visibleTo, int limit, int offset);
    Result<int> count(const QString &organizationId, const QString &visibleTo);
    Result<bool> remove(const QString &organizationId, const QString &clientId);

    // Returns false when the assignment already existed.
    Result<bool> assign(const QString &organizationId, const QString &userId, const QString &clientId,
                        const QString &assignedBy, qint64 at);
    Result<bool> unassign(const QString &organizationId, const QString &userId, const QString &clientId);
    Result<QStringList> assignedClientIds(const QString &organizationId, const QString &userId);

private:
    SqlRunner &m_sql;
};

} // namespace wadesk

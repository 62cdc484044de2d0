#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

class QSqlQuery;

namespace wadesk {

class SqlRunner;

struct ContactRecord {
    QString id;
    QString organizationId;
    QString phoneNumber; // E.164
    QString waId;        // "14155552671@c.us"
    QString name;
    QStringList tags;
    QJsonObject attributes; // string values (ContactAttributes)
    bool optedOut = false;
    qint64 optedOutAt = 0;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

struct ContactQuery {
    QString search;   // part of the number or the name
    QString tag;
    std::optional<bool> optedOut;
    int limit = 50;
    int offset = 0;
    // Keyset: only contacts after this one in the list's order (updated_at, id descending); its
    // updated_at is read by ContactRepository::position.
    QString beforeId;
    qint64 beforeUpdatedAt = 0;
    bool exactTotal = false; // count the whole set (?total=exact)
};

// The organization's contacts, one per phone number.
class ContactRepository {
public:
    explicit ContactRepository(SqlRunner &sql, const Clock &clock = Clock::system()) : m_sql(sql), m_clock(clock) {}

    // Finds the contact with this number or creates it; fills wa id and name when known.
    Result<ContactRecord> upsert(const QString &organizationId, const QString &phoneNumber, const QString &waId = QString(),
                                 const QString &name = QString());
    Result<std::optional<ContactRecord>> find(const QString &organizationId, const QString &contactId);
    Result<std::optional<ContactRecord>> findByPhone(const QString &organizationId, const QString &phoneNumber);
    // The contacts among `phoneNumbers` that exist, by number (a group of sends in one query).
    Result<QHash<QString, ContactRecord>> findByPhones(const QString &organizationId, const QStringList &phoneNumbers);
    Result<QList<ContactRecord>> list(const QString &organizationId, const ContactQuery &query);
    // The updated_at of a contact of that organization (a list cursor); none for anything else.
    Result<std::optional<qint64>> position(const QString &organizationId, const QString &contactId);
    Result<int> count(const QString &organizationId, const ContactQuery &query);
    Status update(const ContactRecord &contact);
    // Writes many contacts in multi-row statements: new numbers are inserted, existing ones get
    // the given name, tags, attributes and updated_at (their opt-out is never touched). At most
    // one record per number in one call.
    Status upsertMany(const QList<ContactRecord> &contacts);
    // The stored columns, for queries that read whole contacts (segments).
    static QString columns();
    static ContactRecord fromQuery(const QSqlQuery &q);

private:
    SqlRunner &m_sql;
    const Clock &m_clock;
};

} // namespace wadesk

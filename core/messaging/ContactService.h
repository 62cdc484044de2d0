#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/common/Paging.h"
#include "core/messaging/ContactRepository.h"

#include <optional>

namespace wadesk {

class Database;

// The organization's contacts: search, tags, and the opt-out flag operators may set by hand.
class ContactService {
public:
    explicit ContactService(Database &database, const Clock &clock = Clock::system()) : m_database(database), m_clock(clock) {}

    struct Page {
        QList<ContactRecord> contacts;
        PageInfo info;
    };
    Result<Page> list(const AuthContext &ctx, ContactQuery query);
    Result<ContactRecord> get(const AuthContext &ctx, const QString &contactId);
    struct Change {
        std::optional<QString> name;
        std::optional<QStringList> tags;
        std::optional<bool> optedOut;
        std::optional<QJsonObject> attributes; // merged: a string sets a key, null removes it
    };
    Result<ContactRecord> update(const AuthContext &ctx, const QString &contactId, const Change &change);

private:
    Database &m_database;
    const Clock &m_clock;
};

} // namespace wadesk

#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/sessions/ClientRepository.h"

#include <QSet>
#include <optional>

namespace wadesk {

class Database;

// WhatsApp client records. Admins and managers see all of the organization's clients; agents
// and viewers only those assigned to them (others read as not found).
class ClientService {
public:
    explicit ClientService(Database &database, const Clock &clock = Clock::system());

    Result<ClientRecord> create(const AuthContext &actor, const QString &name, const QString &phoneNumber);
    struct Page {
        QList<ClientRecord> clients;
        int total = 0;
    };
    Result<Page> list(const AuthContext &actor, int limit, int offset);
    Result<ClientRecord> get(const AuthContext &actor, const QString &clientId);
    Status remove(const AuthContext &actor, const QString &clientId);
    struct Change {
        std::optional<QString> name;
        std::optional<int> perMinute, perHour, perDay; // 0 resets to the installation default
    };
    Result<ClientRecord> update(const AuthContext &actor, const QString &clientId, const Change &change);
    // The ids of the clients the actor sees whose queue account safety stopped (a list omits the
    // flag: one query for the whole list instead of one per client).
    Result<QSet<QString>> pausedIds(const AuthContext &actor);
    // The ids of the clients the actor sees; nullopt when that is every client of the organization.
    Result<std::optional<QSet<QString>>> visibleIds(const AuthContext &actor);

private:
    Database &m_database;
    const Clock &m_clock;
};

} // namespace wadesk

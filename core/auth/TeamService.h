#pragma once

#include "core/access/AuthContext.h"
#include "core/auth/UserRepository.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QList>
#include <optional>

namespace wadesk {

class Authenticator;
class Database;

// Team members and their client assignments, under the guide's (docs/integration-guide.md) rules: admins manage everyone,
// managers only agents and viewers; nobody removes or disables the organization's last admin
// or themselves. Permission to use these at all (can_manage_team) is checked by the caller.
class TeamService {
public:
    TeamService(Database &database, Authenticator &authenticator, const Clock &clock = Clock::system());

    struct NewMember {
        QString email;
        QString name;
        Role role = Role::Agent;
        QString passwordHash; // argon2id, made by the caller on a worker thread
    };
    // Checks what needs no hashing; call before hashing the password.
    static Status validateNewMember(const AuthContext &actor, const QString &email, const QString &password,
                                    const QString &name, const QString &roleName);
    Result<UserRecord> createMember(const AuthContext &actor, const NewMember &member);

    struct Page {
        QList<UserRecord> users;
        int total = 0;
    };
    Result<Page> listMembers(const AuthContext &actor, int limit, int offset);
    Result<UserRecord> getMember(const AuthContext &actor, const QString &userId);

    struct Change {
        std::optional<QString> name;
        std::optional<Role> role;
        std::optional<bool> active;
    };
    Result<UserRecord> updateMember(const AuthContext &actor, const QString &userId, const Change &change);
    Status removeMember(const AuthContext &actor, const QString &userId);

    Status assignClient(const AuthContext &actor, const QString &userId, const QString &clientId);
    Status unassignClient(const AuthContext &actor, const QString &userId, const QString &clientId);
    Result<QStringList> assignedClients(const AuthContext &actor, const QString &userId);

private:
    Result<UserRecord> manageableMember(const AuthContext &actor, const QString &userId);
    Database &m_database;
    Authenticator &m_authenticator;
    const Clock &m_clock;
};

} // namespace wadesk

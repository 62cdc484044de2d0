#pragma once

#include "core/access/AuthContext.h"

#include <QString>

namespace wadesk {

// Which of an organization's clients (and so their messages) an actor may see, as an explicit
// value: "all of them" is a deliberate choice, never what an empty string falls back to. A scope
// limited to a user sees the clients assigned to that user; with no user, or no assignment, it
// sees nothing.
class ClientScope {
public:
    static ClientScope all() { return ClientScope(Kind::All, QString()); }
    static ClientScope assignedTo(const QString &userId) { return ClientScope(Kind::Assigned, userId); }
    // What `actor` may see: admins and managers all clients, agents and viewers their assignments.
    static ClientScope of(const AuthContext &actor)
    {
        return Permissions::seesAllClients(actor.role) ? all() : assignedTo(actor.userId);
    }

    bool seesAll() const { return m_kind == Kind::All; }
    // Limited to nobody: nothing is visible, whatever is assigned.
    bool seesNothing() const { return m_kind == Kind::Assigned && m_userId.isEmpty(); }
    // The user whose assignments limit the scope; empty for all().
    const QString &userId() const { return m_userId; }
    // A text that tells scopes apart (for caches keyed by what the caller may see).
    QString key() const { return seesAll() ? QStringLiteral("*") : QStringLiteral("user:") + m_userId; }

    bool operator==(const ClientScope &other) const { return m_kind == other.m_kind && m_userId == other.m_userId; }
    bool operator!=(const ClientScope &other) const { return !(*this == other); }

private:
    enum class Kind { All, Assigned };
    ClientScope(Kind kind, QString userId) : m_kind(kind), m_userId(std::move(userId)) {}

    Kind m_kind;
    QString m_userId;
};

} // namespace wadesk

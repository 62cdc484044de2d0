#include "desktop/DesktopContext.h"

#include "auth/AccountService.h"
#include "auth/Authenticator.h"
#include "auth/JwtCodec.h"
#include "auth/TeamService.h"
#include "common/EventBus.h"
#include "engine/SessionRegistry.h"
#include "messaging/ContactService.h"
#include "messaging/MessageService.h"
#include "sessions/ClientService.h"

namespace wadesk {

namespace {
// The desktop issues no tokens that leave the process (AccountService issues one at sign-in,
// which the GUI does not keep); the lifetime only matters for that throwaway token.
constexpr qint64 kDesktopTokenLifetimeSeconds = 24 * 3600;
} // namespace

DesktopContext::DesktopContext(Database &database, EventBus &events, SessionRegistry &sessions, QByteArray jwtKey,
                               MessagingSettings messaging, PasswordHasher::Cost passwordCost, Facts facts, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_events(events)
    , m_sessions(sessions)
    , m_jwt(std::make_unique<JwtCodec>(std::move(jwtKey), kDesktopTokenLifetimeSeconds))
    , m_authenticator(std::make_unique<Authenticator>(database, *m_jwt))
    , m_clients(std::make_unique<ClientService>(database))
    , m_messages(std::make_unique<MessageService>(database, *m_clients, &sessions, std::move(messaging)))
    , m_contacts(std::make_unique<ContactService>(database))
    , m_team(std::make_unique<TeamService>(database, *m_authenticator))
    , m_accounts(std::make_unique<AccountService>(database, *m_jwt))
    , m_passwordCost(passwordCost)
    , m_facts(std::move(facts))
{
}

DesktopContext::~DesktopContext() = default;

void DesktopContext::signIn(const AuthContext &actor)
{
    m_actor = actor;
    if (m_actor.ipAddress.isEmpty())
        m_actor.ipAddress = QStringLiteral("desktop");
    emit signedInChanged();
}

void DesktopContext::setShellActions(QAction *signOut, QAction *notifications)
{
    m_signOutAction = signOut;
    m_notificationsAction = notifications;
}

void DesktopContext::signOut()
{
    if (!signedIn())
        return;
    m_actor = AuthContext();
    emit signedInChanged();
}

} // namespace wadesk

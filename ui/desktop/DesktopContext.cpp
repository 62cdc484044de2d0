#include "ui/desktop/DesktopContext.h"

#include "core/auth/AccountService.h"
#include "core/auth/Authenticator.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/TeamService.h"
#include "core/auth/UserRepository.h"
#include "core/events/EventBus.h"
#include "core/db/SqlRunner.h"
#include "core/engine/SessionRegistry.h"
#include "core/messaging/ContactService.h"
#include "core/messaging/MessageService.h"
#include "core/sessions/ClientActionService.h"
#include "core/sessions/ClientService.h"

#include <QApplication>
#include <spdlog/spdlog.h>

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
    , m_clientActions(std::make_unique<ClientActionService>(database, *m_clients, &sessions))
    , m_messages(std::make_unique<MessageService>(database, *m_clients, &sessions, std::move(messaging)))
    , m_contacts(std::make_unique<ContactService>(database))
    , m_team(std::make_unique<TeamService>(database, *m_authenticator))
    , m_accounts(std::make_unique<AccountService>(database, *m_jwt))
    , m_passwordCost(passwordCost)
    , m_facts(std::move(facts))
{
    m_revalidateTimer.setInterval(kRevalidateIntervalMs);
    connect(&m_revalidateTimer, &QTimer::timeout, this, [this]() {
        // Not under a modal dialog's event loop (a confirmation box, "Add member"): signing out
        // closes the main window, which would delete the dialog's caller while it waits. The
        // check runs at the next tick instead.
        if (QApplication::activeModalWidget())
            return;
        if (revalidate() && !Permissions::seesAllClients(m_actor.role))
            emit assignmentsMayHaveChanged();
    });
}

DesktopContext::~DesktopContext() = default;

void DesktopContext::signIn(const AuthContext &actor)
{
    m_actor = actor;
    if (m_actor.ipAddress.isEmpty())
        m_actor.ipAddress = QStringLiteral("desktop");
    if (signedIn())
        m_revalidateTimer.start();
    else
        m_revalidateTimer.stop();
    emit signedInChanged();
}

bool DesktopContext::revalidate()
{
    if (!signedIn())
        return false;
    SqlRunner sql(m_database);
    UserRepository users(sql);
    // Scoped by the organization signed in to: a user moved elsewhere reads as gone.
    const Result<std::optional<UserRecord>> user = users.find(m_actor.organizationId, m_actor.userId);
    if (!user) {
        spdlog::warn("desktop: the signed-in user could not be re-read: {}", user.error().message.toStdString());
        return true;
    }
    const std::optional<UserRecord> &u = user.value();
    const char *why = !u                                          ? "the account no longer exists"
        : !u->active                                              ? "the account was deactivated"
        : u->organizationId != m_actor.organizationId             ? "the account moved to another organization"
        : u->role != m_actor.role                                 ? "the account's role changed"
                                                                  : nullptr;
    if (why) {
        spdlog::info("desktop: signing out {}: {}", m_actor.email.toStdString(), why);
        signOut();
        return false;
    }
    m_actor.email = u->email;
    m_actor.name = u->name;
    return true;
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
    m_revalidateTimer.stop();
    m_actor = AuthContext();
    emit signedInChanged();
}

} // namespace wadesk

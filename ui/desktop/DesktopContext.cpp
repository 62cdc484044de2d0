#include "ui/desktop/DesktopContext.h"

#include "core/auth/AccountService.h"
#include "core/auth/Authenticator.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/TeamService.h"
#include "core/events/EventBus.h"
#include "core/engine/SessionRegistry.h"
#include "core/messaging/ContactService.h"
#include "core/messaging/MessageService.h"
#include "core/sessions/ClientActionService.h"
#include "core/sessions/ClientService.h"

#include <QApplication>
#include <spdlog/spdlog.h>

namespace wadesk {

DesktopContext::DesktopContext(const SharedServices &shared, const ServiceSettings &settings, SessionRegistry &sessions,
                               Facts facts, QObject *parent)
    : QObject(parent)
    , m_services(shared, settings)
    , m_sessions(sessions)
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
    // Scoped by the organization signed in to: a user moved elsewhere reads as gone.
    const Result<std::optional<UserRecord>> user = accounts().currentUser(m_actor);
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

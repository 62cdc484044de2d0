#include "ui/clients/SessionView.h"

#include "ui/clients/LinkPanel.h"
#include "core/cluster/ForwardedSessions.h"

#include "ui/desktop/DesktopContext.h"
#include "core/engine/SessionRegistry.h"
#include "core/events/EventBus.h"
#include "core/events/EventPayloads.h"
#include "core/proxies/ProxyService.h"
#include "core/sessions/ClientService.h"
#include "core/sessions/ClientStatus.h"
#include "ui/common/ErrorText.h"
#include "ui/models/ProxyListModel.h"
#include "core/engine/WaSession.h"
#include "ui/main/Icons.h"
#include "ui/models/ClientListModel.h"

#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QWebEnginePage>
#include <QWebEngineView>

namespace wadesk {

SessionView::SessionView(DesktopContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("sessionView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *header = new QWidget(this);
    header->setObjectName(QStringLiteral("sessionHeader"));
    auto *headerLayout = new QHBoxLayout(header);
    m_title = new QLabel(header);
    m_title->setObjectName(QStringLiteral("sessionTitle"));
    m_title->setTextFormat(Qt::PlainText); // client names are user input
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_title->setFont(titleFont);
    m_state = new QLabel(header);
    m_state->setObjectName(QStringLiteral("sessionStateBadge"));
    m_state->setAutoFillBackground(true);
    m_state->setMargin(3);
    m_proxy = new QLabel(header);
    m_proxy->setObjectName(QStringLiteral("sessionProxyBadge"));
    m_proxy->setTextFormat(Qt::PlainText); // proxy labels are whatever admins typed
    m_proxy->setAutoFillBackground(true);
    m_proxy->setMargin(3);
    m_proxy->setVisible(false);
    m_hint = new QLabel(header);
    m_hint->setObjectName(QStringLiteral("sessionHint"));
    m_hint->setTextFormat(Qt::PlainText); // carries the page's error texts
    m_hint->setWordWrap(true);
    m_hint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    headerLayout->addWidget(m_title);
    headerLayout->addWidget(m_state);
    headerLayout->addWidget(m_proxy);
    headerLayout->addWidget(m_hint, 1);
    layout->addWidget(header);

    m_stack = new QStackedWidget(this);
    // The empty state: what is (not) there, and the one action that changes it.
    m_placeholderPage = new QWidget(m_stack);
    m_placeholderPage->setObjectName(QStringLiteral("sessionEmptyState"));
    auto *emptyLayout = new QVBoxLayout(m_placeholderPage);
    emptyLayout->addStretch(1);
    m_placeholder = new QLabel(m_placeholderPage);
    m_placeholder->setObjectName(QStringLiteral("sessionPlaceholder"));
    m_placeholder->setTextFormat(Qt::PlainText);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setMargin(24);
    emptyLayout->addWidget(m_placeholder);
    m_placeholderButton = new QPushButton(m_placeholderPage);
    m_placeholderButton->setObjectName(QStringLiteral("sessionEmptyAction"));
    m_placeholderButton->hide();
    emptyLayout->addWidget(m_placeholderButton, 0, Qt::AlignHCenter);
    emptyLayout->addStretch(2);
    m_stack->addWidget(m_placeholderPage);
    connect(m_placeholderButton, &QPushButton::clicked, this, [this]() {
        if (m_clientId.isEmpty())
            emit addClientRequested();
        else
            emit startRequested(m_clientId);
    });
    m_linkPanel = new LinkPanel(m_context, this);
    m_linkPanel->setVisible(false);
    auto *body = new QHBoxLayout;
    body->setContentsMargins(0, 0, 0, 0);
    body->setSpacing(0);
    body->addWidget(m_stack, 1);
    body->addWidget(m_linkPanel);
    layout->addLayout(body, 1);

    SessionRegistry &registry = m_context.sessions();
    connect(&registry, &SessionRegistry::sessionAboutToStop, this, &SessionView::detachClient);
    connect(&registry, &SessionRegistry::sessionStopped, this, &SessionView::onSessionStopped);
    connect(&registry, &SessionRegistry::sessionStarted, this, &SessionView::onSnapshotChanged);
    connect(&registry, &SessionRegistry::snapshotChanged, this, &SessionView::onSnapshotChanged);
    connect(&m_context.events(), &EventBus::published, this, &SessionView::onEvent, Qt::QueuedConnection);
    if (ForwardedSessions *cluster = m_context.cluster())
        connect(cluster, &ForwardedSessions::remoteSessionsChanged, this, &SessionView::refresh);
    // The services stop after the event loop: let the page go while both still exist.
    connect(qApp, &QCoreApplication::aboutToQuit, this, &SessionView::detach);
    refresh();
}

SessionView::~SessionView()
{
    detach();
}

void SessionView::setClient(const QString &clientId, const QString &name)
{
    const bool other = clientId != m_clientId;
    if (other)
        detach();
    m_clientId = clientId;
    m_name = name;
    refresh();
    if (other)
        refreshProxy();
}

QString SessionView::placeholderText() const
{
    return m_stack->currentWidget() == m_placeholderPage ? m_placeholder->text() : QString();
}

void SessionView::setNoClients(bool none)
{
    if (none == m_noClients)
        return;
    m_noClients = none;
    refresh();
}

QString SessionView::proxyText() const
{
    return m_proxy->isVisibleTo(this) ? m_proxy->text() : QString();
}

void SessionView::onEvent(const Event &event)
{
    if (event.organizationId != m_context.actor().organizationId || !event.is(EventType::ClientProxyFailed))
        return;
    if (const std::optional<ClientEventData> data = ClientEvents::parse(event); data && data->clientId == m_clientId)
        refreshProxy();
}

void SessionView::refreshProxy(const QString &clientId)
{
    if (!clientId.isEmpty() && clientId != m_clientId)
        return;
    const AuthContext &actor = m_context.actor();
    ProxyService *service = m_context.proxies();
    QString text;
    QString tip;
    Icons::Tone tone = Icons::Tone::Neutral;
    // The pool is for those who may read it (can_manage_clients); agents and viewers see no line.
    if (!m_clientId.isEmpty() && service && m_context.signedIn() && actor.can(Permission::ManageClients)) {
        const Result<ClientRecord> client = m_context.clients().get(actor, m_clientId);
        if (!client) {
            text = tr("Proxy: unknown");
            tip = errorMessageFor(client.error());
        } else if (client.value().proxyId.isEmpty()) {
            text = tr("No proxy");
            tip = tr("This client connects to WhatsApp directly. Assign a proxy on the Proxies screen.");
        } else if (const Result<ProxyRecord> proxy = service->get(actor, client.value().proxyId); !proxy) {
            text = tr("Proxy: unknown");
            tip = errorMessageFor(proxy.error());
        } else {
            const ProxyRecord &p = proxy.value();
            text = tr("Proxy: %1 · %2").arg(ProxyListModel::displayName(p), ProxyListModel::healthText(p));
            tip = tr("%1 proxy at %2").arg(ProxyListModel::typeText(p.type), ProxyListModel::addressOf(p));
            if (client.value().proxyFailover)
                tip += QLatin1Char('\n') + tr("May move to another healthy proxy when this one is down.");
            switch (ProxyListModel::healthOf(p)) {
            case ProxyListModel::Health::Healthy: tone = Icons::Tone::Good; break;
            case ProxyListModel::Health::Unreachable: tone = Icons::Tone::Bad; break;
            case ProxyListModel::Health::NotChecked: break;
            }
        }
    }
    m_proxy->setText(text);
    m_proxy->setToolTip(tip);
    m_proxy->setAccessibleName(text);
    QPalette badge = m_proxy->palette();
    const QColor background = Icons::badgeColor(palette(), tone);
    badge.setColor(QPalette::Window, background);
    badge.setColor(QPalette::WindowText, Icons::textOn(background));
    m_proxy->setPalette(badge);
    m_proxy->setVisible(!text.isEmpty());
}

void SessionView::detachClient(const QString &clientId)
{
    if (clientId == m_clientId)
        detach();
}

void SessionView::detach()
{
    if (m_page)
        m_page->disconnect(this);
    m_page = nullptr;
    if (m_view) {
        // Deleting the view lets the page go without touching it (the view does not own it);
        // a fresh view is made for the next page.
        QWebEngineView *view = m_view;
        m_view = nullptr;
        m_stack->removeWidget(view);
        delete view;
    }
    if (m_stack)
        m_stack->setCurrentWidget(m_placeholderPage);
}

void SessionView::onSessionStopped(const QString &clientId)
{
    if (clientId != m_clientId)
        return;
    detach();
    refresh();
}

void SessionView::onSnapshotChanged(const QString &clientId)
{
    if (clientId == m_clientId)
        refresh();
}

void SessionView::refresh()
{
    const SessionRegistry &registry = m_context.sessions();
    WaSession *session = m_clientId.isEmpty() ? nullptr : registry.session(m_clientId);
    std::optional<SessionSnapshot> snap = m_clientId.isEmpty() ? std::nullopt : registry.snapshot(m_clientId);
    // A session another instance drives: its stored state, and where it runs, instead of a page.
    QString elsewhere;
    if (ForwardedSessions *cluster = m_context.cluster(); cluster && !session && !m_clientId.isEmpty()) {
        if (std::optional<SessionSnapshot> there = cluster->snapshot(m_clientId); there && !there->instance.isEmpty()) {
            elsewhere = there->instance;
            snap = there;
        }
    }
    const AuthContext &actor = m_context.actor();
    // The same state the client list and the API's /status show (ClientStatus); the stored
    // record matters only for a client this run has not started.
    ClientRecord stored;
    if (!snap && !m_clientId.isEmpty()) {
        if (Result<ClientRecord> record = m_context.clients().get(actor, m_clientId))
            stored = record.value();
    }
    const ClientStatus now = ClientStatus::of(stored, snap);
    const SessionState state = now.state;

    // Linking a phone and acting inside the page (its own "Log out", sending around the queue,
    // its opt-out checks and the audit log) are what managing a client means: the same
    // permission as init and logout in the REST API. Everyone else watches a linked page.
    const bool mayLink = actor.can(Permission::ManageClients);
    const bool mayInteract = mayLink;

    m_title->setText(m_clientId.isEmpty() ? tr("No client selected") : m_name);
    m_state->setVisible(!m_clientId.isEmpty());
    m_state->setText(ClientListModel::stateText(state));
    Icons::Tone tone = Icons::Tone::Neutral;
    switch (state) {
    case SessionState::Ready: tone = Icons::Tone::Good; break;
    case SessionState::Qr:
    case SessionState::Paused:
    case SessionState::Disconnected: tone = Icons::Tone::Warning; break;
    case SessionState::Failed:
    case SessionState::LoggedOut: tone = Icons::Tone::Bad; break;
    case SessionState::Initializing:
    case SessionState::Authenticating: tone = Icons::Tone::Busy; break;
    case SessionState::Stopped: break;
    }
    QPalette badge = m_state->palette();
    const QColor background = Icons::badgeColor(palette(), tone);
    badge.setColor(QPalette::Window, background);
    badge.setColor(QPalette::WindowText, Icons::textOn(background));
    m_state->setPalette(badge);
    m_state->setAccessibleName(tr("Session state: %1").arg(ClientListModel::stateText(state)));

    QString hint;
    switch (state) {
    case SessionState::Qr:
        hint = mayLink ? tr("On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan the QR code, or link it with its phone number instead.")
                       : tr("Waiting for an operator to link this number.");
        if (snap && snap->qrIdle)
            hint += QLatin1Char(' ') + tr("The code expired: click \"New code\".");
        break;
    case SessionState::Failed:
    case SessionState::Disconnected:
    case SessionState::Paused:
        hint = now.lastError;
        break;
    case SessionState::Ready:
        hint = snap && !snap->phoneNumber.isEmpty() ? tr("Linked to %1").arg(snap->phoneNumber) : QString();
        if (snap && !snap->replacedPhoneNumber.isEmpty() && !hint.isEmpty())
            hint += QLatin1Char(' ') + tr("(this replaces %1, the number this client had before)").arg(snap->replacedPhoneNumber);
        break;
    default:
        break;
    }
    m_hint->setText(hint);
    // Drawn here from the code's text, whether or not the page draws its own (hidden, slow).
    // A client another instance runs shows that instance's code (asked through the database).
    const bool linking = (session || !elsewhere.isEmpty()) && state == SessionState::Qr && mayLink;
    m_linkPanel->setClient(linking ? m_clientId : QString(), m_name);
    m_linkPanel->setVisible(linking);

    // The page to show: none when stopped, and the QR only to those who may link.
    // (WhatsApp Web draws its QR code before the bridge reports the state, so those who may
    // not link see the page only once it is linked.)
    QWebEnginePage *page = session ? session->page() : nullptr;
    const bool linked = state == SessionState::Ready || state == SessionState::Paused || state == SessionState::Disconnected;
    if (page && !mayLink && !linked)
        page = nullptr;
    if (page && page == m_page.data() && m_view) {
        m_view->setEnabled(mayInteract);
        m_stack->setCurrentWidget(m_view);
        return;
    }
    detach();
    if (!page) {
        // The button: "Add your first client" with no client at all, "Start" for a session
        // that does not run; both only for those who may act on clients.
        QString action;
        if (m_clientId.isEmpty() && m_noClients && mayLink)
            action = tr("&Add Your First Client…");
        else if (!m_clientId.isEmpty() && !session && mayLink && state != SessionState::Disconnected && elsewhere.isEmpty())
            action = tr("&Start Session");
        m_placeholderButton->setText(action);
        m_placeholderButton->setAccessibleName(QString(action).remove(QLatin1Char('&')).remove(QChar(0x2026)));
        m_placeholderButton->setVisible(!action.isEmpty());
        if (m_clientId.isEmpty() && m_noClients)
            m_placeholder->setText(mayLink ? tr("No clients yet. A client is one WhatsApp number: add one, then link it by scanning its QR code.")
                                           : tr("No clients are assigned to you yet. Ask an admin or a manager to assign one."));
        else if (m_clientId.isEmpty())
            m_placeholder->setText(tr("Select a client on the left."));
        else if (!elsewhere.isEmpty())
            m_placeholder->setText(tr("This session runs on %1 (%2). Its page is shown there; what you do here from the Client menu is sent to it.")
                                       .arg(elsewhere, ClientListModel::stateText(state)));
        else if (state == SessionState::Qr)
            m_placeholder->setText(tr("This client is waiting to be linked by an operator."));
        else if (session && !mayLink && !linked)
            m_placeholder->setText(tr("The session of this client is starting."));
        else if (state == SessionState::Failed)
            m_placeholder->setText(tr("The session failed: %1\nStart it again from the Client menu.")
                                       .arg(snap ? snap->lastError : QString()));
        else
            m_placeholder->setText(mayLink ? tr("The session of this client is not running. Start it to link or use the number.")
                                           : tr("The session of this client is not running."));
        m_stack->setCurrentWidget(m_placeholderPage);
        return;
    }
    if (!m_view) {
        m_view = new QWebEngineView(m_stack);
        m_view->setObjectName(QStringLiteral("sessionWebView"));
        m_view->setAccessibleName(tr("WhatsApp Web of %1").arg(m_name));
        m_view->setContextMenuPolicy(Qt::NoContextMenu);
        m_stack->addWidget(m_view);
    }
    m_page = page;
    // Gone for any other reason: let it go at once, and look again once the deletion is over
    // (the session may still hand out the dying pointer while it is being deleted).
    connect(page, &QObject::destroyed, this, [this]() {
        m_page = nullptr;
        detach();
        QMetaObject::invokeMethod(this, &SessionView::refresh, Qt::QueuedConnection);
    });
    m_view->setPage(page);
    // Those who may only read see the page but cannot type into it.
    m_view->setEnabled(mayInteract);
    m_stack->setCurrentWidget(m_view);
}

} // namespace wadesk

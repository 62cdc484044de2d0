#include "ui/proxies/ProxiesView.h"

#include "ui/common/ErrorLabel.h"
#include "core/proxies/ProxyHealthMonitor.h"

#include "core/events/EventBus.h"
#include "core/proxies/ProxyHealthMonitor.h"
#include "core/proxies/ProxyRules.h"
#include "core/proxies/ProxyService.h"
#include "core/sessions/ClientService.h"
#include "ui/common/ErrorText.h"
#include "ui/common/RowListView.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/ProxyListModel.h"
#include "ui/proxies/AssignProxyDialog.h"
#include "ui/proxies/ProxyDialog.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QShowEvent>
#include <QStackedWidget>
#include <QTreeView>
#include <QVBoxLayout>

namespace wadesk {

namespace {
constexpr int kRefreshIntervalMs = 30000;
constexpr int kClientPageSize = 500;

// Shown as ErrorText's words for "forbidden", like the service's own refusal.
DomainError forbidden()
{
    return DomainError::forbidden();
}

DomainError unavailable()
{
    return DomainError::unavailable(ProxiesView::tr("Proxies are not available: WaDesk runs without its secret store."));
}

ProxyInput inputFrom(const ProxyDialog &d)
{
    ProxyInput in;
    in.type = ProxyEndpoint::typeName(d.type());
    in.host = d.host();
    in.port = d.port();
    in.username = d.username();
    in.password = d.password();
    in.label = d.label();
    in.country = d.country();
    in.maxClients = d.maxClients();
    return in;
}

// Only what the operator changed: an unchanged endpoint keeps its health.
ProxyPatch patchFrom(const ProxyDialog &d, const ProxyRecord &was)
{
    ProxyPatch p;
    if (d.type() != was.type)
        p.type = ProxyEndpoint::typeName(d.type());
    if (d.host() != was.host)
        p.host = d.host();
    if (d.port() != int(was.port))
        p.port = d.port();
    if (d.username() != was.username)
        p.username = d.username();
    if (d.removePassword())
        p.clearPassword = true;
    else if (!d.password().isEmpty())
        p.password = d.password();
    // An emptied label goes back to the default one, as on creation.
    const QString label = d.label().isEmpty() ? ProxyRules::defaultLabel(d.host(), quint16(qBound(0, d.port(), 65535))) : d.label();
    if (label != was.label)
        p.label = label;
    if (d.country() != was.country)
        p.country = d.country();
    if (d.maxClients() != was.maxClients)
        p.maxClients = d.maxClients();
    return p;
}
} // namespace

ProxiesView::ProxiesView(DesktopContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("proxiesView"));
    m_model = new ProxyListModel(m_context, this);

    auto *layout = new QVBoxLayout(this);
    auto *title = new QLabel(tr("Proxies"), this);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    title->setFont(titleFont);
    layout->addWidget(title);
    auto *intro = new QLabel(tr("Each client can reach WhatsApp from its own address through a proxy of this pool. A client keeps "
                                "its proxy; when the proxy is down, the client waits instead of connecting directly."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *body = new QHBoxLayout;
    m_stack = new QStackedWidget(this);
    m_view = new QTreeView(m_stack);
    m_view->setObjectName(QStringLiteral("proxyList"));
    m_view->setAccessibleName(tr("Proxies"));
    m_view->setModel(m_model);
    configureRowList(m_view, ProxyListModel::HealthColumn);
    m_empty = new QLabel(tr("No proxies yet. Add one to give each number its own address."), m_stack);
    m_empty->setObjectName(QStringLiteral("proxiesEmptyLabel"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setMargin(24);
    m_stack->addWidget(m_view);
    m_stack->addWidget(m_empty);
    body->addWidget(m_stack, 1);

    auto *side = new QVBoxLayout;
    auto button = [this, side](const QString &name, const QString &text, const QString &accessible, const QString &tip) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setAccessibleName(accessible);
        b->setToolTip(tip);
        side->addWidget(b);
        return b;
    };
    m_add = button(QStringLiteral("addProxyButton"), tr("&Add Proxy…"), tr("Add proxy"), tr("Add a proxy to the pool"));
    m_edit = button(QStringLiteral("editProxyButton"), tr("&Edit…"), tr("Edit proxy"), tr("Change the selected proxy"));
    m_delete = button(QStringLiteral("deleteProxyButton"), tr("&Delete…"), tr("Delete proxy"),
                      tr("Remove the selected proxy from the pool (only when no client uses it)"));
    side->addSpacing(8);
    m_assign = button(QStringLiteral("assignProxyButton"), tr("A&ssign to Client…"), tr("Assign proxy to a client"),
                      tr("Choose the proxy a client uses"));
    m_test = button(QStringLiteral("testProxyButton"), tr("&Test Now"), tr("Test proxy now"),
                    m_context.proxyMonitor()
                        ? tr("Check the selected proxy now: connect through it and measure the time")
                        : tr("Checking a proxy on demand is not available in this version; the health shown comes from the "
                             "periodic checks."));
    m_hint = new QLabel(this);
    m_hint->setObjectName(QStringLiteral("proxiesHint"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::PlainText);
    m_hint->setMaximumWidth(220);
    m_hint->setVisible(false);
    side->addWidget(m_hint);
    side->addStretch(1);
    body->addLayout(side);
    layout->addLayout(body, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("proxiesStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // names what people typed
    m_status->setVisible(false);
    layout->addWidget(m_status);
    m_error = new ErrorLabel(QStringLiteral("proxiesError"), tr("Proxies error"), this);
    layout->addWidget(m_error);

    connect(m_add, &QPushButton::clicked, this, [this]() { openAddProxy(); });
    connect(m_edit, &QPushButton::clicked, this, [this]() { openEditProxy(m_current); });
    connect(m_delete, &QPushButton::clicked, this, &ProxiesView::onDelete);
    connect(m_assign, &QPushButton::clicked, this, [this]() { openAssign(); });
    connect(m_test, &QPushButton::clicked, this, &ProxiesView::onTestNow);
    if (ProxyHealthMonitor *monitor = m_context.proxyMonitor()) {
        connect(monitor, &ProxyHealthMonitor::checked, this, [this](const QString &proxyId, const ProxyCheck &result) {
            if (proxyId != m_checking)
                return;
            m_checking.clear();
            refresh();
            const ProxyRecord *entry = m_model->proxy(proxyId);
            const QString name = entry ? entry->label : proxyId;
            if (result.ok)
                showStatus(tr("%1 is reachable (%2 ms).").arg(name).arg(result.latencyMs));
            else
                showError(tr("%1 is unreachable: %2").arg(name, result.error));
            updateControls();
        });
    }
    connect(m_view, &QAbstractItemView::doubleClicked, this, [this]() {
        if (mayManagePool())
            openEditProxy(m_current);
        else if (mayAssign())
            openAssign();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &ProxiesView::onCurrentChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this]() {
        const QString keep = m_current;
        m_current.clear();
        if (m_model->rowOf(keep) >= 0)
            selectProxy(keep);
        else if (m_model->rowCount() > 0)
            selectProxy(m_model->proxyIdAt(0));
        else
            onCurrentChanged();
    });
    connect(&m_context.events(), &EventBus::published, this, &ProxiesView::onEvent, Qt::QueuedConnection);
    m_refreshTimer.setInterval(kRefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ProxiesView::refresh);

    showError(m_model->lastError());
    if (m_model->rowCount() > 0)
        selectProxy(m_model->proxyIdAt(0));
    else
        onCurrentChanged();
}

ProxiesView::~ProxiesView() = default;

ProxyDialog *ProxiesView::proxyDialog() const { return m_proxyDialog; }
AssignProxyDialog *ProxiesView::assignDialog() const { return m_assignDialog; }
QString ProxiesView::errorText() const { return m_error->text(); }
QString ProxiesView::statusText() const { return m_status->text(); }
QString ProxiesView::hintText() const { return m_hint->text(); }

bool ProxiesView::mayManagePool() const
{
    return m_context.signedIn() && m_context.actor().can(Permission::ManageOrganization) && m_context.proxies();
}

bool ProxiesView::mayAssign() const
{
    return m_context.signedIn() && m_context.actor().can(Permission::ManageClients) && m_context.proxies();
}

void ProxiesView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!event->spontaneous()) {
        refresh();
        m_refreshTimer.start();
    }
}

void ProxiesView::hideEvent(QHideEvent *event)
{
    if (!event->spontaneous())
        m_refreshTimer.stop();
    QWidget::hideEvent(event);
}

void ProxiesView::refresh()
{
    m_model->reload();
    showError(m_model->lastError());
}

void ProxiesView::onEvent(const Event &event)
{
    if (event.organizationId == m_context.actor().organizationId && event.is(EventType::ClientProxyFailed))
        refresh();
}

void ProxiesView::selectProxy(const QString &proxyId)
{
    const int row = m_model->rowOf(proxyId);
    if (row < 0)
        return;
    const QModelIndex at = m_model->index(row, 0);
    if (m_view->currentIndex() != at)
        m_view->setCurrentIndex(at); // → onCurrentChanged
    else
        onCurrentChanged();
}

void ProxiesView::onCurrentChanged()
{
    const QModelIndex current = m_view->currentIndex();
    m_current = current.isValid() ? current.data(ProxyListModel::ProxyIdRole).toString() : QString();
    updateControls();
}

void ProxiesView::updateControls()
{
    const bool manage = mayManagePool();
    const bool assign = mayAssign();
    const bool selected = m_model->proxy(m_current) != nullptr;
    m_stack->setCurrentWidget(m_model->rowCount() == 0 && m_model->lastError().isEmpty() ? static_cast<QWidget *>(m_empty) : m_view);
    for (QPushButton *b : {m_add, m_edit, m_delete})
        b->setVisible(manage);
    m_add->setEnabled(manage);
    m_edit->setEnabled(manage && selected);
    m_delete->setEnabled(manage && selected);
    m_assign->setVisible(assign);
    m_assign->setEnabled(assign);
    m_test->setVisible(assign);
    m_test->setEnabled(assign && selected && m_context.proxyMonitor() && m_checking.isEmpty());
    QString hint;
    if (assign && !manage)
        hint = tr("Admins add, change and delete proxies; you can assign them to clients.");
    m_hint->setText(hint);
    m_hint->setVisible(!hint.isEmpty());
}

void ProxiesView::showError(const QString &message)
{
    m_error->showError(message);
    if (!message.isEmpty())
        showStatus(QString());
}

void ProxiesView::showStatus(const QString &message)
{
    m_status->setText(message);
    m_status->setVisible(!message.isEmpty());
}

Status ProxiesView::report(const Status &status)
{
    showError(status ? QString() : errorMessageFor(status.error()));
    return status;
}

ProxyDialog *ProxiesView::openAddProxy()
{
    if (!mayManagePool()) {
        discardOutcome(report(m_context.proxies() ? forbidden() : unavailable())); // shown on the screen
        return nullptr;
    }
    if (m_proxyDialog) {
        m_proxyDialog->raise();
        m_proxyDialog->activateWindow();
        return m_proxyDialog;
    }
    auto *dialog = new ProxyDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ProxyDialog::submitted, this, &ProxiesView::submitProxy);
    m_proxyDialog = dialog;
    dialog->open();
    return dialog;
}

ProxyDialog *ProxiesView::openEditProxy(const QString &proxyId)
{
    const ProxyRecord *proxy = m_model->proxy(proxyId);
    if (!mayManagePool() || !proxy) {
        if (!mayManagePool())
            discardOutcome(report(m_context.proxies() ? forbidden() : unavailable())); // shown on the screen
        return nullptr;
    }
    if (m_proxyDialog)
        m_proxyDialog->close();
    auto *dialog = new ProxyDialog(*proxy, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ProxyDialog::submitted, this, &ProxiesView::submitProxy);
    m_proxyDialog = dialog;
    dialog->open();
    return dialog;
}

void ProxiesView::submitProxy()
{
    ProxyDialog *dialog = m_proxyDialog;
    ProxyService *service = m_context.proxies();
    if (!dialog)
        return;
    if (!mayManagePool() || !service) {
        dialog->showError(errorMessageFor(service ? forbidden() : unavailable()));
        return;
    }
    if (dialog->isEdit() && patchFrom(*dialog, dialog->original()).isEmpty()) {
        dialog->accept(); // nothing changed
        return;
    }
    const Result<ProxyRecord> saved = dialog->isEdit()
        ? service->update(m_context.actor(), dialog->proxyId(), patchFrom(*dialog, dialog->original()))
        : service->create(m_context.actor(), inputFrom(*dialog));
    if (!saved) {
        dialog->showError(proxyErrorMessageFor(saved.error()));
        return;
    }
    const bool created = !dialog->isEdit();
    const QString proxyId = saved.value().id;
    const QString name = ProxyListModel::displayName(saved.value());
    dialog->accept();
    refresh();
    selectProxy(proxyId);
    showStatus(created ? tr("Added the proxy %1.").arg(name) : tr("Saved the proxy %1.").arg(name));
    if (created)
        emit proxyCreated(proxyId);
}

void ProxiesView::onTestNow()
{
    ProxyHealthMonitor *monitor = m_context.proxyMonitor();
    const ProxyRecord *entry = m_model->proxy(m_current);
    if (!monitor || !entry || !mayAssign())
        return;
    m_checking = m_current;
    showError(QString());
    showStatus(tr("Checking %1…").arg(entry->label));
    updateControls();
    monitor->checkNow(m_current);
}

void ProxiesView::onDelete()
{
    const ProxyRecord *proxy = m_model->proxy(m_current);
    if (!proxy)
        return;
    const QString proxyId = proxy->id;
    QString text = tr("Delete the proxy %1 (%2)?").arg(ProxyListModel::displayName(*proxy), ProxyListModel::addressOf(*proxy));
    if (proxy->clients > 0)
        text += QLatin1Char('\n')
            + tr("It is assigned to %n clients: a proxy in use cannot be deleted. Assign those clients another proxy (or none) first.",
                 nullptr, proxy->clients);
    QMessageBox box(QMessageBox::Question, tr("Delete proxy"), text, QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("deleteProxyConfirmation"));
    box.setTextFormat(Qt::PlainText); // labels are whatever admins typed
    box.setDefaultButton(QMessageBox::Cancel);
    const QPointer<ProxiesView> alive(this);
    const int answer = box.exec();
    if (alive && answer == QMessageBox::Yes)
        discardOutcome(deleteProxy(proxyId)); // shown on the screen
}

Status ProxiesView::deleteProxy(const QString &proxyId)
{
    ProxyService *service = m_context.proxies();
    if (!mayManagePool() || !service)
        return report(service ? forbidden() : unavailable());
    const ProxyRecord *proxy = m_model->proxy(proxyId);
    const QString name = proxy ? ProxyListModel::displayName(*proxy) : proxyId;
    const Status removed = service->remove(m_context.actor(), proxyId);
    refresh(); // first: the reload shows the list's own state, then the outcome is shown over it
    if (!removed)
        return report(removed);
    showStatus(tr("Deleted the proxy %1.").arg(name));
    return {};
}

AssignProxyDialog *ProxiesView::openAssign(const QString &clientId)
{
    if (!mayAssign()) {
        discardOutcome(report(m_context.proxies() ? forbidden() : unavailable())); // shown on the screen
        return nullptr;
    }
    QList<AssignProxyDialog::Client> clients;
    for (int offset = 0;; offset += kClientPageSize) {
        Result<ClientService::Page> page = m_context.clients().list(m_context.actor(), kClientPageSize, offset);
        if (!page) {
            discardOutcome(report(page.error())); // shown on the screen
            return nullptr;
        }
        for (const ClientRecord &c : page.value().clients)
            clients << AssignProxyDialog::Client{c.id, c.name, c.proxyId, c.proxyFailover};
        if (page.value().clients.size() < kClientPageSize || offset + kClientPageSize >= page.value().total)
            break;
    }
    QList<ProxyRecord> proxies;
    for (int row = 0; row < m_model->rowCount(); ++row)
        proxies << *m_model->proxyAt(row);
    if (m_assignDialog)
        m_assignDialog->close();
    auto *dialog = new AssignProxyDialog(clients, proxies, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!clientId.isEmpty())
        dialog->setClient(clientId);
    if (!m_current.isEmpty())
        dialog->setChoice(m_current);
    connect(dialog, &AssignProxyDialog::submitted, this, &ProxiesView::submitAssign);
    m_assignDialog = dialog;
    dialog->open();
    return dialog;
}

Status ProxiesView::assignProxy(const QString &clientId, const QString &proxyIdOrAuto)
{
    ProxyService *service = m_context.proxies();
    if (!mayAssign() || !service)
        return report(service ? forbidden() : unavailable());
    const Result<QString> assigned = service->assign(m_context.actor(), clientId, proxyIdOrAuto);
    if (!assigned)
        return report(assigned.error());
    refresh();
    const ProxyRecord *proxy = m_model->proxy(assigned.value());
    showError(QString());
    showStatus(proxy ? tr("The client now uses the proxy %1.").arg(ProxyListModel::displayName(*proxy))
                     : tr("The client now connects without a proxy."));
    emit proxyAssigned(clientId);
    return {};
}

Status ProxiesView::setFailover(const QString &clientId, bool allowed)
{
    ProxyService *service = m_context.proxies();
    if (!mayAssign() || !service)
        return report(service ? forbidden() : unavailable());
    if (const Status s = service->setFailover(m_context.actor(), clientId, allowed); !s)
        return report(s);
    emit proxyAssigned(clientId);
    return {};
}

void ProxiesView::submitAssign()
{
    AssignProxyDialog *dialog = m_assignDialog;
    if (!dialog)
        return;
    const QString clientId = dialog->clientId();
    const AssignProxyDialog::Client *before = dialog->currentClient();
    const bool failoverChanged = before && before->failover != dialog->failover();
    // The proxy first: if it is refused, the failover setting stays as it was too.
    Status s = assignProxy(clientId, dialog->choice());
    if (s && failoverChanged)
        s = setFailover(clientId, dialog->failover());
    if (!s) {
        dialog->showError(errorMessageFor(s.error()));
        return;
    }
    dialog->accept();
}

} // namespace wadesk

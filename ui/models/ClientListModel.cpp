#include "ui/models/ClientListModel.h"

#include "core/events/EventBus.h"
#include "core/events/EventPayloads.h"
#include "ui/desktop/DesktopContext.h"
#include "core/engine/SessionRegistry.h"
#include "core/messaging/MessageService.h"
#include "core/sessions/ClientService.h"
#include "core/cluster/ForwardedSessions.h"
#include "core/sessions/ClientStatus.h"

#include <QTextDocument>

namespace wadesk {

namespace {
constexpr int kPageSize = 500;
constexpr int kRefreshDelayMs = 250;
} // namespace

ClientListModel::ClientListModel(DesktopContext &context, QObject *parent)
    : QAbstractListModel(parent)
    , m_context(context)
{
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(kRefreshDelayMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ClientListModel::flushRefresh);
    SessionRegistry &registry = m_context.sessions();
    connect(&registry, &SessionRegistry::snapshotChanged, this, &ClientListModel::onSnapshotChanged);
    connect(&registry, &SessionRegistry::sessionStarted, this, &ClientListModel::onSnapshotChanged);
    connect(&registry, &SessionRegistry::sessionStopped, this, &ClientListModel::onSnapshotChanged);
    connect(&m_context.events(), &EventBus::published, this, &ClientListModel::onEvent, Qt::QueuedConnection);
    if (ForwardedSessions *cluster = m_context.cluster())
        connect(cluster, &ForwardedSessions::remoteSessionsChanged, this, &ClientListModel::onRemoteSessionsChanged);
    // An agent's or viewer's assignments may change while they are signed in (the context checks
    // every few seconds): read the list again when the clients they may see changed.
    connect(&m_context, &DesktopContext::assignmentsMayHaveChanged, this, &ClientListModel::reloadIfClientsChanged);
    reload();
}

int ClientListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QString ClientListModel::stateText(SessionState state)
{
    switch (state) {
    case SessionState::Stopped: return tr("Stopped");
    case SessionState::Initializing: return tr("Starting");
    case SessionState::Qr: return tr("Scan QR");
    case SessionState::Authenticating: return tr("Linking");
    case SessionState::Ready: return tr("Ready");
    case SessionState::Disconnected: return tr("Disconnected");
    case SessionState::LoggedOut: return tr("Logged out");
    case SessionState::Paused: return tr("Paused");
    case SessionState::Failed: return tr("Failed");
    }
    return {};
}

QVariant ClientListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return r.name;
    case Qt::ToolTipRole: {
        QString tip = tr("%1 — %2").arg(r.name, stateText(r.state));
        if (!r.instance.isEmpty())
            tip += QLatin1Char('\n') + tr("Runs on %1").arg(r.instance);
        if (!r.lastError.isEmpty())
            tip += QLatin1Char('\n') + r.lastError;
        // Names and errors are user-controlled: as HTML with everything escaped, so that a tooltip
        // never interprets them as rich text.
        return Qt::convertFromPlainText(tip, Qt::WhiteSpaceNormal);
    }
    case Qt::AccessibleTextRole: {
        QString text = tr("%1, %2, %3").arg(r.name, r.phone.isEmpty() ? tr("no number linked") : r.phone, stateText(r.state));
        if (r.unread > 0)
            text += tr(", %n unread", nullptr, r.unread);
        if (r.queueDepth > 0)
            text += tr(", %n queued", nullptr, r.queueDepth);
        if (r.paused)
            text += tr(", queue paused");
        if (!r.instance.isEmpty())
            text += tr(", runs on %1").arg(r.instance);
        return text;
    }
    case ClientIdRole: return r.id;
    case PhoneRole: return r.phone;
    case StateRole: return int(r.state);
    case StateNameRole: return SessionStates::name(r.state);
    case StateTextRole: return r.instance.isEmpty() ? stateText(r.state) : tr("%1 · Runs on %2").arg(stateText(r.state), r.instance);
    case InstanceRole: return r.instance;
    case LastErrorRole: return r.lastError;
    case UnreadRole: return r.unread;
    case QueueDepthRole: return r.queueDepth;
    case PausedRole: return r.paused;
    case RunningRole: return r.running;
    default: return {};
    }
}

QHash<int, QByteArray> ClientListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(ClientIdRole, "clientId");
    names.insert(NameRole, "name");
    names.insert(PhoneRole, "phone");
    names.insert(StateRole, "state");
    names.insert(StateNameRole, "stateName");
    names.insert(StateTextRole, "stateText");
    names.insert(LastErrorRole, "lastError");
    names.insert(UnreadRole, "unread");
    names.insert(QueueDepthRole, "queueDepth");
    names.insert(PausedRole, "paused");
    names.insert(RunningRole, "running");
    names.insert(InstanceRole, "instance");
    return names;
}

QList<ClientRecord> ClientListModel::listClients(bool *ok) const
{
    QList<ClientRecord> clients;
    *ok = true;
    if (!m_context.signedIn())
        return clients;
    for (int offset = 0;; offset += kPageSize) {
        Result<ClientService::Page> page = m_context.clients().list(m_context.actor(), kPageSize, offset);
        if (!page) {
            *ok = false;
            break;
        }
        clients += page.value().clients;
        if (page.value().clients.size() < kPageSize || offset + kPageSize >= page.value().total)
            break;
    }
    return clients;
}

void ClientListModel::reload()
{
    bool ok = true;
    applyList(listClients(&ok));
}

void ClientListModel::applyList(const QList<ClientRecord> &clients)
{
    QVector<Row> rows;
    rows.reserve(clients.size());
    if (!clients.isEmpty()) {
        // Two queries for the whole list (not two per client): the paused flags (the list leaves
        // them out) and every queue depth, both for the signed-in organization.
        const Result<QSet<QString>> paused = m_context.clients().pausedIds(m_context.actor());
        const Result<QHash<QString, int>> depths = m_context.messages().queueDepths(m_context.actor());
        for (const ClientRecord &c : clients) {
            Row row;
            row.id = c.id;
            row.name = c.name;
            row.stored = c;
            // Unread counts survive a reload.
            if (const int at = m_index.value(c.id, -1); at >= 0)
                row.unread = m_rows.at(at).unread;
            if (paused)
                row.paused = paused.value().contains(c.id);
            if (depths)
                row.queueDepth = depths.value().value(c.id, 0);
            readLive(row);
            rows << row;
        }
    }
    beginResetModel();
    m_rows = std::move(rows);
    m_index.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows.at(i).id, i);
    m_dirty.clear();
    endResetModel();
}

void ClientListModel::reloadIfClientsChanged()
{
    bool ok = true;
    const QList<ClientRecord> clients = listClients(&ok);
    if (!ok)
        return; // a failed read is no reason to empty the list; the next check retries
    bool same = clients.size() == m_rows.size();
    for (int i = 0; same && i < clients.size(); ++i)
        same = clients.at(i).id == m_rows.at(i).id;
    if (!same)
        applyList(clients);
}

int ClientListModel::rowOf(const QString &clientId) const
{
    return m_index.value(clientId, -1);
}

QString ClientListModel::clientIdAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).id : QString();
}

void ClientListModel::setCurrentClient(const QString &clientId)
{
    m_current = clientId;
    const int row = rowOf(clientId);
    if (row >= 0 && m_rows[row].unread != 0) {
        m_rows[row].unread = 0;
        emitRow(row, {UnreadRole, Qt::AccessibleTextRole});
    }
}

void ClientListModel::readLive(Row &row) const
{
    const SessionRegistry &registry = m_context.sessions();
    row.running = registry.session(row.id) != nullptr;
    std::optional<SessionSnapshot> live = registry.snapshot(row.id);
    row.instance.clear();
    // A session another instance drives shows the state that instance stored, and where it runs.
    if (ForwardedSessions *cluster = m_context.cluster(); cluster && !row.running) {
        if (std::optional<SessionSnapshot> there = cluster->snapshot(row.id); there && !there->instance.isEmpty()) {
            row.instance = there->instance;
            live = there;
        }
    }
    const ClientStatus now = ClientStatus::of(row.stored, live);
    row.state = now.state;
    row.lastError = now.lastError;
    row.phone = now.phoneNumber.isEmpty() || now.phoneNumber.startsWith(QLatin1Char('+')) ? now.phoneNumber
                                                                                          : QLatin1Char('+') + now.phoneNumber;
}

void ClientListModel::readStored(Row &row) const
{
    Result<ClientRecord> record = m_context.clients().get(m_context.actor(), row.id);
    if (record) {
        row.name = record.value().name;
        row.stored = record.value();
        row.paused = record.value().paused;
    }
    if (Result<int> depth = m_context.messages().queueDepth(m_context.actor(), row.id))
        row.queueDepth = depth.value();
}

void ClientListModel::emitRow(int row, const QVector<int> &roles)
{
    const QModelIndex at = index(row, 0);
    emit dataChanged(at, at, roles);
}

void ClientListModel::onSnapshotChanged(const QString &clientId)
{
    const int row = rowOf(clientId);
    if (row < 0)
        return;
    Row &r = m_rows[row];
    const SessionState before = r.state;
    const QString phone = r.phone;
    const QString error = r.lastError;
    const bool running = r.running;
    const QString instance = r.instance;
    // Logged out, the account's number is gone from the row too (the stored one follows).
    if (const std::optional<SessionSnapshot> snap = m_context.sessions().snapshot(clientId); snap && snap->state == SessionState::LoggedOut)
        r.stored.phoneNumber.clear();
    readLive(r);
    if (r.state != before || r.phone != phone || r.lastError != error || r.running != running || r.instance != instance)
        emitRow(row);
    // Pause and resume, a link and a logout show here first; the stored row follows.
    if (r.state != before)
        scheduleRefresh(clientId);
}

void ClientListModel::onRemoteSessionsChanged()
{
    // Few rows change at a time, and each check is a lookup in memory: every row is looked at.
    QStringList ids;
    for (const Row &r : std::as_const(m_rows))
        ids << r.id;
    for (const QString &id : std::as_const(ids))
        onSnapshotChanged(id);
}

void ClientListModel::onEvent(const Event &event)
{
    if (event.organizationId != m_context.actor().organizationId)
        return;
    const QString clientId = clientIdOf(event);
    const int row = rowOf(clientId);
    if (row < 0)
        return;
    if (event.is(EventType::MessageReceived)) {
        if (clientId != m_current) {
            ++m_rows[row].unread;
            emitRow(row, {UnreadRole, Qt::AccessibleTextRole});
        }
    } else if (event.is(EventType::MessageSent) || event.is(EventType::MessageFailed) || event.is(EventType::ClientPaused)) {
        scheduleRefresh(clientId);
    }
}

void ClientListModel::scheduleRefresh(const QString &clientId)
{
    if (rowOf(clientId) < 0)
        return;
    m_dirty.insert(clientId);
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void ClientListModel::refreshClient(const QString &clientId)
{
    const int row = rowOf(clientId);
    if (row < 0)
        return;
    Row &r = m_rows[row];
    const Row before = r;
    readStored(r);
    readLive(r);
    if (r.name != before.name || r.phone != before.phone || r.paused != before.paused || r.queueDepth != before.queueDepth
        || r.state != before.state || r.lastError != before.lastError || r.running != before.running)
        emitRow(row);
}

void ClientListModel::flushRefresh()
{
    const QSet<QString> dirty = std::exchange(m_dirty, {});
    for (const QString &id : dirty)
        refreshClient(id);
}

} // namespace wadesk

#include "ui/models/ProxyListModel.h"

#include "core/proxies/ProxyService.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/main/Icons.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QLocale>

namespace wadesk {

ProxyListModel::ProxyListModel(DesktopContext &context, QObject *parent)
    : QAbstractTableModel(parent)
    , m_context(context)
{
    reload();
}

int ProxyListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_proxies.size());
}

int ProxyListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

ProxyListModel::Health ProxyListModel::healthOf(const ProxyRecord &proxy)
{
    if (!proxy.healthy.has_value())
        return Health::NotChecked;
    return *proxy.healthy ? Health::Healthy : Health::Unreachable;
}

QString ProxyListModel::healthText(const ProxyRecord &proxy)
{
    switch (healthOf(proxy)) {
    case Health::Healthy:
        return proxy.latencyMs >= 0 ? tr("Healthy (%1 ms)").arg(proxy.latencyMs) : tr("Healthy");
    case Health::Unreachable:
        return proxy.lastError.isEmpty() ? tr("Unreachable") : tr("Unreachable: %1").arg(proxy.lastError);
    case Health::NotChecked:
        break;
    }
    return tr("Not checked yet");
}

QString ProxyListModel::typeText(ProxyEndpoint::Type type)
{
    switch (type) {
    case ProxyEndpoint::Type::Http: return tr("HTTP");
    case ProxyEndpoint::Type::Socks5: return tr("SOCKS5");
    }
    return {};
}

QString ProxyListModel::addressOf(const ProxyRecord &proxy)
{
    // An IPv6 literal gets brackets, so its port cannot be mistaken for a part of it.
    const QString host = proxy.host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(proxy.host) : proxy.host;
    return QStringLiteral("%1:%2").arg(host).arg(proxy.port);
}

QString ProxyListModel::displayName(const ProxyRecord &proxy)
{
    return proxy.label.isEmpty() ? addressOf(proxy) : proxy.label;
}

QVariant ProxyListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ProxyRecord &p = m_proxies.at(index.row());
    const Health health = healthOf(p);
    const QString lastChecked = p.lastCheckedAt > 0
        ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(p.lastCheckedAt).toLocalTime(), QLocale::ShortFormat)
        : tr("Never");
    const QString clients = tr("%1 of %2").arg(p.clients).arg(p.maxClients);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case LabelColumn: return displayName(p);
        case TypeColumn: return typeText(p.type);
        case AddressColumn: return addressOf(p);
        case CountryColumn: return p.country;
        case ClientsColumn: return clients;
        case HealthColumn: return healthText(p);
        case LastCheckedColumn: return lastChecked;
        default: return {};
        }
    case Qt::DecorationRole:
        if (index.column() == HealthColumn) {
            const Icons::Tone tone = health == Health::Healthy ? Icons::Tone::Good
                : health == Health::Unreachable               ? Icons::Tone::Bad
                                                              : Icons::Tone::Neutral;
            return Icons::badgeColor(QGuiApplication::palette(), tone);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == HealthColumn && health == Health::Unreachable && p.lastErrorAt > 0)
            return tr("%1\nsince %2").arg(healthText(p), QLocale().toString(QDateTime::fromMSecsSinceEpoch(p.lastErrorAt).toLocalTime(),
                                                                             QLocale::ShortFormat));
        if (index.column() == HealthColumn && !p.exitAddress.isEmpty())
            return tr("%1\nExit address: %2").arg(healthText(p), p.exitAddress);
        return data(index, Qt::AccessibleTextRole);
    case Qt::AccessibleTextRole:
        return tr("%1, %2 %3, %4 clients, %5").arg(displayName(p), typeText(p.type), addressOf(p), clients, healthText(p));
    case Qt::TextAlignmentRole:
        if (index.column() == ClientsColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case ProxyIdRole: return p.id;
    case LabelRole: return p.label;
    case AddressRole: return addressOf(p);
    case HealthRole: return int(health);
    case LatencyRole: return p.latencyMs;
    case LastErrorRole: return p.lastError;
    case ClientsRole: return p.clients;
    case MaxClientsRole: return p.maxClients;
    case FullRole: return p.clients >= p.maxClients;
    default: return {};
    }
}

QVariant ProxyListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LabelColumn: return tr("Label");
    case TypeColumn: return tr("Type");
    case AddressColumn: return tr("Address");
    case CountryColumn: return tr("Country");
    case ClientsColumn: return tr("Clients");
    case HealthColumn: return tr("Health");
    case LastCheckedColumn: return tr("Last checked");
    default: return {};
    }
}

QHash<int, QByteArray> ProxyListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(ProxyIdRole, "proxyId");
    names.insert(LabelRole, "label");
    names.insert(AddressRole, "address");
    names.insert(HealthRole, "health");
    names.insert(LatencyRole, "latencyMs");
    names.insert(LastErrorRole, "lastError");
    names.insert(ClientsRole, "clients");
    names.insert(MaxClientsRole, "maxClients");
    names.insert(FullRole, "full");
    return names;
}

bool ProxyListModel::reload()
{
    QList<ProxyRecord> proxies;
    QString error;
    ProxyService *service = m_context.proxies();
    if (!m_context.signedIn() || !m_context.actor().can(Permission::ManageClients)) {
        error = tr("Your role may not see the proxies.");
    } else if (!service) {
        error = tr("Proxies are not available: WaDesk runs without its secret store.");
    } else {
        Result<QList<ProxyRecord>> listed = service->list(m_context.actor());
        if (listed)
            proxies = listed.value();
        else
            error = errorMessageFor(listed.error());
    }
    beginResetModel();
    m_proxies = std::move(proxies);
    m_lastError = error;
    endResetModel();
    return error.isEmpty();
}

int ProxyListModel::rowOf(const QString &proxyId) const
{
    for (int i = 0; i < m_proxies.size(); ++i) {
        if (m_proxies.at(i).id == proxyId)
            return i;
    }
    return -1;
}

QString ProxyListModel::proxyIdAt(int row) const
{
    return row >= 0 && row < m_proxies.size() ? m_proxies.at(row).id : QString();
}

const ProxyRecord *ProxyListModel::proxyAt(int row) const
{
    return row >= 0 && row < m_proxies.size() ? &m_proxies.at(row) : nullptr;
}

const ProxyRecord *ProxyListModel::proxy(const QString &proxyId) const
{
    return proxyAt(rowOf(proxyId));
}

} // namespace wadesk

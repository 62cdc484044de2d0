#include "ui/models/AuditLogModel.h"

#include "core/audit/AuditService.h"
#include "core/auth/TeamService.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/WebhookListModel.h"

#include <QJsonDocument>
#include <QSet>
#include <algorithm>

namespace wadesk {

namespace {
constexpr int kPageSize = 500;
}

AuditLogModel::AuditLogModel(DesktopContext &context, QObject *parent)
    : QAbstractTableModel(parent)
    , m_context(context)
{
    load(0, 0);
}

int AuditLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int AuditLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QString AuditLogModel::memberName(const QString &userId) const
{
    if (userId.isEmpty())
        return tr("System");
    return m_names.value(userId, userId);
}

QVariant AuditLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AuditEntry &e = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn: return WebhookListModel::timeText(e.createdAt);
        case MemberColumn: return memberName(e.userId);
        case ActionColumn: return e.action;
        case ResourceColumn: return e.resource;
        case ResourceIdColumn: return e.resourceId;
        case AddressColumn: return e.ipAddress;
        default: return {};
        }
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        return tr("%1: %2 %3 %4 by %5").arg(WebhookListModel::timeText(e.createdAt), e.action, e.resource, e.resourceId, memberName(e.userId));
    case EntryIdRole: return e.id;
    case UserIdRole: return e.userId;
    case ActionRole: return e.action;
    case ResourceRole: return e.resource;
    case DetailsRole: return QString::fromUtf8(QJsonDocument(e.details).toJson(QJsonDocument::Indented));
    case CreatedAtRole: return e.createdAt;
    case SeqRole: return e.seq;
    default: return {};
    }
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn: return tr("Time");
    case MemberColumn: return tr("Member");
    case ActionColumn: return tr("Action");
    case ResourceColumn: return tr("Resource");
    case ResourceIdColumn: return tr("Resource ID");
    case AddressColumn: return tr("Address");
    default: return {};
    }
}

bool AuditLogModel::load(qint64 since, qint64 until)
{
    QList<AuditEntry> entries;
    QHash<QString, QString> names;
    QString error;
    bool truncated = false;
    const AuthContext &actor = m_context.actor();
    if (!m_context.signedIn() || !actor.can(Permission::ViewAuditLogs)) {
        error = tr("Your role may not view the audit log.");
    } else {
        QString before;
        while (entries.size() < kMaxEntries) {
            AuditQuery query;
            query.since = since;
            query.until = until;
            query.limit = kPageSize;
            Result<AuditService::Page> page = m_context.services().audit().list(actor, query, before);
            if (!page) {
                error = errorMessageFor(page.error());
                break;
            }
            entries << page.value().entries;
            if (!page.value().info.hasMore || page.value().entries.isEmpty())
                break;
            before = page.value().entries.last().id;
        }
        if (entries.size() > kMaxEntries) {
            entries.resize(kMaxEntries);
            truncated = true;
        } else if (entries.size() == kMaxEntries) {
            truncated = true; // the loop stopped at the cap: more may follow
        }
        if (actor.can(Permission::ManageTeam)) {
            for (int offset = 0;; offset += kPageSize) {
                Result<TeamService::Page> team = m_context.team().listMembers(actor, kPageSize, offset);
                if (!team)
                    break; // the entries still show, with member ids
                for (const UserRecord &u : team.value().users)
                    names.insert(u.id, u.name);
                if (team.value().users.size() < kPageSize)
                    break;
            }
        }
    }
    beginResetModel();
    m_entries = std::move(entries);
    m_names = std::move(names);
    m_since = since;
    m_until = until;
    m_truncated = truncated;
    m_lastError = error;
    endResetModel();
    return error.isEmpty();
}

const AuditEntry *AuditLogModel::entryAt(int row) const
{
    return row >= 0 && row < m_entries.size() ? &m_entries.at(row) : nullptr;
}

int AuditLogModel::rowOf(const QString &entryId) const
{
    for (int i = 0; i < m_entries.size(); ++i) {
        if (m_entries.at(i).id == entryId)
            return i;
    }
    return -1;
}

QList<QPair<QString, QString>> AuditLogModel::members() const
{
    QSet<QString> seen;
    QList<QPair<QString, QString>> out;
    for (const AuditEntry &e : m_entries) {
        if (!seen.contains(e.userId)) {
            seen.insert(e.userId);
            out << qMakePair(e.userId, memberName(e.userId));
        }
    }
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.second.localeAwareCompare(b.second) < 0; });
    return out;
}

QStringList AuditLogModel::actions() const
{
    QSet<QString> set;
    for (const AuditEntry &e : m_entries)
        set.insert(e.action);
    QStringList out(set.begin(), set.end());
    out.sort();
    return out;
}

QStringList AuditLogModel::resources() const
{
    QSet<QString> set;
    for (const AuditEntry &e : m_entries)
        set.insert(e.resource);
    QStringList out(set.begin(), set.end());
    out.sort();
    return out;
}

const QString AuditFilterModel::kSystem = QStringLiteral("-");

AuditFilterModel::AuditFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
}

void AuditFilterModel::refilter()
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 10, 0)
    beginFilterChange();
    endFilterChange(QSortFilterProxyModel::Direction::Rows);
#else
    invalidateFilter();
#endif
}

void AuditFilterModel::setMember(const QString &userId)
{
    if (userId == m_member)
        return;
    m_member = userId;
    refilter();
}

void AuditFilterModel::setAction(const QString &action)
{
    if (action == m_action)
        return;
    m_action = action;
    refilter();
}

void AuditFilterModel::setResource(const QString &resource)
{
    if (resource == m_resource)
        return;
    m_resource = resource;
    refilter();
}

bool AuditFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex at = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_member.isEmpty()) {
        const QString userId = at.data(AuditLogModel::UserIdRole).toString();
        if (m_member == kSystem ? !userId.isEmpty() : userId != m_member)
            return false;
    }
    if (!m_action.isEmpty() && at.data(AuditLogModel::ActionRole).toString() != m_action)
        return false;
    if (!m_resource.isEmpty() && at.data(AuditLogModel::ResourceRole).toString() != m_resource)
        return false;
    return true;
}

} // namespace wadesk

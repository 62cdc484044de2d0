#include "core/auth/OrganizationService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditedChange.h"
#include "core/db/SqlRunner.h"

#include <QTimeZone>

namespace wadesk {

bool OrganizationService::isKnownTimeZone(const QString &ianaName)
{
    if (ianaName.isEmpty() || ianaName.size() > 64)
        return false;
    for (const QChar c : ianaName) {
        const bool allowed = (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) || (c >= QLatin1Char('a') && c <= QLatin1Char('z'))
                             || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('/') || c == QLatin1Char('_')
                             || c == QLatin1Char('-') || c == QLatin1Char('+');
        if (!allowed)
            return false;
    }
    const QByteArray id = ianaName.toLatin1();
    return QTimeZone::isTimeZoneIdAvailable(id) && QTimeZone(id).isValid();
}

Result<OrganizationInfo> OrganizationService::read(const QString &organizationId)
{
    SqlRunner sql(m_database);
    Result<std::optional<OrganizationInfo>> found = sql.query(
        QStringLiteral("SELECT id, name, time_zone, created_at, updated_at FROM organizations WHERE id = ?"), {organizationId},
        "organizations.find", [](QSqlQuery &q) -> std::optional<OrganizationInfo> {
            if (!q.next())
                return std::nullopt;
            OrganizationInfo o;
            o.id = q.value(0).toString();
            o.name = q.value(1).toString();
            o.timeZone = q.value(2).toString();
            o.createdAt = q.value(3).toLongLong();
            o.updatedAt = q.value(4).toLongLong();
            return o;
        });
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Organization"));
    return *found.value();
}

Result<OrganizationInfo> OrganizationService::get(const AuthContext &actor)
{
    return read(actor.organizationId);
}

Result<QString> OrganizationService::timeZoneOf(const QString &organizationId)
{
    Result<OrganizationInfo> o = read(organizationId);
    if (!o)
        return o.error();
    return o.value().timeZone;
}

Result<OrganizationInfo> OrganizationService::setTimeZone(const AuthContext &actor, const QString &ianaName)
{
    if (Status s = actor.require(Permission::ManageOrganization); !s)
        return s.error();
    if (!isKnownTimeZone(ianaName)) {
        DomainError e = DomainError::badRequest(QStringLiteral("time_zone must be an IANA time zone name such as Europe/Paris"),
                                                QStringLiteral("invalid_time_zone"));
        return e;
    }
    Status done = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        Result<int> changed = write.sql.change(QStringLiteral("UPDATE organizations SET time_zone = ?, updated_at = ? WHERE id = ?"),
                                               {ianaName, m_clock.nowMs(), actor.organizationId}, "organizations.time_zone");
        if (!changed)
            return changed.error();
        if (changed.value() == 0)
            return DomainError::notFound(QStringLiteral("Organization"));
        return write.audit.append(auditBy(actor, QStringLiteral("update_organization"), QStringLiteral("organizations"),
                                          actor.organizationId, QJsonObject{{QStringLiteral("time_zone"), ianaName}}));
    }, m_clock);
    if (!done)
        return done.error();
    return read(actor.organizationId);
}

Result<OrganizationInfo> OrganizationService::rename(const AuthContext &actor, const QString &name)
{
    if (Status s = actor.require(Permission::ManageOrganization); !s)
        return s.error();
    const QString trimmed = name.trimmed();
    bool printable = true;
    for (const QChar c : trimmed)
        printable = printable && c.category() != QChar::Other_Control;
    if (trimmed.isEmpty() || trimmed.size() > 200 || !printable)
        return DomainError::validation(QStringLiteral("name"), QStringLiteral("name must be 1 to 200 characters without control characters"));
    Status done = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        Result<int> changed = write.sql.change(QStringLiteral("UPDATE organizations SET name = ?, updated_at = ? WHERE id = ?"),
                                               {trimmed, m_clock.nowMs(), actor.organizationId}, "organizations.name");
        if (!changed)
            return changed.error();
        if (changed.value() == 0)
            return DomainError::notFound(QStringLiteral("Organization"));
        return write.audit.append(auditBy(actor, QStringLiteral("update_organization"), QStringLiteral("organizations"),
                                          actor.organizationId, QJsonObject{{QStringLiteral("name"), trimmed}}));
    }, m_clock);
    if (!done)
        return done.error();
    return read(actor.organizationId);
}

} // namespace wadesk

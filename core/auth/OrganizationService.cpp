#include "core/auth/OrganizationService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditedChange.h"
#include "core/db/SqlRunner.h"

#include <QStringList>
#include <QTimeZone>
#include <QVariant>

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
    return update(actor, Change{std::nullopt, ianaName});
}

Result<OrganizationInfo> OrganizationService::rename(const AuthContext &actor, const QString &name)
{
    return update(actor, Change{name, std::nullopt});
}

Result<OrganizationInfo> OrganizationService::update(const AuthContext &actor, const Change &change)
{
    if (Status s = actor.require(Permission::ManageOrganization); !s)
        return s.error();
    // Everything is checked before anything is written: a bad zone does not leave a new name.
    QString name;
    if (change.name) {
        name = change.name->trimmed();
        bool printable = true;
        for (const QChar c : name)
            printable = printable && c.category() != QChar::Other_Control;
        if (name.isEmpty() || name.size() > 200 || !printable)
            return DomainError::validation(QStringLiteral("name"), QStringLiteral("name must be 1 to 200 characters without control characters"));
    }
    if (change.timeZone && !isKnownTimeZone(*change.timeZone))
        return DomainError::badRequest(QStringLiteral("time_zone must be an IANA time zone name such as Europe/Paris"),
                                       QStringLiteral("invalid_time_zone"));
    if (!change.name && !change.timeZone)
        return DomainError::validation(QStringLiteral("time_zone"), QStringLiteral("give name and/or time_zone"));
    QStringList columns;
    QVariantList bind;
    QJsonObject details;
    if (change.name) {
        columns << QStringLiteral("name = ?");
        bind << name;
        details.insert(QStringLiteral("name"), name);
    }
    if (change.timeZone) {
        columns << QStringLiteral("time_zone = ?");
        bind << *change.timeZone;
        details.insert(QStringLiteral("time_zone"), *change.timeZone);
    }
    Status done = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        QVariantList values = bind;
        values << m_clock.nowMs() << actor.organizationId;
        Result<int> changed = write.sql.change(
            QStringLiteral("UPDATE organizations SET %1, updated_at = ? WHERE id = ?").arg(columns.join(QStringLiteral(", "))), values,
            "organizations.update");
        if (!changed)
            return changed.error();
        if (changed.value() == 0)
            return DomainError::notFound(QStringLiteral("Organization"));
        return write.audit.append(
            auditBy(actor, QStringLiteral("update_organization"), QStringLiteral("organizations"), actor.organizationId, details));
    }, m_clock);
    if (!done)
        return done.error();
    return read(actor.organizationId);
}

} // namespace wadesk

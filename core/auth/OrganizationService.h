#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QString>
#include <optional>

namespace wadesk {

class Database;

struct OrganizationInfo {
    QString id;
    QString name;
    QString timeZone; // IANA name; "UTC" until an admin sets another
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

// The caller's organization and its settings that are columns of its own (the time zone in
// which analytics cut days). Any member reads it; changing it needs can_manage_organization.
class OrganizationService {
public:
    OrganizationService(Database &database, const Clock &clock = Clock::system())
        : m_database(database)
        , m_clock(clock)
    {
    }

    Result<OrganizationInfo> get(const AuthContext &actor);
    // 400 invalid_time_zone unless `ianaName` is a zone this system knows; audited.
    Result<OrganizationInfo> setTimeZone(const AuthContext &actor, const QString &ianaName);
    // The organization's name, 1 to 200 characters as at registration (surrounding spaces
    // dropped, no control characters); needs can_manage_organization; audited.
    Result<OrganizationInfo> rename(const AuthContext &actor, const QString &name);
    // Both at once (PATCH /api/organization): each given one is checked as above before either
    // is written; one audit entry.
    struct Change {
        std::optional<QString> name;
        std::optional<QString> timeZone;
    };
    Result<OrganizationInfo> update(const AuthContext &actor, const Change &change);

    // Engine/analytics side (no actor): the organization's zone; 404 when it does not exist.
    Result<QString> timeZoneOf(const QString &organizationId);
    // Whether `ianaName` names a time zone QTimeZone can compute (length and characters checked
    // first, so no odd byte reaches the zone database).
    static bool isKnownTimeZone(const QString &ianaName);

private:
    Result<OrganizationInfo> read(const QString &organizationId);

    Database &m_database;
    const Clock &m_clock;
};

} // namespace wadesk

#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QString>
#include <optional>

namespace wadesk {

class Database;

// Key/value settings kept in the database: per organization, or installation-wide with the
// organization id "" (kInstallation).
class SettingsRepository {
public:
    static inline const QString kInstallation = QString();

    explicit SettingsRepository(Database &database, const Clock &clock = Clock::system());
    Result<std::optional<QString>> get(const QString &organizationId, const QString &key);
    Status set(const QString &organizationId, const QString &key, const QString &value);
    // Stores the value only when the key has none yet; true when it was stored. Atomic, so of
    // several instances racing to record a value exactly one wins.
    Result<bool> insertIfAbsent(const QString &organizationId, const QString &key, const QString &value);

private:
    Database &m_database;
    const Clock &m_clock;
};

} // namespace wadesk

#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace wadesk {

// Where WaDesk's master key lives. The master key (32 bytes) encrypts every secret at rest
// (webhook secrets, proxy passwords, the JWT signing key) through AesGcm.
class SecretStore {
public:
    virtual ~SecretStore() = default;
    // "keychain", "env" or "file"
    virtual QString backend() const = 0;
    // A sentence for the log and the GUI: which backend and where.
    virtual QString description() const = 0;
    // Returns the master key, creating and storing one on first use where the backend can.
    virtual Result<QByteArray> loadOrCreateMasterKey() = 0;
    // The key already stored here, never creating one: nullopt when none is stored yet. For the
    // maintenance commands (backup, restore), which must find out which key WaDesk will use
    // without leaving a new one behind.
    virtual Result<std::optional<QByteArray>> loadExistingMasterKey() = 0;
    // Stores `key` where none is stored yet (a restore bringing the archive's key back); a
    // backend that cannot store (the environment variable) refuses.
    virtual Status installMasterKey(const QByteArray &key) = 0;
};

} // namespace wadesk

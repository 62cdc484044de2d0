#pragma once

#include "common/DomainError.h"

#include <QByteArray>
#include <QString>

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
};

} // namespace wadesk

#pragma once

#include "core/common/DomainError.h"
#include "core/secrets/SecretStore.h"

#include <QProcessEnvironment>
#include <memory>
#include <optional>

namespace wadesk {

// The master key WaDesk will use for a data directory, found the way WaDesk finds it at start
// (SecretStoreSelector: WADESK_MASTER_KEY, then the keychain, then the key file) but without
// creating one: a backup or a restore must not leave a new key behind.
struct LocatedMasterKey {
    std::unique_ptr<SecretStore> store;
    std::optional<QByteArray> key; // nullopt: that store holds no key yet
};

namespace MasterKeyLocator {
Result<LocatedMasterKey> locate(const QString &backendSetting, const QString &dataDir, const QProcessEnvironment &env,
                                int keychainTimeoutMs);
} // namespace MasterKeyLocator

} // namespace wadesk

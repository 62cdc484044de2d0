#pragma once

#include "core/common/DomainError.h"
#include "core/secrets/SecretStore.h"

#include <QProcessEnvironment>
#include <memory>

namespace wadesk {

class KeychainSecretStore;

// Picks where the master key lives, in this order for `auto`:
//   1. WADESK_MASTER_KEY when set (servers, CI);
//   2. the system keychain when one answers;
//   3. a 0600 key file in the data directory, with a warning, when no keychain exists.
// A keychain that exists but refuses (locked, denied, no answer) is an error, never a silent
// fall-back: a key created elsewhere would not open what the keychain's key sealed.
struct SecretStoreChoice {
    std::unique_ptr<SecretStore> store;
    QString reason; // why this one; logged at start and shown in the GUI
};

class SecretStoreSelector {
public:
    // `keychainFactory` lets tests give a keychain store with a short timeout.
    static Result<SecretStoreChoice> select(const QString &backendSetting, const QString &dataDir,
                                            const QProcessEnvironment &env, int keychainTimeoutMs = 15000);
    static QString keyFilePath(const QString &dataDir);
};

} // namespace wadesk

#include "core/maintenance/MasterKeyLocator.h"

#include "core/secrets/SecretStoreSelector.h"

namespace wadesk::MasterKeyLocator {

Result<LocatedMasterKey> locate(const QString &backendSetting, const QString &dataDir, const QProcessEnvironment &env,
                                int keychainTimeoutMs)
{
    Result<SecretStoreChoice> choice = SecretStoreSelector::select(backendSetting, dataDir, env, keychainTimeoutMs);
    if (!choice)
        return choice.error();
    LocatedMasterKey located;
    located.store = std::move(choice.value().store);
    Result<std::optional<QByteArray>> key = located.store->loadExistingMasterKey();
    if (!key)
        return key.error();
    located.key = key.value();
    return located;
}

} // namespace wadesk::MasterKeyLocator

#include "core/secrets/SecretStoreSelector.h"

#include "core/secrets/EnvironmentSecretStore.h"
#include "core/secrets/FileSecretStore.h"
#include "core/secrets/KeychainSecretStore.h"

namespace wadesk {

QString SecretStoreSelector::keyFilePath(const QString &dataDir)
{
    return dataDir + QStringLiteral("/master.key");
}

Result<SecretStoreChoice> SecretStoreSelector::select(const QString &backendSetting, const QString &dataDir,
                                                      const QProcessEnvironment &env, int keychainTimeoutMs)
{
    const QString envKey = env.value(QStringLiteral("WADESK_MASTER_KEY"));
    const QString setting = backendSetting.isEmpty() ? QStringLiteral("auto") : backendSetting;

    if (setting == QLatin1String("env") || (setting == QLatin1String("auto") && !envKey.isEmpty())) {
        if (envKey.isEmpty())
            return DomainError::badRequest(QStringLiteral("secrets/backend is 'env' but WADESK_MASTER_KEY is not set"),
                                           QStringLiteral("invalid_master_key"));
        return SecretStoreChoice{std::make_unique<EnvironmentSecretStore>(envKey),
                                 QStringLiteral("WADESK_MASTER_KEY is set")};
    }
    if (setting == QLatin1String("file"))
        return SecretStoreChoice{std::make_unique<FileSecretStore>(keyFilePath(dataDir)),
                                 QStringLiteral("secrets/backend is 'file'")};

    auto keychain = std::make_unique<KeychainSecretStore>(dataDir, keychainTimeoutMs);
    const KeychainSecretStore::Probe probe = keychain->probe();
    switch (probe.availability) {
    case KeychainSecretStore::Availability::Available:
        return SecretStoreChoice{std::move(keychain), QStringLiteral("the system keychain is available")};
    case KeychainSecretStore::Availability::Refused:
        return DomainError::unavailable(
            QStringLiteral("the system keychain exists but refused access (%1). Unlock it and start again, or "
                           "choose another place for the master key: WADESK_MASTER_KEY, or secrets/backend=file")
                .arg(probe.detail),
            QStringLiteral("keychain_refused"));
    case KeychainSecretStore::Availability::NoBackend:
        if (setting == QLatin1String("keychain"))
            return DomainError::unavailable(
                QStringLiteral("secrets/backend is 'keychain' but no keychain is available here (%1)").arg(probe.detail),
                QStringLiteral("keychain_unavailable"));
        return SecretStoreChoice{std::make_unique<FileSecretStore>(keyFilePath(dataDir)),
                                 QStringLiteral("no system keychain is available (%1)").arg(probe.detail)};
    }
    return DomainError::internal();
}

} // namespace wadesk

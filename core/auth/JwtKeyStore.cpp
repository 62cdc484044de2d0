#include "core/auth/JwtKeyStore.h"

#include "core/db/SettingsRepository.h"
#include "core/secrets/AesGcm.h"

namespace wadesk::JwtKeyStore {

namespace {
const QString kSetting = QStringLiteral("auth.jwt_signing_key");
const QByteArray kAssociatedData = QByteArrayLiteral("settings:auth.jwt_signing_key");
} // namespace

Result<QByteArray> loadOrCreate(SettingsRepository &settings, const AesGcm &cipher)
{
    Result<std::optional<QString>> stored = settings.get(SettingsRepository::kInstallation, kSetting);
    if (!stored)
        return stored.error();
    if (stored.value()) {
        const std::optional<QByteArray> key = cipher.open(stored.value()->toLatin1(), kAssociatedData);
        if (!key || key->size() != 32)
            return DomainError::internal(QStringLiteral("the stored JWT signing key cannot be opened with this master key"));
        return *key;
    }
    const QByteArray key = AesGcm::randomBytes(32);
    // Two instances starting together may both get here; the second write wins and the first
    // instance's tokens become invalid, which only matters in the first seconds of a new install.
    if (Status s = settings.set(SettingsRepository::kInstallation, kSetting, QString::fromLatin1(cipher.seal(key, kAssociatedData))); !s)
        return s.error();
    return key;
}

} // namespace wadesk::JwtKeyStore

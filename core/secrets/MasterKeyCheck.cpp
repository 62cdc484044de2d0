#include "core/secrets/MasterKeyCheck.h"

#include "core/db/SettingsRepository.h"

#include <QMessageAuthenticationCode>
#include <openssl/crypto.h>

namespace wadesk::MasterKeyCheck {

namespace {
const QString kSettingKey = QStringLiteral("secrets.master_key_fingerprint");
}

QByteArray fingerprint(const QByteArray &masterKey)
{
    return QMessageAuthenticationCode::hash(QByteArrayLiteral("wadesk master key fingerprint v1"), masterKey,
                                            QCryptographicHash::Sha256)
        .toHex();
}

Status verifyOrRecord(SettingsRepository &settings, const QByteArray &masterKey, const QString &source)
{
    const QByteArray expected = fingerprint(masterKey);
    Result<std::optional<QString>> stored = settings.get(SettingsRepository::kInstallation, kSettingKey);
    if (!stored)
        return stored.error();
    if (!stored.value().has_value()) {
        // First start. Insert-if-absent, not upsert: when several instances sharing the database
        // start at once, only one records its fingerprint and the others are compared with it.
        const Result<bool> recorded =
            settings.insertIfAbsent(SettingsRepository::kInstallation, kSettingKey, QString::fromLatin1(expected));
        if (!recorded)
            return recorded.error();
        if (recorded.value())
            return {};
        stored = settings.get(SettingsRepository::kInstallation, kSettingKey);
        if (!stored)
            return stored.error();
        if (!stored.value().has_value())
            return DomainError::internal(QStringLiteral("the master key fingerprint could not be recorded"));
    }
    const QByteArray actual = stored.value()->toLatin1();
    if (actual.size() != expected.size() || CRYPTO_memcmp(actual.constData(), expected.constData(), size_t(actual.size())) != 0)
        return DomainError::conflict(
            QStringLiteral("the master key from %1 is not the one this database's secrets were sealed with; "
                           "restore the original key (keychain entry, key file or WADESK_MASTER_KEY)")
                .arg(source),
            QStringLiteral("key_mismatch"));
    return {};
}

} // namespace wadesk::MasterKeyCheck

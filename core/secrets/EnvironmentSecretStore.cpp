#include "core/secrets/EnvironmentSecretStore.h"

#include "core/secrets/AesGcm.h"

#include <QRegularExpression>

namespace wadesk {

EnvironmentSecretStore::EnvironmentSecretStore(QString hexKey)
    : m_hexKey(std::move(hexKey))
{
}

QString EnvironmentSecretStore::description() const
{
    return QStringLiteral("master key from the WADESK_MASTER_KEY environment variable");
}

Result<QByteArray> EnvironmentSecretStore::loadOrCreateMasterKey()
{
    static const QRegularExpression hex64(QStringLiteral("^[0-9a-fA-F]{64}$"));
    const QString trimmed = m_hexKey.trimmed();
    if (!hex64.match(trimmed).hasMatch())
        return DomainError::badRequest(QStringLiteral("WADESK_MASTER_KEY must be 64 hexadecimal characters (32 bytes)"),
                                       QStringLiteral("invalid_master_key"));
    return QByteArray::fromHex(trimmed.toLatin1());
}

Result<std::optional<QByteArray>> EnvironmentSecretStore::loadExistingMasterKey()
{
    Result<QByteArray> key = loadOrCreateMasterKey(); // nothing is created: it only reads the variable
    if (!key)
        return key.error();
    return std::optional<QByteArray>(key.value());
}

Status EnvironmentSecretStore::installMasterKey(const QByteArray &)
{
    return DomainError::badRequest(QStringLiteral("the master key comes from WADESK_MASTER_KEY, which WaDesk cannot set"),
                                   QStringLiteral("key_not_installable"));
}

} // namespace wadesk

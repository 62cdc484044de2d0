#pragma once

#include "core/secrets/SecretStore.h"

namespace wadesk {

// The master key given as WADESK_MASTER_KEY (64 hexadecimal characters): for servers and CI,
// where a secrets manager injects it.
class EnvironmentSecretStore final : public SecretStore {
public:
    explicit EnvironmentSecretStore(QString hexKey);
    QString backend() const override { return QStringLiteral("env"); }
    QString description() const override;
    Result<QByteArray> loadOrCreateMasterKey() override;
    Result<std::optional<QByteArray>> loadExistingMasterKey() override;
    Status installMasterKey(const QByteArray &key) override;

private:
    QString m_hexKey;
};

} // namespace wadesk

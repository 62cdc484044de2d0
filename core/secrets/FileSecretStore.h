#pragma once

#include "core/secrets/SecretStore.h"

namespace wadesk {

// The master key in a file readable only by its owner (0600), created on first use. For
// machines without a keychain. A key file that others can read is refused, as ssh does.
class FileSecretStore final : public SecretStore {
public:
    explicit FileSecretStore(QString path);
    QString backend() const override { return QStringLiteral("file"); }
    QString description() const override;
    Result<QByteArray> loadOrCreateMasterKey() override;
    Result<std::optional<QByteArray>> loadExistingMasterKey() override;
    Status installMasterKey(const QByteArray &key) override;
    const QString &path() const { return m_path; }
    bool createdNow() const { return m_createdNow; }

private:
    Result<QByteArray> readKeyFile() const;
    // Creates the file with mode 0600 (never looser, and never over an existing one).
    Status writeNewKeyFile(const QByteArray &key) const;

    QString m_path;
    bool m_createdNow = false;
};

} // namespace wadesk

#pragma once

#include "core/secrets/SecretStore.h"

namespace wadesk {

// The master key in the operating system's keychain (Secret Service, KWallet, macOS Keychain)
// through QtKeychain. The entry is named after the data directory, so two installations on
// one desktop keep separate keys.
class KeychainSecretStore final : public SecretStore {
public:
    enum class Availability {
        Available,   // the keychain answered (the entry may or may not exist yet)
        NoBackend,   // no keychain service on this machine (no session bus, headless server)
        Refused,     // a keychain exists but refused: locked, access denied, or no answer in time
    };
    struct Probe {
        Availability availability = Availability::NoBackend;
        QString detail;
    };

    KeychainSecretStore(QString dataDir, int timeoutMs = 15000);
    QString backend() const override { return QStringLiteral("keychain"); }
    QString description() const override;
    Result<QByteArray> loadOrCreateMasterKey() override;
    Result<std::optional<QByteArray>> loadExistingMasterKey() override;
    Status installMasterKey(const QByteArray &key) override;

    // Reads the entry once to learn whether the keychain is usable here.
    Probe probe();
    QString entryKey() const { return m_entryKey; }

private:
    struct ReadOutcome {
        int error = 0;       // QKeychain::Error
        QString errorText;
        QByteArray data;
        bool timedOut = false;
    };
    ReadOutcome readEntry(const QString &key);
    ReadOutcome writeEntry(const QString &key, const QByteArray &data);
    void removeEntry(const QString &key);
    // QtKeychain (libsecret) answers "entry not found" for an entry in a locked collection, so a
    // "not found" is believed only once the keychain has accepted a write. Returns an empty
    // detail when it did; otherwise why not.
    QString refusalOfWrite();

    QString m_entryKey;
    int m_timeoutMs;
};

} // namespace wadesk

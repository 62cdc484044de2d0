#pragma once

#include <QByteArray>
#include <optional>

namespace wadesk {

// AES-256-GCM (OpenSSL) for values at rest. A sealed value is "v1:" + base64 of
// nonce(12) | ciphertext | tag(16). `associatedData` binds a ciphertext to where it belongs
// (for example "webhooks.secret:wh_123"), so one moved to another row fails to open.
class AesGcm {
public:
    static constexpr int kKeyBytes = 32;

    explicit AesGcm(QByteArray key); // must be kKeyBytes long
    ~AesGcm();
    AesGcm(const AesGcm &) = delete;
    AesGcm &operator=(const AesGcm &) = delete;

    QByteArray seal(const QByteArray &plaintext, const QByteArray &associatedData = {}) const;
    // nullopt when the value was tampered with, is malformed, or was sealed under another key.
    std::optional<QByteArray> open(const QByteArray &sealed, const QByteArray &associatedData = {}) const;

    static QByteArray randomBytes(int count);

private:
    QByteArray m_key;
};

} // namespace wadesk

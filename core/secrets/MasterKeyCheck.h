#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>

namespace wadesk {

class SettingsRepository;

// Remembers a fingerprint (HMAC, not the key) of the master key in the database, so that starting
// with a different key (another keychain, a lost key file, a wrong WADESK_MASTER_KEY) is caught
// at once instead of surfacing later as secrets that no longer open.
namespace MasterKeyCheck {
QByteArray fingerprint(const QByteArray &masterKey);
// First start: records the fingerprint. Later starts: 409 key_mismatch when it differs.
Status verifyOrRecord(SettingsRepository &settings, const QByteArray &masterKey, const QString &source);
} // namespace MasterKeyCheck

} // namespace wadesk

#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>

namespace wadesk {

class AesGcm;
class SettingsRepository;

// The JWT signing key: 32 random bytes made on first start, kept in the installation settings
// sealed with the master key, so every instance sharing the database signs and verifies alike.
namespace JwtKeyStore {
Result<QByteArray> loadOrCreate(SettingsRepository &settings, const AesGcm &cipher);
}

} // namespace wadesk

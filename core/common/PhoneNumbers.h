#pragma once

#include "core/common/DomainError.h"

#include <QString>

namespace wadesk {

// Phone numbers through libphonenumber: parsed, validated and written in E.164 ("+14155550123").
namespace PhoneNumbers {
// `defaultRegion` (ISO 3166 code, e.g. "US") is used for numbers written without "+country".
// An empty region requires the number to carry its country code.
Result<QString> toE164(const QString &input, const QString &defaultRegion = QString());
// The region of an E.164 number ("US"), or empty.
QString regionOf(const QString &e164);
} // namespace PhoneNumbers

} // namespace wadesk

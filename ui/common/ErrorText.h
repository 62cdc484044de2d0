#pragma once

#include "core/common/DomainError.h"

#include <QString>

namespace wadesk {

// What the desktop shows for an error from core: a translated text chosen by the error's stable
// `code` (for validation errors, by the field at fault), so that people read it in their language.
// A code this list does not know shows core's own (English) message.
QString errorMessageFor(const DomainError &error);

// The same for what the proxy screens send to ProxyService: its validation errors name the
// proxy's fields (a proxy's "password" follows other rules than a member's), the rest is
// errorMessageFor().
QString proxyErrorMessageFor(const DomainError &error);

} // namespace wadesk

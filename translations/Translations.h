#pragma once

#include <QLocale>

namespace wadesk {
// Installs the embedded translation for `locale` (and Qt's own, when present). Returns whether a
// WaDesk translation was found; English needs none.
bool installTranslations(const QLocale &locale);
} // namespace wadesk

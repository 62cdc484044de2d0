#pragma once

#include <QLocale>
#include <QString>

namespace wadesk {
// Installs the embedded translation for `locale` (and Qt's own, when present). Returns whether a
// WaDesk translation was found; English needs none.
bool installTranslations(const QLocale &locale);

// The language the settings file chooses (ui/language: "en", "de" or "es", written by the
// Settings screen), else the system's. A chosen language also becomes the default QLocale, so
// dates and numbers read the same way as the words.
QLocale uiLocale(const QString &settingsFile);
} // namespace wadesk

#include "translations/Translations.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>

namespace wadesk {

bool installTranslations(const QLocale &locale)
{
    auto *qt = new QTranslator(QCoreApplication::instance());
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    auto *ours = new QTranslator(QCoreApplication::instance());
    if (ours->load(locale, QStringLiteral("wadesk"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(ours);
        return true;
    }
    delete ours;
    return false;
}

QLocale uiLocale(const QString &settingsFile)
{
    if (settingsFile.isEmpty() || !QFileInfo::exists(settingsFile))
        return QLocale::system();
    const QString language = QSettings(settingsFile, QSettings::IniFormat).value(QStringLiteral("ui/language")).toString();
    // The same choices InstallationSettings accepts; anything else (a hand-edited file) is ignored.
    if (language != QLatin1String("en") && language != QLatin1String("de") && language != QLatin1String("es"))
        return QLocale::system();
    const QLocale chosen(language);
    QLocale::setDefault(chosen);
    return chosen;
}

} // namespace wadesk

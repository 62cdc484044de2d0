#include "core/engine/WaJsBundle.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace wadesk {

namespace {
QString versionOfBundle(const QString &source)
{
    static const QRegularExpression pattern(QStringLiteral("\\.version=\"([0-9][0-9A-Za-z.\\-]*)\""));
    const auto match = pattern.match(source);
    return match.hasMatch() ? match.captured(1) : QString();
}
} // namespace

WaJsBundle WaJsBundle::load(const QString &dataDir)
{
    const QString overridePath = QDir(dataDir).filePath(QStringLiteral("wa-js/wppconnect-wa.js"));
    for (const QString &path : {overridePath, QStringLiteral(":/wa-js/wppconnect-wa.js")}) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        WaJsBundle bundle;
        bundle.source = QString::fromUtf8(file.readAll());
        if (bundle.source.isEmpty())
            continue;
        bundle.version = versionOfBundle(bundle.source);
        bundle.origin = path == overridePath ? QStringLiteral("override from %1").arg(path) : QStringLiteral("embedded");
        return bundle;
    }
    return {};
}

} // namespace wadesk

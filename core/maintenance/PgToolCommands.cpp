#include "core/maintenance/PgToolCommands.h"

#include <QRegularExpression>

namespace wadesk::PgToolCommands {

QString shellQuoted(const QString &value)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:@%+=,-]+$"));
    if (plain.match(value).hasMatch())
        return value;
    QString quoted = value;
    quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString dumpFileFor(const QString &archivePath)
{
    return archivePath + QStringLiteral(".pgdump");
}

namespace {
QString connection(const DatabaseUrl &url)
{
    QString out = QStringLiteral("--host %1 --port %2").arg(shellQuoted(url.host)).arg(url.port);
    if (!url.user.isEmpty())
        out += QStringLiteral(" --username %1").arg(shellQuoted(url.user));
    return out + QStringLiteral(" --dbname %1").arg(shellQuoted(url.databaseName));
}
} // namespace

QString dump(const DatabaseUrl &url, const QString &dumpFile)
{
    return QStringLiteral("pg_dump --format=custom %1 --file %2").arg(connection(url), shellQuoted(dumpFile));
}

QString restore(const DatabaseUrl &url, const QString &dumpFile)
{
    return QStringLiteral("pg_restore --exit-on-error --no-owner %1 %2").arg(connection(url), shellQuoted(dumpFile));
}

} // namespace wadesk::PgToolCommands

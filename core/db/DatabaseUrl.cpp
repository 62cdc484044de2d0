#include "core/db/DatabaseUrl.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

namespace wadesk {

namespace {
bool isPostgresScheme(const QString &value)
{
    return value.startsWith(QLatin1String("postgres://"), Qt::CaseInsensitive)
        || value.startsWith(QLatin1String("postgresql://"), Qt::CaseInsensitive);
}
} // namespace

Result<DatabaseUrl> DatabaseUrl::parse(const QString &value, const QString &baseDir)
{
    DatabaseUrl out;
    const QString text = value.trimmed();
    if (text.isEmpty())
        return DomainError::badRequest(QStringLiteral("empty database location"));

    if (isPostgresScheme(text)) {
        const QUrl url(text, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty())
            return DomainError::badRequest(QStringLiteral("expected postgres://user:pass@host:port/dbname"));
        out.dialect = Dialect::Postgres;
        out.host = url.host();
        out.port = url.port(5432);
        if (out.port <= 0 || out.port > 65535)
            return DomainError::badRequest(QStringLiteral("port out of range"));
        out.user = url.userName(QUrl::FullyDecoded);
        out.password = url.password(QUrl::FullyDecoded);
        out.databaseName = url.path(QUrl::FullyDecoded).mid(1);
        if (out.databaseName.isEmpty() || out.databaseName.contains(QLatin1Char('/')))
            return DomainError::badRequest(QStringLiteral("the URL must name one database: postgres://host/dbname"));
        QStringList options;
        const QUrlQuery query(url);
        static const QStringList allowed = {QStringLiteral("sslmode"), QStringLiteral("connect_timeout"),
                                            QStringLiteral("application_name"), QStringLiteral("sslrootcert")};
        // QPSQL hands the options to libpq verbatim after turning ';' into spaces, so a value
        // with a separator, a space or a quote could add parameters the list does not allow.
        static const QRegularExpression plainValue(QStringLiteral("^[A-Za-z0-9_.,:/@+~-]+$"));
        for (const auto &item : query.queryItems(QUrl::FullyDecoded)) {
            if (!allowed.contains(item.first))
                return DomainError::badRequest(QStringLiteral("unsupported URL parameter '%1'").arg(item.first));
            if (!plainValue.match(item.second).hasMatch())
                return DomainError::badRequest(
                    QStringLiteral("unsupported value for URL parameter '%1' (letters, digits and . _ , : / @ + ~ - only)")
                        .arg(item.first));
            options << item.first + QLatin1Char('=') + item.second;
        }
        out.connectOptions = options.join(QLatin1Char(';'));
        return out;
    }

    QString path = text;
    if (path.startsWith(QLatin1String("sqlite:"), Qt::CaseInsensitive))
        path = path.mid(7);
    if (path.contains(QLatin1String("://")))
        return DomainError::badRequest(QStringLiteral("expected a SQLite file path or a postgres:// URL"));
    if (path.isEmpty())
        return DomainError::badRequest(QStringLiteral("empty SQLite path"));
    out.dialect = Dialect::Sqlite;
    out.sqlitePath = QDir::cleanPath(QFileInfo(QDir(baseDir), path).absoluteFilePath());
    return out;
}

QString DatabaseUrl::redacted(const QString &value)
{
    // Textual, not through QUrl: a malformed URL (an unencoded '@', '/' or '?' in the password,
    // a bad port) must be redacted as well. The user information ends at the last '@'.
    const QString text = value.trimmed();
    const int schemeEnd = text.indexOf(QLatin1String("://"));
    if (schemeEnd < 0)
        return value;
    const int start = schemeEnd + 3;
    const int at = text.lastIndexOf(QLatin1Char('@'));
    if (at < start)
        return text;
    const int colon = text.indexOf(QLatin1Char(':'), start);
    if (colon < 0 || colon > at)
        return text;
    return text.left(colon + 1) + QStringLiteral("***") + text.mid(at);
}

QString DatabaseUrl::describe() const
{
    if (dialect == Dialect::Sqlite)
        return QStringLiteral("SQLite %1").arg(sqlitePath);
    return QStringLiteral("PostgreSQL %1@%2:%3/%4").arg(user, host).arg(port).arg(databaseName);
}

} // namespace wadesk

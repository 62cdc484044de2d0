#include "core/maintenance/BackupManifest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

namespace wadesk {

namespace {
DomainError invalidManifest(const QString &why)
{
    return DomainError::unprocessable(QStringLiteral("the archive's manifest is invalid: %1").arg(why),
                                      QStringLiteral("invalid_manifest"));
}

bool isCount(const QJsonValue &v)
{
    return v.isDouble() && v.toDouble() >= 0 && v.toDouble() == double(qint64(v.toDouble()));
}
} // namespace

QByteArray BackupManifest::toJson() const
{
    QJsonArray fileArray;
    for (const File &f : files)
        fileArray.append(QJsonObject{{QStringLiteral("path"), f.path},
                                     {QStringLiteral("size"), double(f.size)},
                                     {QStringLiteral("sha256"), f.sha256}});
    QJsonObject database{{QStringLiteral("dialect"), dialect},
                         {QStringLiteral("schema_version"), schemaVersion},
                         {QStringLiteral("included"), databaseIncluded},
                         {QStringLiteral("restore_with"), restoreWith}};
    if (!databaseLocation.isEmpty())
        database.insert(QStringLiteral("location"), databaseLocation);
    const QJsonObject root{
        {QStringLiteral("format"), QStringLiteral("wadesk-backup")},
        {QStringLiteral("format_version"), formatVersion},
        {QStringLiteral("wadesk_version"), wadeskVersion},
        {QStringLiteral("created_at"), createdAt},
        {QStringLiteral("database"), database},
        {QStringLiteral("counts"), QJsonObject{{QStringLiteral("organizations"), double(counts.organizations)},
                                               {QStringLiteral("users"), double(counts.users)},
                                               {QStringLiteral("clients"), double(counts.clients)},
                                               {QStringLiteral("messages"), double(counts.messages)}}},
        {QStringLiteral("master_key"),
         QJsonObject{{QStringLiteral("fingerprint"), keyFingerprint.isEmpty() ? QJsonValue() : QJsonValue(keyFingerprint)},
                     {QStringLiteral("included"), keyIncluded}}},
        {QStringLiteral("files"), fileArray}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool BackupManifest::isAllowedPath(const QString &path)
{
    if (path.isEmpty() || path.size() > 1024 || path.startsWith(QLatin1Char('/')) || path.contains(QLatin1Char('\\'))
        || path.contains(QChar(0)))
        return false;
    const QStringList parts = path.split(QLatin1Char('/'));
    for (const QString &part : parts) {
        if (part.isEmpty() || part == QLatin1String(".") || part == QLatin1String(".."))
            return false;
    }
    if (path == QLatin1String(kDatabaseEntry) || path == QLatin1String(kKeyEntry))
        return true;
    return path.startsWith(QLatin1String(kMediaPrefix)) && parts.size() >= 2;
}

const BackupManifest::File *BackupManifest::file(const QString &path) const
{
    for (const File &f : files) {
        if (f.path == path)
            return &f;
    }
    return nullptr;
}

Result<BackupManifest> BackupManifest::fromJson(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return invalidManifest(QStringLiteral("not a JSON object"));
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toString() != QLatin1String("wadesk-backup"))
        return invalidManifest(QStringLiteral("not a WaDesk backup"));
    BackupManifest m;
    const QJsonValue version = root.value(QStringLiteral("format_version"));
    if (!isCount(version))
        return invalidManifest(QStringLiteral("format_version is missing"));
    m.formatVersion = version.toInt();
    if (m.formatVersion > kFormatVersion)
        return DomainError::unprocessable(
            QStringLiteral("the archive was written in backup format %1, newer than this WaDesk understands (%2); "
                           "restore it with a newer WaDesk")
                .arg(m.formatVersion)
                .arg(kFormatVersion),
            QStringLiteral("backup_too_new"));
    if (m.formatVersion < 1)
        return invalidManifest(QStringLiteral("format_version %1 is unknown").arg(m.formatVersion));
    m.wadeskVersion = root.value(QStringLiteral("wadesk_version")).toString();
    m.createdAt = root.value(QStringLiteral("created_at")).toString();

    const QJsonObject database = root.value(QStringLiteral("database")).toObject();
    m.dialect = database.value(QStringLiteral("dialect")).toString();
    if (m.dialect != QLatin1String("sqlite") && m.dialect != QLatin1String("postgres"))
        return invalidManifest(QStringLiteral("database.dialect must be sqlite or postgres"));
    if (!isCount(database.value(QStringLiteral("schema_version"))))
        return invalidManifest(QStringLiteral("database.schema_version is missing"));
    m.schemaVersion = database.value(QStringLiteral("schema_version")).toInt();
    if (!database.value(QStringLiteral("included")).isBool())
        return invalidManifest(QStringLiteral("database.included is missing"));
    m.databaseIncluded = database.value(QStringLiteral("included")).toBool();
    m.databaseLocation = database.value(QStringLiteral("location")).toString();
    m.restoreWith = database.value(QStringLiteral("restore_with")).toString();
    if (m.dialect == QLatin1String("sqlite") && !m.databaseIncluded)
        return invalidManifest(QStringLiteral("a SQLite backup without its database"));

    const QJsonObject counts = root.value(QStringLiteral("counts")).toObject();
    for (const char *name : {"organizations", "users", "clients", "messages"}) {
        if (!isCount(counts.value(QLatin1String(name))))
            return invalidManifest(QStringLiteral("counts.%1 is missing").arg(QLatin1String(name)));
    }
    m.counts.organizations = qint64(counts.value(QStringLiteral("organizations")).toDouble());
    m.counts.users = qint64(counts.value(QStringLiteral("users")).toDouble());
    m.counts.clients = qint64(counts.value(QStringLiteral("clients")).toDouble());
    m.counts.messages = qint64(counts.value(QStringLiteral("messages")).toDouble());

    const QJsonObject key = root.value(QStringLiteral("master_key")).toObject();
    const QJsonValue fingerprint = key.value(QStringLiteral("fingerprint"));
    static const QRegularExpression hex64(QStringLiteral("^[0-9a-f]{64}$"));
    if (fingerprint.isString()) {
        if (!hex64.match(fingerprint.toString()).hasMatch())
            return invalidManifest(QStringLiteral("master_key.fingerprint is not a SHA-256 value"));
        m.keyFingerprint = fingerprint.toString();
    } else if (!fingerprint.isNull()) {
        return invalidManifest(QStringLiteral("master_key.fingerprint is missing"));
    }
    m.keyIncluded = key.value(QStringLiteral("included")).toBool();

    const QJsonValue filesValue = root.value(QStringLiteral("files"));
    if (!filesValue.isArray())
        return invalidManifest(QStringLiteral("files is missing"));
    QSet<QString> seen;
    for (const QJsonValue &v : filesValue.toArray()) {
        const QJsonObject o = v.toObject();
        File f;
        f.path = o.value(QStringLiteral("path")).toString();
        f.sha256 = o.value(QStringLiteral("sha256")).toString();
        if (!isAllowedPath(f.path))
            return invalidManifest(QStringLiteral("the path '%1' is not one a backup holds").arg(f.path.left(200)));
        if (!isCount(o.value(QStringLiteral("size"))) || !hex64.match(f.sha256).hasMatch())
            return invalidManifest(QStringLiteral("the size or checksum of %1 is missing").arg(f.path));
        f.size = qint64(o.value(QStringLiteral("size")).toDouble());
        if (seen.contains(f.path))
            return invalidManifest(QStringLiteral("%1 is listed twice").arg(f.path));
        seen.insert(f.path);
        m.files.append(f);
    }
    if (m.databaseIncluded != seen.contains(QLatin1String(kDatabaseEntry)))
        return invalidManifest(QStringLiteral("database.included does not match the files listed"));
    if (m.keyIncluded != seen.contains(QLatin1String(kKeyEntry)))
        return invalidManifest(QStringLiteral("master_key.included does not match the files listed"));
    return m;
}

} // namespace wadesk

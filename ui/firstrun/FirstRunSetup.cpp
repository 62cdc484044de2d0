#include "ui/firstrun/FirstRunSetup.h"

#include "core/auth/JwtCodec.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/secrets/AesGcm.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QSettings>
#include <spdlog/spdlog.h>

namespace wadesk {

bool FirstRunSetup::isFirstRun(const AppConfig &config)
{
    if (!config.database.isEmpty()) // given on the command line or in the environment (no settings file yet)
        return false;
    if (!config.settingsFile.isEmpty() && QFileInfo::exists(config.settingsFile))
        return false;
    return !QFileInfo::exists(QDir(config.dataDir).filePath(QStringLiteral("wadesk.db")));
}

bool FirstRunSetup::isLoopback(const QString &address)
{
    const QString a = address.trimmed();
    if (a.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress host(a);
    return !host.isNull() && host.isLoopback();
}

Status FirstRunSetup::testPostgres(const QString &url, const QString &dataDir)
{
    Result<DatabaseUrl> parsed = DatabaseUrl::parse(url.trimmed(), dataDir);
    if (!parsed)
        return parsed.error();
    if (parsed.value().dialect != DatabaseUrl::Dialect::Postgres)
        return DomainError::validation(QStringLiteral("database"), QStringLiteral("expected a postgres:// URL"));
    Status result;
    ConnectFailure failure = ConnectFailure::None;
    {
        Database database(parsed.value());
        result = database.ping();
        failure = Database::lastConnectFailure();
        database.closeThreadConnection();
    }
    if (result || failure == ConnectFailure::None || failure == ConnectFailure::Other)
        return result;
    return DomainError::unavailable(connectFailureText(failure, parsed.value()), QStringLiteral("database_connect_failed"));
}

// What to fix, instead of the driver's text ("QPSQL: Unable to connect").
QString FirstRunSetup::connectFailureText(ConnectFailure failure, const DatabaseUrl &url)
{
    auto tr = [](const char *text) { return QCoreApplication::translate("wadesk::FirstRunSetup", text); };
    const QString address = QStringLiteral("%1:%2").arg(url.host).arg(url.port);
    switch (failure) {
    case ConnectFailure::HostUnknown:
        return tr("The host name %1 cannot be found. Check its spelling, or use the server's IP address.").arg(url.host);
    case ConnectFailure::Refused:
        return tr("Nothing answers at %1. Is PostgreSQL running there, listening on that port and on this network "
                  "address (listen_addresses)?").arg(address);
    case ConnectFailure::Timeout:
        return tr("%1 did not answer in time. Check the address and port, and that no firewall is in the way.").arg(address);
    case ConnectFailure::Authentication:
        return tr("The server refused the password for the user %1.").arg(url.user);
    case ConnectFailure::RoleMissing:
        return tr("The server has no user %1. Create it (createuser) or use another.").arg(url.user);
    case ConnectFailure::DatabaseMissing:
        return tr("The server has no database %1. Create it first (createdb -O %2 %1).").arg(url.databaseName, url.user);
    case ConnectFailure::HostNotAllowed:
        return tr("The server does not accept connections from this computer for the user %1: add a line for it "
                  "to the server's pg_hba.conf.").arg(url.user);
    case ConnectFailure::None:
    case ConnectFailure::Other:
        break;
    }
    return tr("The connection to %1 failed.").arg(address);
}

Status FirstRunSetup::writeSettings(const FirstRunChoices &choices, const Target &target)
{
    const QFileInfo info(target.settingsFile);
    if (!QDir().mkpath(info.absolutePath()))
        return DomainError::internal(QStringLiteral("cannot create the folder %1").arg(info.absolutePath()));
    {
        QSettings settings(target.settingsFile, QSettings::IniFormat);
        if (!target.defaultDataDir.isEmpty()
            && QDir::cleanPath(target.defaultDataDir) != QDir::cleanPath(target.dataDir))
            settings.setValue(QStringLiteral("dataDir"), target.dataDir);
        settings.setValue(QStringLiteral("database"), choices.databaseSetting());
        settings.setValue(QStringLiteral("secrets/backend"), choices.secretsBackend);
        settings.setValue(QStringLiteral("api/bind"), choices.bindAddress.trimmed());
        settings.setValue(QStringLiteral("api/port"), choices.port);
        settings.setValue(QStringLiteral("api/allowRemote"), choices.allowRemote && !isLoopback(choices.bindAddress));
        settings.setValue(QStringLiteral("desktop/lastEmail"), choices.email.trimmed());
        settings.sync();
        if (settings.status() != QSettings::NoError)
            return DomainError::internal(QStringLiteral("cannot write the settings file %1").arg(target.settingsFile));
    }
    QFile::setPermissions(target.settingsFile, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return {};
}

Result<AccountService::Registration> FirstRunSetup::apply(FirstRunChoices choices, const Target &target)
{
    const QString email = choices.email.trimmed();
    const QString name = choices.adminName.trimmed();
    const QString organization = choices.organizationName.trimmed();
    if (choices.passwordHash.isEmpty()) {
        if (Status s = AccountService::validateRegistration(email, choices.password, name, organization); !s)
            return s.error();
        choices.passwordHash = PasswordHasher(target.passwordCost).hash(choices.password);
    }
    choices.password.clear();
    if (choices.databaseKind == FirstRunChoices::DatabaseKind::Postgres) {
        if (!choices.postgresUrl.trimmed().startsWith(QLatin1String("postgres")))
            return DomainError::validation(QStringLiteral("database"), QStringLiteral("expected a postgres:// URL"));
        choices.postgresUrl = choices.postgresUrl.trimmed();
    }
    if (!isLoopback(choices.bindAddress) && !choices.allowRemote)
        return DomainError::validation(QStringLiteral("api/bind"),
                                       QStringLiteral("a non-loopback address needs the exposure to be acknowledged"));

    Result<DatabaseUrl> url = DatabaseUrl::parse(choices.databaseSetting(), target.dataDir);
    if (!url)
        return url.error();
    if (url.value().dialect == DatabaseUrl::Dialect::Sqlite) {
        const bool existed = QDir(target.dataDir).exists();
        if (!QDir().mkpath(target.dataDir))
            return DomainError::internal(QStringLiteral("cannot create the data directory %1").arg(target.dataDir));
        if (!existed)
            QFile::setPermissions(target.dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }

    Result<AccountService::Registration> registration = DomainError::internal();
    {
        Database database(url.value());
        Migrator migrator(database, Migrator::embeddedDirectory(database.url().dialectName()));
        const Result<int> migrated = migrator.migrate();
        if (!migrated) {
            registration = migrated.error();
        } else {
            // The token AccountService issues is not kept: any key signs it.
            const JwtCodec throwaway(AesGcm::randomBytes(32), 60);
            AccountService accounts(database, throwaway);
            registration = accounts.registerOrganization(
                AccountService::RegisterInput{email, name, organization, choices.passwordHash, QStringLiteral("desktop")});
        }
        database.closeThreadConnection();
    }
    if (!registration)
        return registration;
    spdlog::info("first run: organization {} and its admin created in {}", registration.value().organization.id.toStdString(),
                 url.value().describe().toStdString());
    if (Status s = writeSettings(choices, target); !s)
        return s.error();
    return registration;
}

} // namespace wadesk

#include "core/maintenance/V1Importer.h"

#include "core/audit/AuditEvent.h"
#include "core/auth/AccountService.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/UserRepository.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SettingsRepository.h"
#include "core/db/SqlRunner.h"
#include "core/maintenance/DatabaseFacts.h"
#include "core/maintenance/V1Export.h"
#include "core/secrets/AesGcm.h"
#include "core/sessions/ClientRepository.h"
#include "core/common/UtcTime.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>

namespace wadesk {

namespace {

struct PreviousImport {
    QString organizationId;
    QString importedAt;
    int clients = 0;
};

// Reads what is already there, without writing: the earlier import of this file under this
// name, and whether the admin's email is taken. A database WaDesk never prepared holds neither.
struct Existing {
    std::optional<PreviousImport> previous;
    bool emailTaken = false;
};

Result<Existing> lookUp(Database &database, const QString &marker, const QString &email)
{
    Existing existing;
    Result<DatabaseFacts> facts = DatabaseFacts::read(database);
    if (!facts)
        return facts.error();
    if (!facts.value().hasSchema)
        return existing;
    SettingsRepository settings(database);
    Result<std::optional<QString>> recorded = settings.get(SettingsRepository::kInstallation, marker);
    if (!recorded)
        return recorded.error();
    if (recorded.value()) {
        const QJsonObject o = QJsonDocument::fromJson(recorded.value()->toUtf8()).object();
        existing.previous = PreviousImport{o.value(QStringLiteral("organization_id")).toString(),
                                           o.value(QStringLiteral("imported_at")).toString(),
                                           o.value(QStringLiteral("clients")).toInt()};
    }
    SqlRunner sql(database);
    UserRepository users(sql);
    Result<std::optional<UserRecord>> user = users.findByEmail(email);
    if (!user)
        return user.error();
    existing.emailTaken = user.value().has_value();
    return existing;
}

} // namespace

QString V1Importer::markerKey(const QString &fileSha256, const QString &organizationName)
{
    const QByteArray name = QCryptographicHash::hash(organizationName.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    return QStringLiteral("import.v1.%1.%2").arg(fileSha256, QString::fromLatin1(name));
}

QString V1Importer::generatePassword()
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    constexpr int kAlphabet = 62;
    constexpr int kLength = 20;
    QString out;
    while (out.size() < kLength) {
        for (const char byte : AesGcm::randomBytes(32)) {
            const int v = static_cast<unsigned char>(byte);
            if (v >= 248) // 248 = 4 × 62: larger values would favour the first letters
                continue;
            out += QLatin1Char(alphabet[v % kAlphabet]);
            if (out.size() == kLength)
                break;
        }
    }
    return out;
}

Result<V1Importer::Outcome> V1Importer::run(const Options &options, const Clock &clock)
{
    QByteArray contents;
    Result<QList<V1Client>> parsed = V1Export::readFile(options.file, &contents);
    if (!parsed)
        return parsed.error();
    const QList<V1Client> &clients = parsed.value();
    if (options.organizationName.isEmpty() || options.organizationName.size() > 200)
        return DomainError::validation(QStringLiteral("org-name"), QStringLiteral("--org-name must be 1 to 200 characters"));
    if (Status s = AccountRules::checkEmail(options.adminEmail); !s)
        return DomainError::validation(QStringLiteral("admin-email"),
                                       QStringLiteral("--admin-email '%1' is not a valid address").arg(options.adminEmail.left(254)));

    const QString fileSha = QString::fromLatin1(QCryptographicHash::hash(contents, QCryptographicHash::Sha256).toHex());
    const QString marker = markerKey(fileSha, options.organizationName);
    Outcome outcome;
    outcome.dryRun = options.dryRun;
    outcome.organizationName = options.organizationName;
    outcome.adminEmail = options.adminEmail;
    outcome.clients = int(clients.size());
    for (const V1Client &c : clients)
        outcome.clientsWithPhone += c.phoneE164.isEmpty() ? 0 : 1;

    const bool sqlite = options.database.dialect == DatabaseUrl::Dialect::Sqlite;
    // A dry run on a data directory without a database must not create one.
    if (options.dryRun && sqlite && !QFileInfo::exists(options.database.sqlitePath))
        return outcome;
    if (!options.dryRun && sqlite) {
        const QString dir = QFileInfo(options.database.sqlitePath).absolutePath();
        const bool existed = QDir(dir).exists();
        if (!QDir().mkpath(dir))
            return DomainError::internal(QStringLiteral("cannot create the data directory %1").arg(dir));
        if (!existed) // as WaDesk creates it: it holds the database and keys
            QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }

    Database database(options.database);
    auto closeConnection = qScopeGuard([&database]() { database.closeThreadConnection(); });
    if (!options.dryRun) {
        // As WaDesk does at start: a fresh database gets its schema first.
        Migrator migrator(database, Migrator::embeddedDirectory(database.url().dialectName()), clock);
        const Result<int> migrated = migrator.migrate();
        if (!migrated)
            return DomainError::internal(
                QStringLiteral("cannot prepare the database (%1): %2").arg(database.url().describe(), migrated.error().message));
    }
    Result<Existing> existing = lookUp(database, marker, options.adminEmail);
    if (!existing)
        return existing.error();
    if (existing.value().previous) {
        outcome.alreadyImported = true;
        outcome.organizationId = existing.value().previous->organizationId;
        outcome.importedAt = existing.value().previous->importedAt;
        outcome.clients = existing.value().previous->clients;
        return outcome;
    }
    if (existing.value().emailTaken)
        return DomainError::conflict(QStringLiteral("a user with the email %1 exists already; choose the admin's email with "
                                                    "--admin-email. Nothing was imported")
                                         .arg(options.adminEmail),
                                     QStringLiteral("email_taken"));
    if (options.dryRun)
        return outcome;

    outcome.adminPassword = generatePassword();
    const QString passwordHash = PasswordHasher(options.passwordCost).hash(outcome.adminPassword);
    const qint64 now = clock.nowMs();
    outcome.importedAt = UtcTime::fromMSecs(now).toString(Qt::ISODateWithMs);

    auto importClients = [&](const AccountService::Registration &registration) -> Status {
        SqlRunner sql(database);
        ClientRepository repository(sql);
        AuditLog audit(sql, clock);
        AuthContext actor;
        actor.userId = registration.admin.id;
        actor.organizationId = registration.organization.id;
        actor.email = registration.admin.email;
        actor.role = Role::Admin;
        actor.ipAddress = QStringLiteral("import-v1");
        for (const V1Client &c : clients) {
            // The record a client created in WaDesk starts with (never started, not linked): a v1
            // session cannot be carried over, whatever v1's status said.
            ClientRecord client;
            client.id = Ids::make("client");
            client.organizationId = registration.organization.id;
            client.name = c.name;
            client.phoneNumber = c.phoneE164;
            client.createdBy = registration.admin.id;
            client.createdAt = client.updatedAt = now;
            if (Status s = repository.insert(client); !s)
                return s;
            if (Status s = audit.append(auditBy(actor, QStringLiteral("create_client"), QStringLiteral("whatsapp_clients"), client.id,
                                                {{QStringLiteral("clientId"), client.id},
                                                 {QStringLiteral("name"), client.name},
                                                 {QStringLiteral("source"), QStringLiteral("import-v1")}}));
                !s)
                return s;
        }
        const QJsonObject record{{QStringLiteral("file_sha256"), fileSha},
                                 {QStringLiteral("organization_id"), registration.organization.id},
                                 {QStringLiteral("organization_name"), options.organizationName},
                                 {QStringLiteral("admin_email"), options.adminEmail},
                                 {QStringLiteral("clients"), int(clients.size())},
                                 {QStringLiteral("imported_at"), outcome.importedAt}};
        if (Status s = audit.append(auditBy(actor, QStringLiteral("import_v1"), QStringLiteral("organizations"),
                                            registration.organization.id, record));
            !s)
            return s;
        SettingsRepository settings(database, clock);
        Result<bool> recorded = settings.insertIfAbsent(SettingsRepository::kInstallation, marker,
                                                        QString::fromUtf8(QJsonDocument(record).toJson(QJsonDocument::Compact)));
        if (!recorded)
            return recorded.error();
        if (!recorded.value()) // another run of the same import committed first
            return DomainError::conflict(QStringLiteral("this file was imported under this name meanwhile; nothing was imported"),
                                         QStringLiteral("already_imported"));
        return {};
    };

    // The token a registration issues is not used here: any key signs it (as in the first run).
    const JwtCodec throwaway(AesGcm::randomBytes(32), 60);
    AccountService accounts(database, throwaway, clock);
    Result<AccountService::Registration> registration = accounts.registerOrganization(
        AccountService::RegisterInput{options.adminEmail, QStringLiteral("Admin"), options.organizationName, passwordHash,
                                      QStringLiteral("import-v1")},
        importClients);
    if (!registration)
        return registration.error();
    outcome.organizationId = registration.value().organization.id;
    outcome.apiKey = registration.value().apiKey;
    return outcome;
}

} // namespace wadesk

// ConfigLoader: precedence (command line > WADESK_* environment > settings file > default),
// strict validation that names the option where the user wrote it, toolkit arguments, and the
// database location parser (DatabaseUrl).

#include "core/config/ConfigLoader.h"
#include "core/db/DatabaseUrl.h"

#include <QDir>
#include <QFile>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace wadesk;

namespace {

QProcessEnvironment envOf(std::initializer_list<std::pair<const char *, QString>> vars)
{
    QProcessEnvironment env;
    for (const auto &v : vars)
        env.insert(QLatin1String(v.first), v.second);
    return env;
}

QStringList argv(const QStringList &args)
{
    return QStringList{QStringLiteral("/usr/bin/wadesk")} + args;
}

} // namespace

class TestConfig : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_files = 0;

    // A real settings file, written as a user would write it by hand. Each call makes a new file
    // (QSettings caches files by path).
    QString writeSettings(const QByteArray &content)
    {
        const QString path = m_dir.filePath(QStringLiteral("wadesk-%1.conf").arg(++m_files));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        f.write(content);
        f.close();
        return path;
    }

    QString missingSettings() { return m_dir.filePath(QStringLiteral("missing-%1.conf").arg(++m_files)); }

    // The load error for these inputs; fails the test when the load succeeds.
    static DomainError loadError(const QStringList &args, const QProcessEnvironment &env, const QString &file,
                                 bool *failed)
    {
        const Result<LoadedConfig> r = ConfigLoader::load(argv(args), env, file);
        *failed = r.ok();
        return r.ok() ? DomainError() : r.error();
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void defaultsWhenNothingIsGiven()
    {
        const QString file = missingSettings();
        const Result<LoadedConfig> r = ConfigLoader::load(argv({}), QProcessEnvironment(), file);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        const AppConfig &c = r->config;
        const AppConfig defaults;
        QCOMPARE(c.api.port, 3002);
        QCOMPARE(c.api.bindAddress, QStringLiteral("127.0.0.1"));
        QCOMPARE(c.logLevel, QStringLiteral("info"));
        QCOMPARE(c.logJson, false);
        QCOMPARE(c.headless, false);
        QCOMPARE(c.api.allowRemote, false);
        QCOMPARE(c.api.limits.maxBodyBytes, defaults.api.limits.maxBodyBytes);
        QCOMPARE(c.api.limits.maxConnections, defaults.api.limits.maxConnections);
        QCOMPARE(c.secretsBackend, QStringLiteral("auto"));
        QCOMPARE(c.database, QString());
        QCOMPARE(c.settingsFile, file);
        QCOMPARE(c.dataDir, QDir::cleanPath(ConfigLoader::defaultDataDir()));
        QVERIFY(QDir::isAbsolutePath(c.dataDir));
        QVERIFY(!r->showHelp);
        QVERIFY(!r->showVersion);
    }

    void settingsFileOverridesDefaults()
    {
        const QString file = writeSettings("[General]\n"
                                           "headless=true\n"
                                           "environment=staging\n"
                                           "\n"
                                           "[api]\n"
                                           "port = 4000\n"
                                           "bind=127.0.0.2\n"
                                           "\n"
                                           "[log]\n"
                                           "level=DEBUG\n"
                                           "json=yes\n"
                                           "\n"
                                           "[http]\n"
                                           "maxBodyBytes=2048\n"
                                           "idleTimeoutMs=500\n"
                                           "\n"
                                           "[secrets]\n"
                                           "backend=file\n");
        const Result<LoadedConfig> r = ConfigLoader::load(argv({}), QProcessEnvironment(), file);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        const AppConfig &c = r->config;
        QCOMPARE(c.api.port, 4000);
        QCOMPARE(c.api.bindAddress, QStringLiteral("127.0.0.2"));
        QCOMPARE(c.logLevel, QStringLiteral("debug"));
        QCOMPARE(c.logJson, true);
        QCOMPARE(c.headless, true);
        QCOMPARE(c.api.limits.maxBodyBytes, qint64(2048));
        QCOMPARE(c.api.limits.idleTimeoutMs, 500);
        QCOMPARE(c.api.environment, QStringLiteral("staging"));
        QCOMPARE(c.secretsBackend, QStringLiteral("file"));
        QCOMPARE(c.settingsFile, file);
    }

    // Each setting lands in its domain's settings struct, which the application hands on as is.
    void domainSettingsAreFilledDirectly()
    {
        const AppConfig defaults;
        QVERIFY(!defaults.services.messaging.pacing.isOff());
        QCOMPARE(defaults.services.auth.passwordCost, PasswordHasher::Cost::Interactive);

        const QString file = writeSettings("[messaging]\n"
                                           "perMinute=7\n"
                                           "pacing=false\n"
                                           "[webhooks]\n"
                                           "allowPrivateTargets=true\n"
                                           "timeoutMs=2500\n"
                                           "[whatsapp]\n"
                                           "url=http://127.0.0.1:9/fake/\n"
                                           "heartbeatIntervalMs=300\n");
        const Result<LoadedConfig> r = ConfigLoader::load(
            argv({QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("domains"))}),
            envOf({{"WADESK_PASSWORD_HASH_COST", QStringLiteral("min")}, {"WADESK_AUTH_CACHE_MS", QStringLiteral("0")},
                   {"WADESK_WEBHOOK_MAX_ATTEMPTS", QStringLiteral("3")}, {"WADESK_HTTP_MAX_CONNECTIONS", QStringLiteral("9")}}),
            file);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        const AppConfig &c = r->config;
        QCOMPARE(c.services.messaging.defaultTiers.perMinute, 7);
        QCOMPARE(c.services.messaging.defaultTiers.perHour, defaults.services.messaging.defaultTiers.perHour);
        QVERIFY(c.services.messaging.pacing.isOff());
        QCOMPARE(c.services.auth.passwordCost, PasswordHasher::Cost::Minimal);
        QCOMPARE(c.services.auth.authCacheMs, 0);
        QVERIFY(c.services.webhooks.delivery.allowPrivateTargets);
        QCOMPARE(c.services.webhooks.delivery.timeoutMs, 2500);
        QCOMPARE(c.services.webhooks.delivery.maxAttempts, 3);
        QCOMPARE(c.api.limits.maxConnections, 9);
        QCOMPARE(c.engine.url, QUrl(QStringLiteral("http://127.0.0.1:9/fake/")));
        QCOMPARE(c.engine.heartbeatIntervalMs, 300);
        QCOMPARE(c.engine.dataDir, c.dataDir); // sessions live under the data directory
        QCOMPARE(c.dataDir, QDir::cleanPath(m_dir.filePath(QStringLiteral("domains"))));
    }

    void retentionSettings()
    {
        const AppConfig defaults;
        QCOMPARE(defaults.retention.eventsDays, 30);
        QCOMPARE(defaults.retention.deliveriesDays, 30);
        QCOMPARE(defaults.retention.deadLettersDays, 90);
        QCOMPARE(defaults.retention.messagesDays, 0); // messages kept forever unless asked
        QCOMPARE(defaults.retention.intervalMs, qint64(60) * 60 * 1000);

        const QString file = writeSettings("[retention]\n"
                                           "eventsDays=7\n"
                                           "deliveriesDays=0\n"
                                           "deadLettersDays=3650\n"
                                           "messagesDays=365\n"
                                           "intervalMinutes=15\n");
        const Result<LoadedConfig> r = ConfigLoader::load(
            argv({}), envOf({{"WADESK_RETENTION_MESSAGES_DAYS", QStringLiteral("30")}, {"WADESK_RETENTION_INTERVAL_MINUTES", QStringLiteral("1")}}),
            file);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(r->config.retention.eventsDays, 7);
        QCOMPARE(r->config.retention.deliveriesDays, 0);
        QCOMPARE(r->config.retention.deadLettersDays, 3650);
        QCOMPARE(r->config.retention.messagesDays, 30); // the environment wins over the file
        QCOMPARE(r->config.retention.intervalMs, qint64(60) * 1000);
    }

    void mediaSettings()
    {
        const AppConfig defaults;
        QCOMPARE(defaults.services.media.maxBytes, qint64(100) * 1024 * 1024);
        QCOMPARE(defaults.services.media.quotaBytes, qint64(5) * 1024 * 1024 * 1024);
        QVERIFY(defaults.services.media.storage == MediaSettings::Storage::File);
        QCOMPARE(defaults.services.media.retentionDays, 0);

        const QString file = writeSettings("[media]\nstorage=database\nmaxBytes=2048\nretentionDays=90\n");
        const Result<LoadedConfig> r = ConfigLoader::load(
            argv({"--data-dir", "/tmp/wadesk-media-config"}),
            envOf({{"WADESK_MEDIA_QUOTA_BYTES", QStringLiteral("1000000")}, {"WADESK_MEDIA_RETENTION_DAYS", QStringLiteral("30")}}), file);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        const MediaSettings &media = r->config.services.media;
        QVERIFY(media.storage == MediaSettings::Storage::Database);
        QCOMPARE(media.maxBytes, qint64(2048));
        QCOMPARE(media.quotaBytes, qint64(1000000));
        QCOMPARE(media.retentionDays, 30); // the environment wins over the file
        QCOMPARE(media.directory, QStringLiteral("/tmp/wadesk-media-config/media"));
        // The retention run sees the same media settings.
        QCOMPARE(r->config.retention.media.retentionDays, 30);
        QCOMPARE(r->config.retention.media.directory, media.directory);

        for (const auto &[name, value] : {std::pair<const char *, QString>{"WADESK_MEDIA_STORAGE", QStringLiteral("s3")},
                                          {"WADESK_MEDIA_MAX_BYTES", QStringLiteral("10")},
                                          {"WADESK_MEDIA_RETENTION_DAYS", QStringLiteral("-1")}}) {
            const Result<LoadedConfig> bad = ConfigLoader::load(argv({}), envOf({{name, value}}), missingSettings());
            QVERIFY2(!bad.ok(), name);
            QVERIFY2(bad.error().message.contains(QLatin1String(name)), qPrintable(bad.error().message));
        }
    }

    void clusterSettings()
    {
        const Result<LoadedConfig> byDefault = ConfigLoader::load(argv({}), QProcessEnvironment(), missingSettings());
        QVERIFY2(byDefault.ok(), byDefault.ok() ? "" : qPrintable(byDefault.error().message));
        const ClusterSettings &d = byDefault->config.cluster;
        // Unnamed, an instance is its machine: two machines never collide by default.
        QCOMPARE(d.instanceId, QSysInfo::machineHostName().isEmpty() ? QStringLiteral("wadesk") : QSysInfo::machineHostName());
        QCOMPARE(d.leaseSeconds, 30);
        QCOMPARE(d.renewSeconds, 5);
        QCOMPARE(d.snapshots, QStringLiteral("auto"));

        const QString file = writeSettings("[cluster]\ninstanceId=from-file\nleaseSeconds=12\nsnapshots=OFF\n");
        const Result<LoadedConfig> r = ConfigLoader::load(argv({"--instance-id", "node-2.eu"}),
                                                          envOf({{"WADESK_LEASE_RENEW_SECONDS", QStringLiteral("4")}}), file);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(r->config.cluster.instanceId, QStringLiteral("node-2.eu")); // the command line wins
        QCOMPARE(r->config.cluster.leaseSeconds, 12);
        QCOMPARE(r->config.cluster.renewSeconds, 4);
        QCOMPARE(r->config.cluster.snapshots, QStringLiteral("off"));
        // Without its own renewal setting a short lease is renewed three times per lease.
        const Result<LoadedConfig> shortLease = ConfigLoader::load(argv({}), envOf({{"WADESK_LEASE_SECONDS", QStringLiteral("6")}}), missingSettings());
        QVERIFY2(shortLease.ok(), shortLease.ok() ? "" : qPrintable(shortLease.error().message));
        QCOMPARE(shortLease->config.cluster.renewSeconds, 2);

        // A name that could not be shown or compared safely, and a renewal that would let the lease
        // lapse between two renewals of a slow machine, stop the start with the option named.
        for (const auto &[name, value] : {std::pair<const char *, QString>{"WADESK_INSTANCE_ID", QStringLiteral("node 2")},
                                          {"WADESK_INSTANCE_ID", QStringLiteral("-node")},
                                          {"WADESK_LEASE_SECONDS", QStringLiteral("5")},
                                          {"WADESK_LEASE_RENEW_SECONDS", QStringLiteral("11")},
                                          {"WADESK_SNAPSHOTS", QStringLiteral("sometimes")}}) {
            const Result<LoadedConfig> bad = ConfigLoader::load(argv({}), envOf({{name, value}}), missingSettings());
            QVERIFY2(!bad.ok(), name);
            QVERIFY2(bad.error().message.contains(QLatin1String(name)), qPrintable(bad.error().message));
        }
    }

    void precedence_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QProcessEnvironment>("env");
        QTest::addColumn<bool>("withFile");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("bind");
        QTest::addColumn<QString>("level");
        QTest::addColumn<bool>("json");
        QTest::addColumn<qint64>("maxBody");

        const AppConfig d;
        QTest::newRow("defaults only") << QStringList() << QProcessEnvironment() << false << 3002
                                       << QStringLiteral("127.0.0.1") << QStringLiteral("info") << false
                                       << d.api.limits.maxBodyBytes;
        // The file says port 4000, bind 127.0.0.2, level debug, json false, body 2048.
        QTest::newRow("file over defaults") << QStringList() << QProcessEnvironment() << true << 4000
                                            << QStringLiteral("127.0.0.2") << QStringLiteral("debug") << false
                                            << qint64(2048);
        const QProcessEnvironment env = envOf({{"WADESK_PORT", QStringLiteral("5000")},
                                               {"WADESK_BIND", QStringLiteral("::1")},
                                               {"WADESK_LOG_LEVEL", QStringLiteral("warn")},
                                               {"WADESK_LOG_JSON", QStringLiteral("true")},
                                               {"WADESK_HTTP_MAX_BODY_BYTES", QStringLiteral("4096")}});
        QTest::newRow("env over file") << QStringList() << env << true << 5000 << QStringLiteral("::1")
                                       << QStringLiteral("warn") << true << qint64(4096);
        QTest::newRow("env over defaults") << QStringList() << env << false << 5000 << QStringLiteral("::1")
                                           << QStringLiteral("warn") << true << qint64(4096);
        const QStringList cli = {QStringLiteral("--port"), QStringLiteral("6000"), QStringLiteral("--bind=localhost"),
                                 QStringLiteral("--log-level"), QStringLiteral("error"), QStringLiteral("--log-json")};
        QTest::newRow("cli over env over file") << cli << env << true << 6000 << QStringLiteral("localhost")
                                                << QStringLiteral("error") << true << qint64(4096);
        QTest::newRow("cli over file") << cli << QProcessEnvironment() << true << 6000 << QStringLiteral("localhost")
                                       << QStringLiteral("error") << true << qint64(2048);
        // A bool flag on the command line wins over a false in the environment.
        QTest::newRow("cli flag over env false")
            << QStringList{QStringLiteral("--log-json")} << envOf({{"WADESK_LOG_JSON", QStringLiteral("0")}}) << true
            << 4000 << QStringLiteral("127.0.0.2") << QStringLiteral("debug") << true << qint64(2048);
        // Each option is resolved on its own: one from each source.
        QTest::newRow("mixed sources")
            << QStringList{QStringLiteral("--port"), QStringLiteral("6001")}
            << envOf({{"WADESK_LOG_LEVEL", QStringLiteral("trace")}, {"WADESK_LOG_JSON", QStringLiteral("off")}})
            << true << 6001 << QStringLiteral("127.0.0.2") << QStringLiteral("trace") << false << qint64(2048);
        // Unrelated and empty-named variables change nothing.
        QTest::newRow("unrelated env") << QStringList()
                                       << envOf({{"PORT", QStringLiteral("1")}, {"WADESK_PORTS", QStringLiteral("2")}})
                                       << true << 4000 << QStringLiteral("127.0.0.2") << QStringLiteral("debug")
                                       << false << qint64(2048);
    }

    void precedence()
    {
        QFETCH(QStringList, args);
        QFETCH(QProcessEnvironment, env);
        QFETCH(bool, withFile);
        QFETCH(int, port);
        QFETCH(QString, bind);
        QFETCH(QString, level);
        QFETCH(bool, json);
        QFETCH(qint64, maxBody);
        const QString file = withFile ? writeSettings("[api]\nport=4000\nbind=127.0.0.2\n"
                                                      "[log]\nlevel=debug\njson=false\n"
                                                      "[http]\nmaxBodyBytes=2048\n")
                                      : missingSettings();
        const Result<LoadedConfig> r = ConfigLoader::load(argv(args), env, file);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(r->config.api.port, port);
        QCOMPARE(r->config.api.bindAddress, bind);
        QCOMPARE(r->config.logLevel, level);
        QCOMPARE(r->config.logJson, json);
        QCOMPARE(r->config.api.limits.maxBodyBytes, maxBody);
    }

    void invalidValuesNameTheirSource_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QProcessEnvironment>("env");
        QTest::addColumn<QByteArray>("file"); // settings file content; empty: no file
        QTest::addColumn<QString>("option");  // details.option; "<file>" stands for the file path
        QTest::addColumn<QString>("mentions"); // another text the message must hold

        const QProcessEnvironment none;
        // non-numbers
        QTest::newRow("cli port not a number") << QStringList{QStringLiteral("--port"), QStringLiteral("abc")} << none
                                               << QByteArray() << QStringLiteral("--port") << QStringLiteral("abc");
        QTest::newRow("env port not a number") << QStringList() << envOf({{"WADESK_PORT", QStringLiteral("80a")}})
                                               << QByteArray() << QStringLiteral("WADESK_PORT") << QStringLiteral("80a");
        QTest::newRow("file port not a number") << QStringList() << none << QByteArray("[api]\nport=twelve\n")
                                                << QStringLiteral("api/port in <file>") << QStringLiteral("twelve");
        QTest::newRow("cli port fractional") << QStringList{QStringLiteral("--port=80.5")} << none << QByteArray()
                                             << QStringLiteral("--port") << QStringLiteral("0 to 65535");
        QTest::newRow("empty env port") << QStringList() << envOf({{"WADESK_PORT", QString()}}) << QByteArray()
                                        << QStringLiteral("WADESK_PORT") << QStringLiteral("whole number");
        // out of range
        QTest::newRow("cli port too big") << QStringList{QStringLiteral("--port"), QStringLiteral("65536")} << none
                                          << QByteArray() << QStringLiteral("--port") << QStringLiteral("0 to 65535");
        QTest::newRow("env port negative") << QStringList() << envOf({{"WADESK_PORT", QStringLiteral("-1")}})
                                           << QByteArray() << QStringLiteral("WADESK_PORT") << QStringLiteral("-1");
        QTest::newRow("file port too big") << QStringList() << none << QByteArray("[api]\nport=70000\n")
                                           << QStringLiteral("api/port in <file>") << QStringLiteral("70000");
        QTest::newRow("file body limit too small") << QStringList() << none << QByteArray("[http]\nmaxBodyBytes=10\n")
                                                   << QStringLiteral("http/maxBodyBytes in <file>")
                                                   << QStringLiteral("1024");
        QTest::newRow("env connections zero") << QStringList()
                                              << envOf({{"WADESK_HTTP_MAX_CONNECTIONS", QStringLiteral("0")}})
                                              << QByteArray() << QStringLiteral("WADESK_HTTP_MAX_CONNECTIONS")
                                              << QStringLiteral("1 to 100000");
        QTest::newRow("env body limit beyond qint32")
            << QStringList() << envOf({{"WADESK_HTTP_MAX_BODY_BYTES", QStringLiteral("99999999999999999999")}})
            << QByteArray() << QStringLiteral("WADESK_HTTP_MAX_BODY_BYTES") << QStringLiteral("whole number");
        // retention windows: negative, absurd, a zero interval
        QTest::newRow("env negative retention") << QStringList()
                                                << envOf({{"WADESK_RETENTION_EVENTS_DAYS", QStringLiteral("-1")}})
                                                << QByteArray() << QStringLiteral("WADESK_RETENTION_EVENTS_DAYS")
                                                << QStringLiteral("0 to 3650");
        QTest::newRow("file absurd retention") << QStringList() << none << QByteArray("[retention]\nmessagesDays=36500\n")
                                               << QStringLiteral("retention/messagesDays in <file>")
                                               << QStringLiteral("36500");
        QTest::newRow("file retention interval zero") << QStringList() << none
                                                      << QByteArray("[retention]\nintervalMinutes=0\n")
                                                      << QStringLiteral("retention/intervalMinutes in <file>")
                                                      << QStringLiteral("1 to 10080");
        QTest::newRow("env dead letters not a number")
            << QStringList() << envOf({{"WADESK_RETENTION_DEAD_LETTERS_DAYS", QStringLiteral("90d")}}) << QByteArray()
            << QStringLiteral("WADESK_RETENTION_DEAD_LETTERS_DAYS") << QStringLiteral("whole number");
        // bad choices
        QTest::newRow("cli bad log level") << QStringList{QStringLiteral("--log-level"), QStringLiteral("loud")} << none
                                           << QByteArray() << QStringLiteral("--log-level")
                                           << QStringLiteral("error, warn, info, debug, trace");
        QTest::newRow("env bad log level") << QStringList() << envOf({{"WADESK_LOG_LEVEL", QStringLiteral("verbose")}})
                                           << QByteArray() << QStringLiteral("WADESK_LOG_LEVEL")
                                           << QStringLiteral("verbose");
        QTest::newRow("file bad secrets backend") << QStringList() << none << QByteArray("[secrets]\nbackend=vault\n")
                                                  << QStringLiteral("secrets/backend in <file>")
                                                  << QStringLiteral("auto, keychain, env, file");
        // bad bools
        QTest::newRow("env bad bool") << QStringList() << envOf({{"WADESK_LOG_JSON", QStringLiteral("maybe")}})
                                      << QByteArray() << QStringLiteral("WADESK_LOG_JSON") << QStringLiteral("maybe");
        QTest::newRow("file bad bool") << QStringList() << none << QByteArray("[General]\nheadless=2\n")
                                       << QStringLiteral("headless in <file>") << QStringLiteral("true or false");
        QTest::newRow("env headless empty") << QStringList() << envOf({{"WADESK_HEADLESS", QString()}}) << QByteArray()
                                            << QStringLiteral("WADESK_HEADLESS") << QStringLiteral("true or false");
        // database locations
        QTest::newRow("cli postgres without database")
            << QStringList{QStringLiteral("--db"), QStringLiteral("postgres://wadesk:hunter2@db.example:5432")} << none
            << QByteArray() << QStringLiteral("--db") << QStringLiteral("one database");
        QTest::newRow("cli postgres bad port")
            << QStringList{QStringLiteral("--db=postgres://wadesk:hunter2@db.example:99999/wadesk")} << none
            << QByteArray() << QStringLiteral("--db") << QStringLiteral("postgres://");
        QTest::newRow("env postgres unsupported parameter")
            << QStringList()
            << envOf({{"WADESK_DB", QStringLiteral("postgres://wadesk:hunter2@db.example/wadesk?options=-csearch_path")}})
            << QByteArray() << QStringLiteral("WADESK_DB") << QStringLiteral("options");
        QTest::newRow("file unsupported scheme") << QStringList() << none
                                                 << QByteArray("[General]\ndatabase=\"mysql://u:hunter2@h/db\"\n")
                                                 << QStringLiteral("database in <file>") << QStringLiteral("postgres://");
        QTest::newRow("empty data dir") << QStringList{QStringLiteral("--data-dir="), QStringLiteral("--port=1")} << none
                                        << QByteArray() << QStringLiteral("--data-dir")
                                        << QStringLiteral("must not be empty");
        // binding beyond loopback
        QTest::newRow("cli remote bind") << QStringList{QStringLiteral("--bind"), QStringLiteral("0.0.0.0")} << none
                                         << QByteArray() << QStringLiteral("--bind") << QStringLiteral("--allow-remote");
        QTest::newRow("env remote bind") << QStringList() << envOf({{"WADESK_BIND", QStringLiteral("192.168.1.10")}})
                                         << QByteArray() << QStringLiteral("WADESK_BIND")
                                         << QStringLiteral("--allow-remote");
        QTest::newRow("file remote bind") << QStringList() << none << QByteArray("[api]\nbind=\"::\"\n")
                                          << QStringLiteral("api/bind in <file>") << QStringLiteral("--allow-remote");
        QTest::newRow("remote bind, allow-remote false in env")
            << QStringList{QStringLiteral("--bind"), QStringLiteral("10.0.0.1")}
            << envOf({{"WADESK_ALLOW_REMOTE", QStringLiteral("false")}}) << QByteArray() << QStringLiteral("--bind")
            << QStringLiteral("--allow-remote");
        QTest::newRow("bind to a host name") << QStringList{QStringLiteral("--bind"), QStringLiteral("example.org")}
                                             << none << QByteArray() << QStringLiteral("--bind")
                                             << QStringLiteral("IP address");
        // the command line itself
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--prot"), QStringLiteral("80")} << none
                                        << QByteArray() << QStringLiteral("--prot") << QStringLiteral("--prot");
        QTest::newRow("unknown option with value")
            << QStringList{QStringLiteral("--headless"), QStringLiteral("--colour=red")} << none << QByteArray()
            << QStringLiteral("--colour") << QStringLiteral("--colour");
        QTest::newRow("unknown single-dash option") << QStringList{QStringLiteral("-x")} << none << QByteArray()
                                                    << QStringLiteral("-x") << QStringLiteral("-x");
        QTest::newRow("missing value") << QStringList{QStringLiteral("--headless"), QStringLiteral("--port")} << none
                                       << QByteArray() << QStringLiteral("--port") << QStringLiteral("--port");
        QTest::newRow("value given to a flag") << QStringList{QStringLiteral("--headless=no")} << none << QByteArray()
                                               << QStringLiteral("--headless") << QStringLiteral("--headless");
        QTest::newRow("stray positional argument")
            << QStringList{QStringLiteral("--headless"), QStringLiteral("serve")} << none << QByteArray()
            << QStringLiteral("serve") << QStringLiteral("unexpected argument");
        QTest::newRow("positional after --") << QStringList{QStringLiteral("--"), QStringLiteral("--port")} << none
                                             << QByteArray() << QStringLiteral("--port")
                                             << QStringLiteral("unexpected argument");
    }

    void invalidValuesNameTheirSource()
    {
        QFETCH(QStringList, args);
        QFETCH(QProcessEnvironment, env);
        QFETCH(QByteArray, file);
        QFETCH(QString, option);
        QFETCH(QString, mentions);
        const QString path = file.isEmpty() ? missingSettings() : writeSettings(file);
        option.replace(QStringLiteral("<file>"), path);

        bool succeeded = false;
        const DomainError e = loadError(args, env, path, &succeeded);
        QVERIFY2(!succeeded, "the load should have failed");
        QCOMPARE(e.code, QStringLiteral("invalid_option"));
        QCOMPARE(e.httpStatus, 400);
        QCOMPARE(e.details.value(QStringLiteral("option")).toString(), option);
        QVERIFY2(e.message.contains(option), qPrintable(e.message));
        QVERIFY2(e.message.contains(mentions), qPrintable(e.message));
        QVERIFY2(!e.message.contains(QLatin1Char('\n')), qPrintable(e.message));
        QVERIFY2(!e.message.contains(QStringLiteral("hunter2")), qPrintable(e.message)); // passwords stay out
    }

    void errorMessageIsOneLine()
    {
        bool succeeded = false;
        const DomainError e = loadError({}, envOf({{"WADESK_PORT", QStringLiteral("80\n81\r\n")}}), missingSettings(),
                                        &succeeded);
        QVERIFY(!succeeded);
        QVERIFY2(!e.message.contains(QLatin1Char('\n')) && !e.message.contains(QLatin1Char('\r')), qPrintable(e.message));
        QVERIFY(e.message.contains(QStringLiteral("WADESK_PORT")));
    }

    void remoteBindNeedsAllowRemote_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QProcessEnvironment>("env");
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<QString>("bind");
        QTest::newRow("cli flag") << QStringList{QStringLiteral("--bind"), QStringLiteral("0.0.0.0"),
                                                 QStringLiteral("--allow-remote")}
                                  << QProcessEnvironment() << QByteArray() << QStringLiteral("0.0.0.0");
        QTest::newRow("env allows") << QStringList{QStringLiteral("--bind=::")}
                                    << envOf({{"WADESK_ALLOW_REMOTE", QStringLiteral("1")}}) << QByteArray()
                                    << QStringLiteral("::");
        QTest::newRow("file allows") << QStringList() << QProcessEnvironment()
                                     << QByteArray("[api]\nbind=10.1.2.3\nallowRemote=true\n")
                                     << QStringLiteral("10.1.2.3");
        QTest::newRow("loopback v6 needs nothing") << QStringList{QStringLiteral("--bind"), QStringLiteral("::1")}
                                                   << QProcessEnvironment() << QByteArray() << QStringLiteral("::1");
        QTest::newRow("127.x needs nothing") << QStringList{QStringLiteral("--bind"), QStringLiteral("127.8.9.10")}
                                             << QProcessEnvironment() << QByteArray() << QStringLiteral("127.8.9.10");
        QTest::newRow("localhost any case") << QStringList{QStringLiteral("--bind"), QStringLiteral("LocalHost")}
                                            << QProcessEnvironment() << QByteArray() << QStringLiteral("LocalHost");
    }

    void remoteBindNeedsAllowRemote()
    {
        QFETCH(QStringList, args);
        QFETCH(QProcessEnvironment, env);
        QFETCH(QByteArray, file);
        QFETCH(QString, bind);
        const Result<LoadedConfig> r =
            ConfigLoader::load(argv(args), env, file.isEmpty() ? missingSettings() : writeSettings(file));
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(r->config.api.bindAddress, bind);
    }

    void databaseAndDataDir()
    {
        const QString dataDir = m_dir.filePath(QStringLiteral("data"));
        // A relative data dir is made absolute against the working directory.
        {
            const Result<LoadedConfig> r = ConfigLoader::load(
                argv({QStringLiteral("--data-dir"), QStringLiteral("rel/../somewhere")}), {}, missingSettings());
            QVERIFY(r.ok());
            QCOMPARE(r->config.dataDir, QDir::cleanPath(QDir::currentPath() + QStringLiteral("/somewhere")));
        }
        const QString url = QStringLiteral("postgres://wadesk:s3cret@127.0.0.1:5433/wadesk?sslmode=disable");
        const Result<LoadedConfig> r = ConfigLoader::load(argv({QStringLiteral("--data-dir"), dataDir}),
                                                          envOf({{"WADESK_DB", url}}), missingSettings());
        QVERIFY(r.ok());
        QCOMPARE(r->config.dataDir, QDir::cleanPath(dataDir));
        QCOMPARE(r->config.database, url); // kept as given; parsed where the database is opened
        // The file's database loses to the environment, and the command line wins over both.
        const QString file = writeSettings("[General]\ndatabase=file.db\ndataDir=/nonexistent/from-file\n");
        const Result<LoadedConfig> fromCli = ConfigLoader::load(argv({QStringLiteral("--db"), QStringLiteral("cli.db")}),
                                                                envOf({{"WADESK_DB", QStringLiteral("env.db")}}), file);
        QVERIFY(fromCli.ok());
        QCOMPARE(fromCli->config.database, QStringLiteral("cli.db"));
        QCOMPARE(fromCli->config.dataDir, QStringLiteral("/nonexistent/from-file"));
        const Result<LoadedConfig> fromEnv =
            ConfigLoader::load(argv({}), envOf({{"WADESK_DB", QStringLiteral("env.db")}}), file);
        QVERIFY(fromEnv.ok());
        QCOMPARE(fromEnv->config.database, QStringLiteral("env.db"));
    }

    void settingsFileValueWithComma()
    {
        // An unquoted comma makes QSettings read a list; the value must still arrive whole.
        const QString file = writeSettings("[General]\nenvironment=eu-west, staging\n");
        const Result<LoadedConfig> r = ConfigLoader::load(argv({}), {}, file);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QVERIFY2(r->config.api.environment.startsWith(QStringLiteral("eu-west,")), qPrintable(r->config.api.environment));
        QVERIFY(r->config.api.environment.endsWith(QStringLiteral("staging")));
    }

    void toolkitArgumentsAreIgnored_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("port");
        QTest::newRow("qt options with values")
            << QStringList{QStringLiteral("-platform"), QStringLiteral("offscreen"), QStringLiteral("--port"),
                           QStringLiteral("4100"), QStringLiteral("-style"), QStringLiteral("fusion"),
                           QStringLiteral("-qwindowtitle"), QStringLiteral("Hello World")}
            << 4100;
        QTest::newRow("qt flags") << QStringList{QStringLiteral("-reverse"), QStringLiteral("--port=4101"),
                                                 QStringLiteral("-nograb")}
                                  << 4101;
        // Qt accepts its options with two dashes too, and -style=X.
        QTest::newRow("double-dash qt options")
            << QStringList{QStringLiteral("--platform"), QStringLiteral("offscreen"), QStringLiteral("--style"),
                           QStringLiteral("fusion"), QStringLiteral("--port"), QStringLiteral("4102")}
            << 4102;
        QTest::newRow("qt option=value") << QStringList{QStringLiteral("-style=fusion"), QStringLiteral("--port"),
                                                        QStringLiteral("4103"), QStringLiteral("-stylesheet=a.qss")}
                                         << 4103;
        QTest::newRow("chromium arguments")
            << QStringList{QStringLiteral("--port"), QStringLiteral("4104"), QStringLiteral("--webEngineArgs"),
                           QStringLiteral("--remote-debugging-port=9222"), QStringLiteral("--port"),
                           QStringLiteral("1"), QStringLiteral("stray")}
            << 4104;
        QTest::newRow("value looks like a qt option")
            << QStringList{QStringLiteral("--data-dir"), QStringLiteral("/tmp/x"), QStringLiteral("--port"),
                           QStringLiteral("4105"), QStringLiteral("-platform")}
            << 4105;
    }

    void toolkitArgumentsAreIgnored()
    {
        QFETCH(QStringList, args);
        QFETCH(int, port);
        const Result<LoadedConfig> r = ConfigLoader::load(argv(args), {}, missingSettings());
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(r->config.api.port, port);
    }

    void withoutToolkitArguments()
    {
        const QStringList in = {QStringLiteral("wadesk"),      QStringLiteral("--headless"),
                                QStringLiteral("-platform"),   QStringLiteral("offscreen"),
                                QStringLiteral("--port"),      QStringLiteral("1"),
                                QStringLiteral("-reverse"),    QStringLiteral("--webEngineArgs"),
                                QStringLiteral("--no-sandbox"), QStringLiteral("--headless")};
        QCOMPARE(ConfigLoader::withoutToolkitArguments(in),
                 (QStringList{QStringLiteral("wadesk"), QStringLiteral("--headless"), QStringLiteral("--port"),
                              QStringLiteral("1")}));
        // The program name is never taken for a toolkit argument.
        QCOMPARE(ConfigLoader::withoutToolkitArguments({QStringLiteral("-platform")}), QStringList{QStringLiteral("-platform")});
        QCOMPARE(ConfigLoader::withoutToolkitArguments({}), QStringList());
    }

    void helpAndVersion_data()
    {
        QTest::addColumn<QString>("flag");
        QTest::addColumn<bool>("help");
        QTest::addColumn<bool>("version");
        QTest::newRow("--help") << QStringLiteral("--help") << true << false;
        QTest::newRow("-h") << QStringLiteral("-h") << true << false;
        QTest::newRow("--version") << QStringLiteral("--version") << false << true;
        QTest::newRow("-v") << QStringLiteral("-v") << false << true;
    }

    void helpAndVersion()
    {
        QFETCH(QString, flag);
        QFETCH(bool, help);
        QFETCH(bool, version);
        const Result<LoadedConfig> r = ConfigLoader::load(argv({flag}), {}, missingSettings());
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(r->showHelp, help);
        QCOMPARE(r->showVersion, version);
        // The help names every command-line option with its environment variable and file key.
        for (const char *text : {"--port", "WADESK_PORT", "api/port", "--bind", "--allow-remote", "--db", "WADESK_DB",
                                 "--data-dir", "--log-level", "--log-json", "--headless"})
            QVERIFY2(r->helpText.contains(QLatin1String(text)), text);
    }

    void helpDoesNotHideInvalidValues()
    {
        // An invalid value is still an error with --help: nothing is half-accepted.
        bool succeeded = false;
        const DomainError e = loadError({QStringLiteral("--help"), QStringLiteral("--nope")}, {}, missingSettings(),
                                        &succeeded);
        QVERIFY(!succeeded);
        QCOMPARE(e.details.value(QStringLiteral("option")).toString(), QStringLiteral("--nope"));
    }

    void defaultSettingsFilePath()
    {
        QCOMPARE(ConfigLoader::defaultSettingsFilePath(envOf({{"WADESK_CONFIG", QStringLiteral("/etc/wadesk.conf")}})),
                 QStringLiteral("/etc/wadesk.conf"));
        const QString standard = ConfigLoader::defaultSettingsFilePath(QProcessEnvironment());
        QVERIFY2(standard.endsWith(QStringLiteral("/wadesk/wadesk.conf")), qPrintable(standard));
        QVERIFY(QDir::isAbsolutePath(standard));
    }

    // ---- DatabaseUrl ----

    void sqlitePaths_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("relative") << QStringLiteral("wadesk.db") << QStringLiteral("/srv/data/wadesk.db");
        QTest::newRow("relative subdir") << QStringLiteral("db/x.sqlite") << QStringLiteral("/srv/data/db/x.sqlite");
        QTest::newRow("relative up") << QStringLiteral("../other.db") << QStringLiteral("/srv/other.db");
        QTest::newRow("absolute") << QStringLiteral("/var/lib/wadesk/w.db") << QStringLiteral("/var/lib/wadesk/w.db");
        QTest::newRow("absolute unclean") << QStringLiteral("/var//lib/./w.db") << QStringLiteral("/var/lib/w.db");
        QTest::newRow("sqlite: relative") << QStringLiteral("sqlite:rel.db") << QStringLiteral("/srv/data/rel.db");
        QTest::newRow("sqlite: absolute") << QStringLiteral("sqlite:/abs/a.db") << QStringLiteral("/abs/a.db");
        QTest::newRow("SQLITE: prefix") << QStringLiteral("SQLite:/abs/b.db") << QStringLiteral("/abs/b.db");
        QTest::newRow("sqlite:/// (URL style)") << QStringLiteral("sqlite:///abs/c.db") << QStringLiteral("/abs/c.db");
        QTest::newRow("surrounding spaces") << QStringLiteral("  spaced.db \n") << QStringLiteral("/srv/data/spaced.db");
        QTest::newRow("space inside") << QStringLiteral("my data.db") << QStringLiteral("/srv/data/my data.db");
    }

    void sqlitePaths()
    {
        QFETCH(QString, value);
        QFETCH(QString, expected);
        const Result<DatabaseUrl> r = DatabaseUrl::parse(value, QStringLiteral("/srv/data"));
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(r->dialect, DatabaseUrl::Dialect::Sqlite);
        QCOMPARE(r->dialectName(), QStringLiteral("sqlite"));
        QCOMPARE(r->sqlitePath, expected);
        QCOMPARE(r->describe(), QStringLiteral("SQLite ") + expected);
        QCOMPARE(DatabaseUrl::redacted(value), value); // nothing to hide in a path
    }

    void postgresUrls()
    {
        {
            const Result<DatabaseUrl> r =
                DatabaseUrl::parse(QStringLiteral("postgres://wadesk:s3cret@db.example.org:6543/wadesk_prod"), {});
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
            QCOMPARE(r->dialect, DatabaseUrl::Dialect::Postgres);
            QCOMPARE(r->dialectName(), QStringLiteral("postgres"));
            QCOMPARE(r->host, QStringLiteral("db.example.org"));
            QCOMPARE(r->port, 6543);
            QCOMPARE(r->user, QStringLiteral("wadesk"));
            QCOMPARE(r->password, QStringLiteral("s3cret"));
            QCOMPARE(r->databaseName, QStringLiteral("wadesk_prod"));
            QCOMPARE(r->connectOptions, QString());
            QCOMPARE(r->describe(), QStringLiteral("PostgreSQL wadesk@db.example.org:6543/wadesk_prod"));
            QVERIFY(!r->describe().contains(QStringLiteral("s3cret")));
            QVERIFY(r->sqlitePath.isEmpty());
        }
        {
            // postgresql:// scheme, default port, no credentials, upper-case scheme
            const Result<DatabaseUrl> r = DatabaseUrl::parse(QStringLiteral("PostgreSQL://localhost/app"), {});
            QVERIFY(r.ok());
            QCOMPARE(r->port, 5432);
            QCOMPARE(r->user, QString());
            QCOMPARE(r->password, QString());
            QCOMPARE(r->host, QStringLiteral("localhost"));
            QCOMPARE(r->databaseName, QStringLiteral("app"));
        }
        {
            // Percent-encoded user, password and database name arrive decoded.
            const Result<DatabaseUrl> r =
                DatabaseUrl::parse(QStringLiteral("postgres://ad%40min:p%40ss%3Aw%2Frd%25%20x@[::1]:5444/my%20db"), {});
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
            QCOMPARE(r->user, QStringLiteral("ad@min"));
            QCOMPARE(r->password, QStringLiteral("p@ss:w/rd% x"));
            QCOMPARE(r->host, QStringLiteral("::1"));
            QCOMPARE(r->port, 5444);
            QCOMPARE(r->databaseName, QStringLiteral("my db"));
        }
    }

    void postgresQueryOptions_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("connectOptions"); // empty: refused
        QTest::newRow("sslmode") << QStringLiteral("sslmode=require") << QStringLiteral("sslmode=require");
        QTest::newRow("two allowed") << QStringLiteral("sslmode=verify-full&connect_timeout=3")
                                     << QStringLiteral("sslmode=verify-full;connect_timeout=3");
        QTest::newRow("application name") << QStringLiteral("application_name=wadesk-1")
                                          << QStringLiteral("application_name=wadesk-1");
        QTest::newRow("root cert") << QStringLiteral("sslrootcert=/etc/ssl/ca.pem")
                                   << QStringLiteral("sslrootcert=/etc/ssl/ca.pem");
        QTest::newRow("options refused") << QStringLiteral("options=-c%20statement_timeout=0") << QString();
        QTest::newRow("host refused") << QStringLiteral("host=evil.example") << QString();
        QTest::newRow("password refused") << QStringLiteral("password=x") << QString();
        QTest::newRow("upper-case name refused") << QStringLiteral("SSLMODE=disable") << QString();
        // A value must not smuggle another connection parameter past the allow-list: QPSQL
        // turns ';' into a separator and passes the rest to libpq verbatim.
        QTest::newRow("smuggled by ;") << QStringLiteral("sslmode=disable;host=evil.example") << QString();
        QTest::newRow("smuggled by ; encoded") << QStringLiteral("sslmode=disable%3Bhost%3Devil.example") << QString();
        QTest::newRow("smuggled by space") << QStringLiteral("application_name=x%20host=evil.example") << QString();
        QTest::newRow("quote") << QStringLiteral("application_name=it's") << QString();
    }

    void postgresQueryOptions()
    {
        QFETCH(QString, query);
        QFETCH(QString, connectOptions);
        const Result<DatabaseUrl> r = DatabaseUrl::parse(QStringLiteral("postgres://u:pw@h/db?") + query, {});
        if (connectOptions.isEmpty()) {
            QVERIFY2(!r.ok(), qPrintable(r.ok() ? r->connectOptions : QString()));
            QVERIFY(!r.error().message.contains(QStringLiteral("pw@")));
        } else {
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
            QCOMPARE(r->connectOptions, connectOptions);
        }
    }

    void invalidLocations_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("empty") << QString();
        QTest::newRow("blank") << QStringLiteral("   ");
        QTest::newRow("sqlite: alone") << QStringLiteral("sqlite:");
        QTest::newRow("other scheme") << QStringLiteral("mysql://u:p@h/db");
        QTest::newRow("no database") << QStringLiteral("postgres://u:p@h");
        QTest::newRow("root path only") << QStringLiteral("postgres://u:p@h:5432/");
        QTest::newRow("two path segments") << QStringLiteral("postgres://u:p@h/a/b");
        QTest::newRow("no host") << QStringLiteral("postgres:///db");
        QTest::newRow("port zero") << QStringLiteral("postgres://h:0/db");
        QTest::newRow("port too big") << QStringLiteral("postgres://h:65536/db");
        QTest::newRow("port not a number") << QStringLiteral("postgres://h:pg/db");
    }

    void invalidLocations()
    {
        QFETCH(QString, value);
        const Result<DatabaseUrl> r = DatabaseUrl::parse(value, QStringLiteral("/srv/data"));
        QVERIFY2(!r.ok(), qPrintable(r.ok() ? r->describe() : QString()));
        QCOMPARE(r.error().httpStatus, 400);
        QVERIFY(!r.error().message.isEmpty());
    }

    void redaction_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QString>("mustKeep");
        QTest::newRow("plain password") << QStringLiteral("postgres://wadesk:hunter2@db.example:5432/wadesk")
                                        << QStringLiteral("hunter2") << QStringLiteral("db.example:5432/wadesk");
        QTest::newRow("encoded password") << QStringLiteral("postgres://wadesk:hun%40ter%3A2@db.example/wadesk")
                                          << QStringLiteral("hun") << QStringLiteral("@db.example/wadesk");
        QTest::newRow("postgresql scheme with query")
            << QStringLiteral("postgresql://u:hunter2@h/db?sslmode=require") << QStringLiteral("hunter2")
            << QStringLiteral("sslmode=require");
        QTest::newRow("surrounding spaces") << QStringLiteral(" postgres://u:hunter2@h/db ") << QStringLiteral("hunter2")
                                            << QStringLiteral("h/db");
        QTest::newRow("other scheme") << QStringLiteral("mysql://u:hunter2@h/db") << QStringLiteral("hunter2")
                                      << QStringLiteral("@h/db");
        // Malformed URLs must not leak the password either.
        QTest::newRow("bad port") << QStringLiteral("postgres://u:hunter2@h:99999/db") << QStringLiteral("hunter2")
                                  << QString();
        QTest::newRow("port not a number") << QStringLiteral("postgres://u:hunter2@h:abc/db")
                                           << QStringLiteral("hunter2") << QString();
        QTest::newRow("space in password") << QStringLiteral("postgres://u:hun ter2@h/db") << QStringLiteral("ter2")
                                           << QString();
        QTest::newRow("password with @") << QStringLiteral("postgres://u:hun@ter2@h/db") << QStringLiteral("ter2")
                                         << QString();
    }

    void redaction()
    {
        QFETCH(QString, value);
        QFETCH(QString, secret);
        QFETCH(QString, mustKeep);
        const QString out = DatabaseUrl::redacted(value);
        QVERIFY2(!out.contains(secret), qPrintable(out));
        if (!mustKeep.isEmpty()) {
            QVERIFY2(out.contains(mustKeep), qPrintable(out));
            QVERIFY2(out.contains(QStringLiteral("***")), qPrintable(out));
        }
        // The loader's error for the same value keeps it out as well.
        const QString refused = value.trimmed() + (value.contains(QLatin1Char('?')) ? QStringLiteral("&nope=1")
                                                                                    : QStringLiteral("?nope=1"));
        const Result<LoadedConfig> r =
            ConfigLoader::load(argv({QStringLiteral("--db"), refused}), {}, missingSettings());
        QVERIFY(!r.ok());
        QVERIFY2(!r.error().message.contains(secret), qPrintable(r.error().message));
    }

    void redactionWithoutPassword()
    {
        QCOMPARE(DatabaseUrl::redacted(QStringLiteral("postgres://u@h/db")), QStringLiteral("postgres://u@h/db"));
        QCOMPARE(DatabaseUrl::redacted(QStringLiteral("/var/lib/wadesk.db")), QStringLiteral("/var/lib/wadesk.db"));
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"

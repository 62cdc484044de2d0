#pragma once

// What the ui tests share: a migrated SQLite database in a temporary directory, the EventBus, a
// SessionRegistry on the main thread whose sessions load the fake WhatsApp Web page
// (tests/fixtures/fake-whatsapp, from file://, driven through runJavaScript("__fake…")), a
// throwaway master key (so the secret-holding services, webhooks and proxies, exist), and a
// DesktopContext over them, as the desktop builds it. Plus an organization with its admin.

#include "tests/support/FakeWhatsAppServer.h"

#include "core/auth/AccountService.h"
#include "core/auth/PasswordHasher.h"
#include "core/auth/TeamService.h"
#include "core/cluster/ForwardedSessions.h"
#include "core/events/EventBus.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "ui/desktop/DesktopContext.h"
#include "core/engine/SessionRegistry.h"
#include "core/engine/WaSession.h"
#include "core/secrets/AesGcm.h"
#include "core/sessions/ClientService.h"
#include "core/media/MediaService.h"

#include <QApplication>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QWebEnginePage>
#include <QWebEngineScript>
#include <functional>
#include <memory>
#include <unistd.h>

namespace wadesk::test {

constexpr int kUiWaitMs = 30000;

class UiHarness {
public:
    QTemporaryDir dir;
    std::unique_ptr<Database> db;
    EventBus bus;
    std::unique_ptr<AesGcm> cipher;
    std::unique_ptr<SessionRegistry> registry;
    // With clusterInstanceId set: every service asks through this forwarder, as the application
    // wires it on PostgreSQL (it is not started: a test polls it).
    std::unique_ptr<ForwardedSessions> cluster;
    std::unique_ptr<DesktopContext> context;
    AuthContext admin;

    static QUrl fakeUrl()
    {
        QUrl url = QUrl::fromLocalFile(QDir(FakeWhatsAppServer::defaultFixtureDirectory()).filePath(QStringLiteral("index.html")));
        QUrlQuery query;
        for (const auto &[key, value] : QList<QPair<QString, QString>>{{QStringLiteral("readyMs"), QStringLiteral("50")},
                                                                        {QStringLiteral("qrFirstMs"), QStringLiteral("60000")},
                                                                        {QStringLiteral("qrMax"), QStringLiteral("100")},
                                                                        {QStringLiteral("syncMs"), QStringLiteral("200")},
                                                                        {QStringLiteral("ackMs"), QStringLiteral("150")}})
            query.addQueryItem(key, value);
        url.setQuery(query);
        return url;
    }

    // This desktop as one instance among several (set before setUp).
    QString clusterInstanceId;
    // Changes to the services' settings before the context is built (e.g. the media backend).
    std::function<void(ServiceSettings &)> tweakSettings;

    // False with a message on failure.
    bool setUp(QString *why)
    {
        if (!dir.isValid())
            return fail(why, QStringLiteral("no temporary directory"));
        Result<DatabaseUrl> url = DatabaseUrl::parse(QStringLiteral("wadesk.db"), dir.path());
        if (!url)
            return fail(why, url.error().message);
        db = std::make_unique<Database>(url.value());
        const Result<int> migrated = Migrator(*db, Migrator::embeddedDirectory(QStringLiteral("sqlite"))).migrate();
        if (!migrated)
            return fail(why, migrated.error().message);
        EngineSettings engine;
        engine.dataDir = dir.path();
        engine.url = fakeUrl();
        engine.injectWaJs = false;
        engine.heartbeatIntervalMs = 250;
        engine.heartbeatTimeoutMs = 15000;
        engine.readyTimeoutMs = 20000;
        ServiceSettings services;
        services.auth.passwordCost = PasswordHasher::Cost::Minimal;
        services.messaging.pacing = PacingSettings::off();
        services.messaging.defaultTiers = RateTiers{1000, 10000, 100000};
        services.media.directory = dir.filePath(QStringLiteral("media")); // the file backend, as the application's data directory
        if (tweakSettings)
            tweakSettings(services);
        registry = std::make_unique<SessionRegistry>(*db, bus, engine, services.messaging);
        DesktopContext::Facts facts;
        facts.apiAddress = QStringLiteral("http://127.0.0.1:9"); // nothing listens: "not answering"
        facts.database = QStringLiteral("SQLite %1").arg(dir.filePath(QStringLiteral("wadesk.db")));
        facts.secrets = QStringLiteral("test key");
        facts.dataDir = dir.path();
        facts.settingsFile = dir.filePath(QStringLiteral("wadesk.ini")); // Settings… writes here
        SharedServices shared;
        shared.database = db.get();
        shared.jwtKey = QByteArrayLiteral("ui-test-jwt-key-0123456789abcdef0123456789abcdef");
        shared.events = &bus;
        shared.sessions = registry.get();
        if (!clusterInstanceId.isEmpty()) {
            ClusterSettings settings;
            settings.instanceId = clusterInstanceId;
            ForwardedSessions::Local local;
            SessionRegistry *sessions = registry.get();
            local.control = sessions;
            local.runningClients = [sessions]() { return sessions->runningClients(); };
            local.stopForHandOver = [sessions](const QString &clientId) { sessions->stop(clientId); };
            cluster = std::make_unique<ForwardedSessions>(*db, local, settings);
            shared.sessions = cluster.get();
        }
        cipher = std::make_unique<AesGcm>(AesGcm::randomBytes(AesGcm::kKeyBytes));
        shared.cipher = cipher.get();
        context = std::make_unique<DesktopContext>(shared, services, *registry, facts);
        context->setCluster(cluster.get());
        // The senders read the files of file messages from the media store of this (the main) thread.
        registry->setMediaLibrary(&context->media());
        Result<AccountService::Registration> reg =
            registerOrganization(QStringLiteral("admin@ui.test"), QStringLiteral("Ada Admin"), QStringLiteral("UI Org"));
        if (!reg)
            return fail(why, reg.error().message);
        admin = actorOf(reg.value().admin);
        context->signIn(admin);
        return true;
    }

    void tearDown()
    {
        if (registry) {
            registry->stopAll();
            registry->setMediaLibrary(nullptr); // the context's media store goes first
        }
        context.reset();
        cluster.reset();
        registry.reset();
        if (db)
            db->closeThreadConnection();
        db.reset();
    }

    static AuthContext actorOf(const UserRecord &user) { return user.actingFrom(QStringLiteral("desktop")); }

    // An organization with its admin, as the sign-up does (setUp's own, or another one whose
    // data must stay out of sight).
    Result<AccountService::Registration> registerOrganization(const QString &email, const QString &name, const QString &organizationName)
    {
        AccountService::RegisterInput input;
        input.email = email;
        input.name = name;
        input.organizationName = organizationName;
        input.passwordHash = PasswordHasher(PasswordHasher::Cost::Minimal).hash(QStringLiteral("correct horse battery"));
        input.ipAddress = QStringLiteral("desktop");
        return context->accounts().registerOrganization(input);
    }

    // A statement run on the database as it is (seeding what no service writes, tampering);
    // false, with the driver's message as a warning, when it fails.
    bool exec(const QString &sql, const QVariantList &bindings = {})
    {
        SqlRunner runner(*db);
        Result<int> changed = runner.change(sql, bindings, "test");
        if (!changed)
            qWarning("%s", qPrintable(changed.error().message));
        return bool(changed);
    }

    QString createClient(const QString &name)
    {
        Result<ClientRecord> c = context->clients().create(admin, name, QString());
        return c ? c.value().id : QString();
    }

    Result<UserRecord> createMember(const QString &email, Role role)
    {
        TeamService::NewMember m;
        m.email = email;
        m.name = email.section(QLatin1Char('@'), 0, 0);
        m.role = role;
        m.passwordHash = PasswordHasher(PasswordHasher::Cost::Minimal).hash(QStringLiteral("correct horse battery"));
        return context->team().createMember(admin, m);
    }

    WaSession *session(const QString &clientId) const { return registry ? registry->session(clientId) : nullptr; }
    QWebEnginePage *page(const QString &clientId) const
    {
        WaSession *s = session(clientId);
        return s ? s->page() : nullptr;
    }

    static QVariant runJs(QWebEnginePage *page, const QString &code, int timeoutMs = 10000)
    {
        if (!page)
            return {};
        auto state = std::make_shared<std::pair<bool, QVariant>>(false, QVariant());
        page->runJavaScript(code, QWebEngineScript::MainWorld, [state](const QVariant &v) {
            state->first = true;
            state->second = v;
        });
        if (!QTest::qWaitFor([&] { return state->first; }, timeoutMs))
            qWarning("runJavaScript timed out: %s", qPrintable(code.left(200)));
        return state->second;
    }

    static QJsonValue js(QWebEnginePage *page, const QString &expr)
    {
        const QString code = QStringLiteral("JSON.stringify({v: (function () { return (%1); })()})").arg(expr);
        return QJsonDocument::fromJson(runJs(page, code).toString().toUtf8()).object().value(QLatin1String("v"));
    }

    QJsonValue fake(const QString &clientId, const QString &call) { return js(page(clientId), QStringLiteral("__fake.") + call); }

    bool waitState(const QString &clientId, SessionState wanted, int timeoutMs = kUiWaitMs)
    {
        return QTest::qWaitFor(
            [&] {
                const std::optional<SessionSnapshot> s = registry->snapshot(clientId);
                return s && s->state == wanted;
            },
            timeoutMs);
    }

    // Starts the client and waits for its QR screen with a live code.
    bool startToQr(const QString &clientId)
    {
        QString error;
        if (!registry->start(admin.organizationId, clientId, &error)) {
            qWarning("start: %s", qPrintable(error));
            return false;
        }
        return waitState(clientId, SessionState::Qr)
            && QTest::qWaitFor([&] { return js(page(clientId), QStringLiteral("__fake.state().qr !== null")).toBool(); }, kUiWaitMs);
    }

    // Scans the code on the page and waits for ready.
    bool scan(const QString &clientId, const QString &phoneDigits)
    {
        if (!fake(clientId, QStringLiteral("scan('%1')").arg(phoneDigits)).toObject().value(QLatin1String("ok")).toBool())
            return false;
        return waitState(clientId, SessionState::Ready);
    }

private:
    static bool fail(QString *why, const QString &message)
    {
        if (why)
            *why = message;
        return false;
    }
};

// The environment every ui test runs in, before QApplication exists.
inline void prepareUiEnvironment(const QByteArray &configHome)
{
    if (::geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX"))
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QTWEBENGINE_CHROMIUM_FLAGS"))
        qputenv("QTWEBENGINE_CHROMIUM_FLAGS",
                "--disable-background-timer-throttling --disable-renderer-backgrounding --disable-backgrounding-occluded-windows");
    // QSettings (window geometry) goes to a throwaway place, never the user's configuration.
    qputenv("XDG_CONFIG_HOME", configHome);
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
}

} // namespace wadesk::test

// main() for a ui test: QApplication (widgets) with the environment above.
#define WADESK_UI_TEST_MAIN(TestClass)                                                     \
    int main(int argc, char **argv)                                                        \
    {                                                                                      \
        QTemporaryDir configHome;                                                          \
        wadesk::test::prepareUiEnvironment(configHome.path().toLocal8Bit());               \
        QApplication app(argc, argv);                                                      \
        QApplication::setOrganizationName(QStringLiteral("WaDeskTests"));                  \
        QApplication::setApplicationName(QStringLiteral(#TestClass));                      \
        TestClass test;                                                                    \
        QTEST_SET_MAIN_SOURCE_PATH                                                         \
        return QTest::qExec(&test, argc, argv);                                            \
    }

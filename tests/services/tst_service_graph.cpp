// ServiceGraph, the one place a thread's core services are built (the API thread's and the
// desktop's graphs are two instances of it): on a real migrated SQLite database. The settings it is
// given reach the services (token lifetime, the engine, webhooks and proxies only with a cipher), and a graph
// built and used on another thread works over the same database as one on the main thread.

#include "core/auth/AccountService.h"
#include "core/auth/Authenticator.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/PasswordHasher.h"
#include "core/db/Database.h"
#include "core/proxies/ProxyService.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/secrets/AesGcm.h"
#include "core/services/ServiceGraph.h"
#include "core/sessions/ClientActionService.h"
#include "core/sessions/ClientService.h"
#include "tests/support/RecordingSessions.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <memory>

using namespace wadesk;

class TestServiceGraph : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    int m_registrations = 0;

    ServiceSettings settings(qint64 jwtLifetimeSeconds = 3600)
    {
        ServiceSettings s;
        s.auth.passwordCost = PasswordHasher::Cost::Minimal;
        s.auth.jwtLifetimeSeconds = jwtLifetimeSeconds;
        return s;
    }
    SharedServices shared(SessionControl *sessions = nullptr, const AesGcm *cipher = nullptr)
    {
        SharedServices s;
        s.database = m_db.get();
        s.jwtKey = QByteArrayLiteral("graph-test-jwt-key-0123456789abcdef0123456789");
        s.sessions = sessions;
        s.cipher = cipher;
        return s;
    }
    Result<AccountService::Registration> registerIn(ServiceGraph &graph)
    {
        const int n = ++m_registrations;
        const QString hash = graph.hasher().hash(QStringLiteral("correct horse %1").arg(n));
        return graph.accounts().registerOrganization({QStringLiteral("admin%1@graph.test").arg(n), QStringLiteral("Admin"),
                                                      QStringLiteral("Org %1").arg(n), hash, QStringLiteral("198.51.100.9")});
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = std::make_unique<Database>(DatabaseUrl::parse(m_dir.filePath(QStringLiteral("g.db")), m_dir.path()).value());
        QVERIFY(Migrator(*m_db, Migrator::embeddedDirectory(QStringLiteral("sqlite"))).migrate().ok());
    }

    void settingsReachTheServices()
    {
        ServiceGraph shortLived(shared(), settings(120));
        auto reg = registerIn(shortLived);
        QVERIFY2(reg.ok(), reg.ok() ? "" : qPrintable(reg.error().message));
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        Result<JwtCodec::Claims> claims = shortLived.jwt().verify(reg->token, now);
        QVERIFY(claims.ok());
        QCOMPARE(claims->expiresAt - claims->issuedAt, qint64(120));
        // The authenticator of the same graph accepts the token; a graph with another lifetime
        // issues tokens with that lifetime.
        Result<AuthContext> signedIn = shortLived.authenticator().authenticate(QByteArray(), "Bearer " + reg->token.toUtf8(), QStringLiteral("198.51.100.9"));
        QVERIFY(signedIn.ok());
        QCOMPARE(signedIn->userId, reg->admin.id);
        ServiceGraph longLived(shared(), settings(7200));
        const QString token = longLived.jwt().issue(reg->admin.id, reg->organization.id, now);
        QCOMPARE(longLived.jwt().verify(token, now)->expiresAt, now + 7200);
        QVERIFY(!shortLived.jwt().verify(token, now + 7201).ok()); // same key, exp enforced
    }

    void webhooksAndProxiesNeedACipher()
    {
        ServiceGraph without(shared(), settings());
        QVERIFY(without.webhooks() == nullptr);
        QVERIFY(without.proxies() == nullptr);
        const AesGcm cipher(QByteArray(AesGcm::kKeyBytes, 'c'));
        ServiceGraph with(shared(nullptr, &cipher), settings());
        QVERIFY(with.webhooks() != nullptr);
        QVERIFY(with.proxies() != nullptr);
        // Without an application event bus the proxies' events are still stored.
        auto reg = registerIn(with);
        QVERIFY(reg);
        const AuthContext admin = reg->admin.actingFrom(QStringLiteral("127.0.0.1"));
        ProxyInput in;
        in.type = QStringLiteral("http");
        in.host = QStringLiteral("proxy.test");
        in.port = 3128;
        const Result<ProxyRecord> proxy = with.proxies()->create(admin, in);
        QVERIFY(proxy.ok());
        QCOMPARE(with.proxies()->list(admin).value().size(), 1);
    }

    void theEngineIsReachedThroughTheGraph()
    {
        RecordingSessions engine;
        ServiceGraph graph(shared(&engine), settings());
        auto reg = registerIn(graph);
        QVERIFY(reg.ok());
        const AuthContext admin = reg->admin.actingFrom(QStringLiteral("198.51.100.9"));
        Result<ClientRecord> client = graph.clients().create(admin, QStringLiteral("Sales"), QString());
        QVERIFY2(client.ok(), client.ok() ? "" : qPrintable(client.error().message));
        QVERIFY(graph.clientActions().start(admin, client->id).ok());
        QCOMPARE(engine.calls, QStringList{QStringLiteral("start %1 %2").arg(admin.organizationId, client->id)});

        // Without an engine the same action is refused as unavailable, and nothing is asked of it.
        ServiceGraph headlessGraph(shared(), settings());
        Result<ClientActionService::Started> refused = headlessGraph.clientActions().start(admin, client->id);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().httpStatus, 503);
    }

    // As the API thread does: the graph is created, used and destroyed on its own thread; what it
    // wrote is visible to the main thread's graph.
    void aGraphPerThread()
    {
        AuthContext admin;
        QString clientId;
        QString failure;
        std::unique_ptr<QThread> thread(QThread::create([&]() {
            ServiceGraph onThread(shared(), settings());
            auto reg = registerIn(onThread);
            if (!reg) {
                failure = reg.error().message;
            } else {
                admin = reg->admin.actingFrom(QStringLiteral("198.51.100.9"));
                Result<ClientRecord> client = onThread.clients().create(admin, QStringLiteral("Support"), QString());
                if (client)
                    clientId = client->id;
                else
                    failure = client.error().message;
            }
            m_db->closeThreadConnection();
        }));
        thread->start();
        QVERIFY(thread->wait(30000));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QVERIFY(!clientId.isEmpty());

        ServiceGraph onMain(shared(), settings());
        Result<ClientRecord> seen = onMain.clients().get(admin, clientId);
        QVERIFY2(seen.ok(), seen.ok() ? "" : qPrintable(seen.error().message));
        QCOMPARE(seen->name, QStringLiteral("Support"));
    }
};

QTEST_GUILESS_MAIN(TestServiceGraph)
#include "tst_service_graph.moc"

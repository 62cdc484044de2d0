// Browser-state snapshot bench (bench/README.md, "Browser snapshots"): links a client of the fake
// WhatsApp Web page in a real QtWebEngine profile, stops it cleanly, then times RUNS snapshots of
// that profile (pack + compress + seal + INSERT + prune: BrowserSnapshotStore::save) and RUNS
// restores into an empty session folder (SELECT + open + uncompress + unpack + swap:
// restoreIfNewer); then the same with PADDING_MB of incompressible bytes added to its IndexedDB,
// as a stand-in for a real WhatsApp profile, whose IndexedDB holds tens of MB.
//   bench_snapshots [--dialect postgres|sqlite] [--runs 10] [--padding-mb 20]

#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/cluster/BrowserSnapshotStore.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/engine/SessionRegistry.h"
#include "core/engine/WaSession.h"
#include "core/events/EventBus.h"
#include "core/secrets/AesGcm.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QWebEnginePage>
#include <QWebEngineScript>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

using namespace wadesk;

namespace {

const QString kOrg = QStringLiteral("org_bench");
const QString kClient = QStringLiteral("cli_bench");

QJsonValue js(QWebEnginePage *page, const QString &expr)
{
    auto state = std::make_shared<std::pair<bool, QVariant>>(false, QVariant());
    page->runJavaScript(QStringLiteral("JSON.stringify({v: (function () { return (%1); })()})").arg(expr), QWebEngineScript::MainWorld,
                        [state](const QVariant &v) {
                            state->first = true;
                            state->second = v;
                        });
    (void)QTest::qWaitFor([&] { return state->first; }, 10000);
    return QJsonDocument::fromJson(state->second.toString().toUtf8()).object().value(QLatin1String("v"));
}

struct Figures {
    QList<double> ms;
    double median() const
    {
        QList<double> s = ms;
        std::sort(s.begin(), s.end());
        return s.isEmpty() ? 0 : s.at(s.size() / 2);
    }
    double max() const { return ms.isEmpty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
};

bool timeRuns(BrowserSnapshotStore &store, const QString &sessionDir, int runs, const char *label)
{
    Figures save, restore;
    BrowserSnapshotStore::Info last;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        Result<BrowserSnapshotStore::Info> saved = store.save(kClient, sessionDir);
        save.ms << t.nsecsElapsed() / 1e6;
        if (!saved) {
            std::printf("save failed: %s\n", qPrintable(saved.error().message));
            return false;
        }
        last = saved.value();
        QTemporaryDir empty;
        t.restart();
        Result<bool> restored = store.restoreIfNewer(kClient, empty.path());
        restore.ms << t.nsecsElapsed() / 1e6;
        if (!restored || !restored.value()) {
            std::printf("restore failed\n");
            return false;
        }
    }
    std::printf("%-28s raw %8.1f KB  sealed %8.1f KB  save median %7.1f ms max %7.1f ms  restore median %7.1f ms max %7.1f ms\n",
                label, last.rawBytes / 1024.0, last.sealedBytes / 1024.0, save.median(), save.max(), restore.median(), restore.max());
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (::geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX"))
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QGuiApplication app(argc, argv);
    spdlog::set_level(spdlog::level::warn);
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("dialect"), QStringLiteral("postgres or sqlite"), QStringLiteral("dialect"), QStringLiteral("postgres")});
    parser.addOption({QStringLiteral("runs"), QStringLiteral("runs"), QStringLiteral("n"), QStringLiteral("10")});
    parser.addOption({QStringLiteral("padding-mb"), QStringLiteral("MB added"), QStringLiteral("mb"), QStringLiteral("20")});
    parser.process(app);
    const QString dialect = parser.value(QStringLiteral("dialect"));
    const int runs = qMax(1, parser.value(QStringLiteral("runs")).toInt());
    const int paddingMb = qMax(0, parser.value(QStringLiteral("padding-mb")).toInt());

    QString why;
    test::TestDatabase t = test::makeDatabase(dialect, &why);
    if (!t.database) {
        std::printf("no %s database: %s\n", qPrintable(dialect), qPrintable(why));
        return 1;
    }
    if (!Migrator(*t.database, Migrator::embeddedDirectory(dialect)).migrate()) {
        std::printf("migration failed\n");
        return 1;
    }
    {
        SqlRunner sql(*t.database);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (!sql.change(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, 'Bench', ?, ?)"), {kOrg, now, now})
            || !sql.change(QStringLiteral("INSERT INTO clients (id, organization_id, name, created_at, updated_at) VALUES (?, ?, 'Bench', ?, ?)"),
                           {kClient, kOrg, now, now})) {
            std::printf("cannot create the client\n");
            return 1;
        }
    }
    AesGcm cipher(AesGcm::randomBytes(AesGcm::kKeyBytes));
    BrowserSnapshotStore store(*t.database, cipher, {QStringLiteral("bench"), 256, 2});
    QTemporaryDir dataDir;

    // A linked profile: the fake page, scanned, ready, stopped cleanly.
    {
        EventBus bus;
        EngineSettings settings;
        settings.dataDir = dataDir.path();
        QUrl url = QUrl::fromLocalFile(QDir(test::FakeWhatsAppServer::defaultFixtureDirectory()).filePath(QStringLiteral("index.html")));
        url.setQuery(QStringLiteral("readyMs=50&qrFirstMs=500&syncMs=300"));
        settings.url = url;
        settings.injectWaJs = false;
        SessionRegistry registry(*t.database, bus, settings);
        if (!registry.start(kOrg, kClient)) {
            std::printf("cannot start the page\n");
            return 1;
        }
        auto state = [&] { return registry.session(kClient) ? registry.session(kClient)->state() : SessionState::Stopped; };
        if (!QTest::qWaitFor([&] { return state() == SessionState::Qr; }, 60000)
            || !QTest::qWaitFor([&] { return js(registry.session(kClient)->page(), QStringLiteral("__fake.state().qr !== null")).toBool(); }, 30000)
            || !js(registry.session(kClient)->page(), QStringLiteral("__fake.scan('14155552671')")).toObject().value(QLatin1String("ok")).toBool()
            || !QTest::qWaitFor([&] { return state() == SessionState::Ready; }, 60000)) {
            std::printf("the fake page did not link\n");
            return 1;
        }
        registry.stop(kClient);
        QTest::qWait(2000); // Chromium writes the closed profile's last files
    }
    const QString sessionDir = WaSession::sessionDirectory(dataDir.path(), kClient);
    std::printf("%s, %d runs, %s\n", qPrintable(dialect), runs, qPrintable(QDateTime::currentDateTimeUtc().toString(Qt::ISODate)));
    if (!timeRuns(store, sessionDir, runs, "linked fake profile"))
        return 1;
    if (paddingMb > 0) {
        QFile pad(sessionDir + QStringLiteral("/storage/IndexedDB/bench-padding.blob"));
        if (!pad.open(QIODevice::WriteOnly))
            return 1;
        QByteArray chunk(1024 * 1024, Qt::Uninitialized);
        for (int mb = 0; mb < paddingMb; ++mb) {
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(chunk.data()), chunk.size() / 4);
            pad.write(chunk);
        }
        pad.close();
        if (!timeRuns(store, sessionDir, runs, qPrintable(QStringLiteral("+ %1 MB incompressible").arg(paddingMb))))
            return 1;
    }
    t.database->closeThreadConnection();
    return 0;
}

// Browser-state snapshots (DESIGN §9): a linked session's IndexedDB and Local Storage packed
// (BrowserStateArchive), compressed, sealed with the master key and stored in the database
// (BrowserSnapshotStore), and restored by another registry on an empty data directory, which then
// opens the session without a QR code. Real SQLite and PostgreSQL, real QtWebEngine offscreen
// against the project's fake WhatsApp Web page (which keeps its link in both localStorage and
// IndexedDB, so a snapshot missing either falls back to the QR screen).

#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/cluster/BrowserSnapshotStore.h"
#include "core/cluster/BrowserStateArchive.h"
#include "core/cluster/ClusterSettings.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/engine/SessionRegistry.h"
#include "core/engine/WaSession.h"
#include "core/events/EventBus.h"
#include "core/secrets/AesGcm.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QWebEnginePage>
#include <QWebEngineScript>
#include <QtEndian>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <unistd.h>

using namespace wadesk;

namespace {

constexpr int kWaitMs = 30000; // 2 busy cores, a cold Chromium
const QString kPhone = QStringLiteral("14155552671");
const QString kOrg = QStringLiteral("org_snapshots");
std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> g_log;

bool logContains(const QString &needle)
{
    if (!g_log)
        return false;
    for (const std::string &line : g_log->last_formatted()) {
        if (QString::fromStdString(line).contains(needle))
            return true;
    }
    return false;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    if (!QDir().mkpath(QFileInfo(path).path()))
        return false;
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QStringList filesUnder(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(dir).relativeFilePath(it.next());
    out.sort();
    return out;
}

QByteArray randomBytes(int count)
{
    QByteArray out(count, Qt::Uninitialized);
    for (int i = 0; i < count; ++i)
        out[i] = char(QRandomGenerator::global()->bounded(256));
    return out;
}

// An archive written by hand, entry by entry, the way a hostile one would be.
QByteArray handArchive(const QList<QPair<QByteArray, QByteArray>> &entries, quint32 count = 0xffffffffu)
{
    QByteArray out("WDBSA1\n");
    char b4[4];
    qToBigEndian<quint32>(count == 0xffffffffu ? quint32(entries.size()) : count, b4);
    out.append(b4, 4);
    for (const auto &[path, bytes] : entries) {
        char b2[2];
        qToBigEndian<quint16>(quint16(path.size()), b2);
        out.append(b2, 2);
        out.append(path);
        char b8[8];
        qToBigEndian<quint64>(quint64(bytes.size()), b8);
        out.append(b8, 8);
        out.append(bytes);
    }
    return out;
}

QUrl fakeUrl()
{
    QUrl url = QUrl::fromLocalFile(QDir(test::FakeWhatsAppServer::defaultFixtureDirectory()).filePath(QStringLiteral("index.html")));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("readyMs"), QStringLiteral("50"));
    query.addQueryItem(QStringLiteral("qrFirstMs"), QStringLiteral("2500"));
    query.addQueryItem(QStringLiteral("qrNextMs"), QStringLiteral("1500"));
    query.addQueryItem(QStringLiteral("qrMax"), QStringLiteral("1000"));
    query.addQueryItem(QStringLiteral("syncMs"), QStringLiteral("300"));
    url.setQuery(query);
    return url;
}

QVariant runJs(QWebEnginePage *page, const QString &code)
{
    if (!page)
        return {};
    auto state = std::make_shared<std::pair<bool, QVariant>>(false, QVariant());
    page->runJavaScript(code, QWebEngineScript::MainWorld, [state](const QVariant &v) {
        state->first = true;
        state->second = v;
    });
    (void)QTest::qWaitFor([&] { return state->first; }, 10000);
    return state->second;
}

QJsonValue js(QWebEnginePage *page, const QString &expr)
{
    const QString code = QStringLiteral("JSON.stringify({v: (function () { return (%1); })()})").arg(expr);
    return QJsonDocument::fromJson(runJs(page, code).toString().toUtf8()).object().value(QLatin1String("v"));
}

bool migrate(test::TestDatabase &t, const QString &dialect)
{
    const Result<int> migrated = Migrator(*t.database, Migrator::embeddedDirectory(dialect)).migrate();
    if (!migrated)
        qWarning("migration: %s", qPrintable(migrated.error().message));
    return migrated.ok();
}

bool addClient(Database &db, const QString &clientId)
{
    SqlRunner sql(db);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!sql.change(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?) "
                                   "ON CONFLICT DO NOTHING"),
                    {kOrg, QStringLiteral("Snapshots"), now, now}))
        return false;
    return sql
        .change(QStringLiteral("INSERT INTO clients (id, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"),
                {clientId, kOrg, QStringLiteral("Desk ") + clientId, now, now})
        .ok();
}

QByteArray masterKey()
{
    static const QByteArray key = AesGcm::randomBytes(AesGcm::kKeyBytes);
    return key;
}

// One instance's engine: a data directory, a registry with its snapshot store, and the states
// each client went through.
class Instance {
public:
    Instance(Database &db, const AesGcm &cipher, const QString &name, const QString &dataDir,
             std::chrono::milliseconds interval = std::chrono::minutes(15))
        : store(db, cipher, BrowserSnapshotStore::Settings{name, 64, 2})
    {
        settings.dataDir = dataDir;
        settings.url = fakeUrl();
        settings.injectWaJs = false;
        settings.heartbeatIntervalMs = 250;
        settings.heartbeatTimeoutMs = 15000;
        settings.readyTimeoutMs = 20000;
        settings.recoveryBackoffMs = {200, 400, 600};
        registry = std::make_unique<SessionRegistry>(db, bus, settings);
        registry->setSnapshotStore(&store, interval);
        SessionRegistry *r = registry.get();
        QObject::connect(r, &SessionRegistry::snapshotChanged, r, [this, r](const QString &clientId) {
            const std::optional<SessionSnapshot> s = r->snapshot(clientId);
            if (!s)
                return;
            QStringList &seen = states[clientId];
            const QString name = SessionStates::name(s->state);
            if (seen.isEmpty() || seen.last() != name)
                seen << name;
        });
    }
    ~Instance()
    {
        registry.reset();
        store.waitForBackground();
    }

    WaSession *session(const QString &clientId) const { return registry->session(clientId); }

    bool waitState(const QString &clientId, SessionState wanted)
    {
        const bool ok = QTest::qWaitFor(
            [&] {
                WaSession *s = session(clientId);
                return s && s->state() == wanted;
            },
            kWaitMs);
        if (!ok)
            qWarning("client %s: wanted %s; states seen: %s", qPrintable(clientId), qPrintable(SessionStates::name(wanted)),
                     qPrintable(states.value(clientId).join(QLatin1String(" → "))));
        return ok;
    }

    bool link(const QString &clientId)
    {
        if (!waitState(clientId, SessionState::Qr))
            return false;
        if (!QTest::qWaitFor([&] { return js(session(clientId)->page(), QStringLiteral("__fake.state().qr !== null")).toBool(); },
                             kWaitMs))
            return false;
        const QJsonObject r = js(session(clientId)->page(), QStringLiteral("__fake.scan('%1')").arg(kPhone)).toObject();
        return r.value(QLatin1String("ok")).toBool() && waitState(clientId, SessionState::Ready);
    }

    EventBus bus;
    EngineSettings settings;
    BrowserSnapshotStore store;
    std::unique_ptr<SessionRegistry> registry;
    QHash<QString, QStringList> states;
};

int snapshotCount(BrowserSnapshotStore &store, const QString &clientId)
{
    Result<int> n = store.count(clientId);
    return n ? n.value() : -1;
}

} // namespace

class TestBrowserSnapshots : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!g_log) {
            g_log = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(4000);
            g_log->set_pattern("%l %v");
            spdlog::default_logger()->sinks().push_back(g_log);
        }
    }

    // Only IndexedDB and Local Storage travel; caches, Service Worker storage and symlinks stay.
    void archiveKeepsOnlyTheProfileState()
    {
        QTemporaryDir dir;
        const QString storage = dir.filePath(QStringLiteral("storage"));
        QVERIFY(writeFile(storage + QStringLiteral("/IndexedDB/file__0.indexeddb.leveldb/000003.log"), "idb-log"));
        QVERIFY(writeFile(storage + QStringLiteral("/IndexedDB/file__0.indexeddb.leveldb/CURRENT"), "MANIFEST-000001\n"));
        QVERIFY(writeFile(storage + QStringLiteral("/Local Storage/leveldb/000005.ldb"), randomBytes(5000)));
        QVERIFY(writeFile(storage + QStringLiteral("/Service Worker/CacheStorage/x"), "sw"));
        QVERIFY(writeFile(storage + QStringLiteral("/GPUCache/data_0"), "gpu"));
        QVERIFY(writeFile(storage + QStringLiteral("/Code Cache/js/y"), "code"));
        QVERIFY(writeFile(storage + QStringLiteral("/Cookies"), "cookies"));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("outside/secret")), "secret"));
        QVERIFY(QFile::link(dir.filePath(QStringLiteral("outside/secret")), storage + QStringLiteral("/IndexedDB/linked-file")));
        QVERIFY(QFile::link(dir.filePath(QStringLiteral("outside")), storage + QStringLiteral("/Local Storage/linked-dir")));

        Result<QByteArray> packed = BrowserStateArchive::pack(storage);
        QVERIFY2(packed.ok(), qPrintable(packed ? QString() : packed.error().message));
        QVERIFY(!packed.value().contains("secret"));
        const QString target = dir.filePath(QStringLiteral("restored"));
        const Status unpacked = BrowserStateArchive::unpack(packed.value(), target);
        QVERIFY2(unpacked.ok(), qPrintable(unpacked ? QString() : unpacked.error().message));
        QCOMPARE(filesUnder(target), (QStringList{QStringLiteral("IndexedDB/file__0.indexeddb.leveldb/000003.log"),
                                                  QStringLiteral("IndexedDB/file__0.indexeddb.leveldb/CURRENT"),
                                                  QStringLiteral("Local Storage/leveldb/000005.ldb")}));
        QCOMPARE(readFile(target + QStringLiteral("/Local Storage/leveldb/000005.ldb")),
                 readFile(storage + QStringLiteral("/Local Storage/leveldb/000005.ldb")));
        // Into a folder that is not empty: refused, what was there stays.
        QVERIFY(!BrowserStateArchive::unpack(packed.value(), target).ok());
        QVERIFY(QFileInfo::exists(target + QStringLiteral("/IndexedDB/file__0.indexeddb.leveldb/CURRENT")));
        // Limits when packing.
        BrowserStateArchive::Limits small;
        small.maxTotalBytes = 1000;
        QVERIFY(!BrowserStateArchive::pack(storage, small).ok());
        small = {};
        small.maxEntries = 2;
        QVERIFY(!BrowserStateArchive::pack(storage, small).ok());
    }

    void archiveRefusesHostileInput_data()
    {
        QTest::addColumn<QByteArray>("archive");
        const QByteArray ok = "IndexedDB/a/ok";
        QTest::newRow("parent") << handArchive({{ok, "1"}, {"IndexedDB/../../x", "evil"}});
        QTest::newRow("parent-first") << handArchive({{"../x", "evil"}});
        QTest::newRow("absolute") << handArchive({{"/tmp/x", "evil"}});
        QTest::newRow("absolute-kept") << handArchive({{"/IndexedDB/x", "evil"}});
        QTest::newRow("dot") << handArchive({{"IndexedDB/./x", "evil"}});
        QTest::newRow("backslash") << handArchive({{"IndexedDB\\..\\x", "evil"}});
        QTest::newRow("nul") << handArchive({{QByteArray("IndexedDB/x\0y", 13), "evil"}});
        QTest::newRow("empty-segment") << handArchive({{"IndexedDB//x", "evil"}});
        QTest::newRow("not-kept") << handArchive({{"Service Worker/x", "evil"}});
        QTest::newRow("folder-only") << handArchive({{"IndexedDB", "evil"}});
        QTest::newRow("twice") << handArchive({{ok, "1"}, {ok, "2"}});
        QTest::newRow("file-then-under-it") << handArchive({{ok, "1"}, {ok + "/x", "2"}});
        QTest::newRow("folder-then-file") << handArchive({{ok + "/x", "1"}, {ok, "2"}});
        QTest::newRow("too-many") << handArchive({{ok, "1"}}, 1000000);
        QTest::newRow("oversize") << handArchive({{ok, QByteArray(2000, 'x')}});
        QByteArray truncated = handArchive({{ok, QByteArray(100, 'x')}});
        truncated.chop(10);
        QTest::newRow("truncated") << truncated;
        QTest::newRow("trailing") << handArchive({{ok, "1"}}) + "junk";
        QTest::newRow("magic") << QByteArray("NOTANARCHIVE");
        QTest::newRow("empty") << QByteArray();
    }

    // A hostile or corrupt archive is refused and nothing of it stays on disk.
    void archiveRefusesHostileInput()
    {
        QFETCH(QByteArray, archive);
        QTemporaryDir dir;
        const QString target = dir.filePath(QStringLiteral("restored"));
        BrowserStateArchive::Limits limits;
        limits.maxEntries = 100;
        limits.maxTotalBytes = 1000;
        QVERIFY(!BrowserStateArchive::unpack(archive, target, limits).ok());
        QVERIFY(!QFileInfo::exists(target));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("x"))));
        // The same limits let a good archive through (the refusals above are the input's).
        QVERIFY(BrowserStateArchive::unpack(handArchive({{"IndexedDB/a/ok", "1"}}), target, limits).ok());
    }

    void enabledByDialect()
    {
        ClusterSettings c;
        QVERIFY(!BrowserSnapshotStore::enabledFor(c, false)); // auto, SQLite
        QVERIFY(BrowserSnapshotStore::enabledFor(c, true));   // auto, PostgreSQL
        c.snapshots = QStringLiteral("on");
        QVERIFY(BrowserSnapshotStore::enabledFor(c, false));
        c.snapshots = QStringLiteral("off");
        QVERIFY(!BrowserSnapshotStore::enabledFor(c, true));
    }

    void storeSealsPrunesAndRefuses_data() { test::addDialectRows(); }

    // Stored sealed and bound to its client, pruned to `kept`, refused over the size limit, and a
    // tampered or moved blob does not open.
    void storeSealsPrunesAndRefuses()
    {
        WADESK_FRESH_DATABASE(t);
        QVERIFY(migrate(t, dialect));
        QVERIFY(addClient(*t.database, QStringLiteral("cli_a")));
        QVERIFY(addClient(*t.database, QStringLiteral("cli_b")));
        AesGcm cipher(masterKey());
        BrowserSnapshotStore store(*t.database, cipher, {QStringLiteral("inst-1"), 1, 2});

        QList<QByteArray> archives;
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            archives << handArchive({{"IndexedDB/db/000003.log", QByteArray(3000, char('a' + i))},
                                     {"Local Storage/leveldb/CURRENT", QByteArray::number(i)}});
            Result<BrowserSnapshotStore::Info> saved = store.saveArchive(QStringLiteral("cli_a"), archives.last());
            QVERIFY2(saved.ok(), qPrintable(saved ? QString() : saved.error().message));
            QCOMPARE(saved->rawBytes, qint64(archives.last().size()));
            QVERIFY(saved->sealedBytes < saved->rawBytes); // compressed
            ids << saved->id;
            QTest::qWait(2); // distinct created_at
        }
        QCOMPARE(snapshotCount(store, QStringLiteral("cli_a")), 2);
        Result<std::optional<BrowserSnapshotStore::Info>> latest = store.latest(QStringLiteral("cli_a"));
        QVERIFY(latest.ok() && latest.value());
        QCOMPARE(latest.value()->id, ids.last());
        QVERIFY(!store.loadArchive(QStringLiteral("cli_a"), ids.first()).ok()); // pruned
        Result<QByteArray> loaded = store.loadArchive(QStringLiteral("cli_a"), ids.last());
        QVERIFY(loaded.ok());
        QCOMPARE(loaded.value(), archives.last());
        // The stored bytes are sealed: the archive's contents do not show.
        SqlRunner sql(*t.database);
        Result<QByteArray> raw = sql.query(QStringLiteral("SELECT sealed FROM browser_snapshots WHERE id = ?"), {ids.last()}, "t",
                                           [](QSqlQuery &q) { return q.next() ? q.value(0).toByteArray() : QByteArray(); });
        QVERIFY(raw.ok() && !raw.value().isEmpty());
        QVERIFY(!raw.value().contains("Local Storage"));
        QCOMPARE(store.refusedCount(), 0);

        // Moved to another client's row: does not open (the client id is bound in).
        QVERIFY(sql.change(QStringLiteral("INSERT INTO browser_snapshots (id, client_id, instance_id, created_at, raw_bytes, sealed_bytes, "
                                          "sha256, sealed) SELECT 'bsnap_moved', 'cli_b', instance_id, created_at, raw_bytes, "
                                          "sealed_bytes, sha256, sealed FROM browser_snapshots WHERE id = ?"),
                           {ids.last()}));
        Result<QByteArray> moved = store.loadArchive(QStringLiteral("cli_b"), QStringLiteral("bsnap_moved"));
        QVERIFY(!moved.ok());
        QCOMPARE(moved.error().code, QStringLiteral("bad_snapshot"));
        QCOMPARE(store.refusedCount(), 1);

        // Tampered with: one byte of the sealed blob changed.
        QByteArray tampered = raw.value();
        tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
        QVERIFY(sql.change(QStringLiteral("UPDATE browser_snapshots SET sealed = ? WHERE id = ?"), {tampered, ids.last()}));
        Result<QByteArray> broken = store.loadArchive(QStringLiteral("cli_a"), ids.last());
        QVERIFY(!broken.ok());
        QCOMPARE(broken.error().code, QStringLiteral("bad_snapshot"));
        QCOMPARE(store.refusedCount(), 2);
        QVERIFY(logContains(QStringLiteral("refused: it does not open with the master key")));

        // Over the limit (1 MB compressed; random bytes do not compress): nothing stored.
        const QByteArray big = handArchive({{"IndexedDB/db/big", randomBytes(1200 * 1024)}});
        Result<BrowserSnapshotStore::Info> tooBig = store.saveArchive(QStringLiteral("cli_b"), big);
        QVERIFY(!tooBig.ok());
        QCOMPARE(tooBig.error().code, QStringLiteral("snapshot_too_large"));
        QCOMPARE(snapshotCount(store, QStringLiteral("cli_b")), 1); // only the moved row
        QCOMPARE(store.refusedCount(), 3);
        QVERIFY(logContains(QStringLiteral("not stored: over the limit of 1 MB")));

        QVERIFY(store.removeAll(QStringLiteral("cli_a")).ok());
        QCOMPARE(snapshotCount(store, QStringLiteral("cli_a")), 0);
        QCOMPARE(snapshotCount(store, QStringLiteral("cli_b")), 1);
        // Deleting a client deletes its snapshots (the foreign key cascades).
        if (dialect == QLatin1String("sqlite"))
            QVERIFY(sql.run(QStringLiteral("PRAGMA foreign_keys")).ok());
        QVERIFY(sql.change(QStringLiteral("DELETE FROM clients WHERE id = 'cli_b'")));
        QCOMPARE(snapshotCount(store, QStringLiteral("cli_b")), 0);
        t.database->closeThreadConnection();
    }

    // Restored only when the database holds another snapshot than the profile came from; the
    // profile's other files stay; a refused snapshot leaves the profile as it was.
    void restoreFollowsTheMarker()
    {
        WADESK_DATABASE_OR_SKIP(t, QStringLiteral("sqlite"));
        QVERIFY(migrate(t, QStringLiteral("sqlite")));
        QVERIFY(addClient(*t.database, QStringLiteral("cli_a")));
        AesGcm cipher(masterKey());
        BrowserSnapshotStore store(*t.database, cipher, {QStringLiteral("inst-1"), 64, 2});
        QTemporaryDir a, b;
        QVERIFY(writeFile(a.filePath(QStringLiteral("storage/IndexedDB/db/000003.log")), "linked"));
        QVERIFY(writeFile(a.filePath(QStringLiteral("storage/Local Storage/leveldb/000003.log")), "linked-ls"));
        Result<BrowserSnapshotStore::Info> saved = store.save(QStringLiteral("cli_a"), a.path());
        QVERIFY(saved.ok());
        QCOMPARE(BrowserSnapshotStore::readMarker(a.path())->id, saved->id);
        // Taken here: nothing to restore here.
        QCOMPARE(store.restoreIfNewer(QStringLiteral("cli_a"), a.path()).value(), false);

        QVERIFY(writeFile(b.filePath(QStringLiteral("storage/IndexedDB/db/000003.log")), "stale"));
        QVERIFY(writeFile(b.filePath(QStringLiteral("storage/Cookies")), "cookies"));
        QCOMPARE(store.restoreIfNewer(QStringLiteral("cli_a"), b.path()).value(), true);
        QCOMPARE(readFile(b.filePath(QStringLiteral("storage/IndexedDB/db/000003.log"))), QByteArray("linked"));
        QCOMPARE(readFile(b.filePath(QStringLiteral("storage/Local Storage/leveldb/000003.log"))), QByteArray("linked-ls"));
        QCOMPARE(readFile(b.filePath(QStringLiteral("storage/Cookies"))), QByteArray("cookies"));
        QVERIFY(!QFileInfo::exists(b.filePath(QStringLiteral("storage.restoring"))));
        QCOMPARE(BrowserSnapshotStore::readMarker(b.path())->id, saved->id);
        QCOMPARE(store.restoreIfNewer(QStringLiteral("cli_a"), b.path()).value(), false);

        // A profile in use (its lock held) is never written under.
        QTemporaryDir c;
        QLockFile lock(c.filePath(QStringLiteral("profile.lock")));
        QVERIFY(lock.tryLock(0));
        QVERIFY(!store.restoreIfNewer(QStringLiteral("cli_a"), c.path()).ok());
        QVERIFY(!QFileInfo::exists(c.filePath(QStringLiteral("storage"))));
        lock.unlock();

        // A newer snapshot from elsewhere, tampered with: refused, the profile stays as it was.
        QTest::qWait(2);
        QVERIFY(writeFile(a.filePath(QStringLiteral("storage/IndexedDB/db/000003.log")), "newer"));
        Result<BrowserSnapshotStore::Info> newer = store.save(QStringLiteral("cli_a"), a.path());
        QVERIFY(newer.ok());
        SqlRunner sql(*t.database);
        QVERIFY(sql.change(QStringLiteral("UPDATE browser_snapshots SET sealed = ? WHERE id = ?"),
                           {QByteArray("v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), newer->id}));
        QVERIFY(!store.restoreIfNewer(QStringLiteral("cli_a"), b.path()).ok());
        QCOMPARE(readFile(b.filePath(QStringLiteral("storage/IndexedDB/db/000003.log"))), QByteArray("linked"));
        QCOMPARE(BrowserSnapshotStore::readMarker(b.path())->id, saved->id);
        t.database->closeThreadConnection();
    }

    // While ready, a snapshot every interval of the live profile (what a kill -9 of the owner leaves
    // to take over from), none for a page that is not linked; quitting (stopAll) takes one at once.
    void periodicSnapshotsOfLinkedSessionsOnly()
    {
        WADESK_DATABASE_OR_SKIP(t, QStringLiteral("postgres"));
        QVERIFY(migrate(t, QStringLiteral("postgres")));
        const QString linked = QStringLiteral("cli_periodic");
        const QString waiting = QStringLiteral("cli_waiting");
        QVERIFY(addClient(*t.database, linked));
        QVERIFY(addClient(*t.database, waiting));
        AesGcm cipher(masterKey());
        QTemporaryDir dirA, dirB;
        QString periodicId;
        {
            // Snapshots once ready for 8 s, then every 8 s (Chromium commits Local Storage a few seconds late).
            Instance a(*t.database, cipher, QStringLiteral("inst-a"), dirA.path(), std::chrono::milliseconds(8000));
            QVERIFY(a.registry->start(kOrg, linked));
            QVERIFY(a.registry->start(kOrg, waiting));
            QVERIFY(a.link(linked));
            QVERIFY(a.waitState(waiting, SessionState::Qr));
            QTRY_VERIFY_WITH_TIMEOUT(snapshotCount(a.store, linked) >= 1, kWaitMs);
            QCOMPARE(a.session(linked)->state(), SessionState::Ready);
            periodicId = a.store.latest(linked).value()->id;
            QTest::qWait(9000); // more than an interval
            a.store.waitForBackground();
            QCOMPARE(snapshotCount(a.store, waiting), 0);
            QVERIFY(snapshotCount(a.store, linked) <= 2); // pruned as it goes
            periodicId = a.store.latest(linked).value()->id; // the newest of the live profile
            a.registry->stopAll(); // quitting: a snapshot at once (the store waits for it)
            a.store.waitForBackground();
            QVERIFY(a.store.latest(linked).value()->id != periodicId);
            QCOMPARE(snapshotCount(a.store, waiting), 0);
        }
        // Only the live profile's snapshot left (as after a kill -9 of its owner): enough to open.
        SqlRunner sql(*t.database);
        QVERIFY(sql.change(QStringLiteral("DELETE FROM browser_snapshots WHERE client_id = ? AND id <> ?"), {linked, periodicId}));
        Instance b(*t.database, cipher, QStringLiteral("inst-b"), dirB.path());
        QVERIFY(b.registry->start(kOrg, linked));
        QVERIFY(b.waitState(linked, SessionState::Ready));
        QVERIFY2(!b.states.value(linked).contains(QStringLiteral("qr")), qPrintable(b.states.value(linked).join(QLatin1Char(' '))));
        b.registry->stop(linked);
        t.database->closeThreadConnection();
    }

    // The acceptance: linked on instance A (data dir A), stopped cleanly (snapshot stored),
    // started by instance B on an empty data dir B over the same PostgreSQL: ready without a scan.
    // A tampered snapshot falls back to the QR; one without IndexedDB too; a logout removes them.
    void anotherInstanceOpensTheSessionWithoutQr()
    {
        WADESK_DATABASE_OR_SKIP(t, QStringLiteral("postgres"));
        QVERIFY(migrate(t, QStringLiteral("postgres")));
        const QString client = QStringLiteral("cli_takeover");
        QVERIFY(addClient(*t.database, client));
        AesGcm cipher(masterKey());
        QTemporaryDir dirA, dirB, dirC, dirD, dirE;

        QString snapshotId;
        {
            Instance a(*t.database, cipher, QStringLiteral("inst-a"), dirA.path());
            QVERIFY(a.registry->start(kOrg, client));
            QVERIFY(a.link(client));
            QCOMPARE(snapshotCount(a.store, client), 0); // the first one comes at the interval or the stop
            a.registry->stop(client);
            QTRY_COMPARE_WITH_TIMEOUT(snapshotCount(a.store, client), 1, kWaitMs);
            snapshotId = a.store.latest(client).value()->id;
            a.store.waitForBackground(); // the marker is written after the row is stored
            const std::optional<BrowserSnapshotStore::Info> marker =
                BrowserSnapshotStore::readMarker(WaSession::sessionDirectory(dirA.path(), client));
            QVERIFY(marker);
            QCOMPARE(marker->id, snapshotId);
        }
        {
            Instance b(*t.database, cipher, QStringLiteral("inst-b"), dirB.path());
            QVERIFY(b.registry->start(kOrg, client));
            QVERIFY(b.waitState(client, SessionState::Ready));
            QVERIFY2(!b.states.value(client).contains(QStringLiteral("qr")), qPrintable(b.states.value(client).join(QLatin1Char(' '))));
            QCOMPARE(js(b.session(client)->page(), QStringLiteral("__fake.state().phone")).toString(), kPhone);
            const std::optional<BrowserSnapshotStore::Info> restored =
                BrowserSnapshotStore::readMarker(WaSession::sessionDirectory(dirB.path(), client));
            QVERIFY(restored);
            QCOMPARE(restored->id, snapshotId);
            b.registry->stop(client);
            // Stopped cleanly again: B's snapshot is the latest now, A's is kept as the second.
            QTRY_VERIFY_WITH_TIMEOUT(b.store.latest(client).value()->id != snapshotId, kWaitMs);
            QCOMPARE(snapshotCount(b.store, client), 2);
            snapshotId = b.store.latest(client).value()->id;
        }

        SqlRunner sql(*t.database);
        const Result<QByteArray> archive = [&] {
            BrowserSnapshotStore reader(*t.database, cipher, {QStringLiteral("t"), 64, 2});
            return reader.loadArchive(client, snapshotId);
        }();
        QVERIFY(archive.ok());
        {
            // Without its IndexedDB the fake page does not count as linked: a snapshot that missed
            // either place would fail this test.
            QTemporaryDir scratch;
            QVERIFY(BrowserStateArchive::unpack(archive.value(), scratch.filePath(QStringLiteral("storage"))).ok());
            QVERIFY(QFileInfo::exists(scratch.filePath(QStringLiteral("storage/IndexedDB"))));
            QVERIFY(QFileInfo::exists(scratch.filePath(QStringLiteral("storage/Local Storage"))));
            QVERIFY(QDir(scratch.filePath(QStringLiteral("storage/IndexedDB"))).removeRecursively());
            Result<QByteArray> withoutIdb = BrowserStateArchive::pack(scratch.filePath(QStringLiteral("storage")));
            QVERIFY(withoutIdb.ok());
            Instance d(*t.database, cipher, QStringLiteral("inst-d"), dirD.path());
            QVERIFY(d.store.saveArchive(client, withoutIdb.value()).ok());
            QVERIFY(d.registry->start(kOrg, client));
            QVERIFY(d.waitState(client, SessionState::Qr));
            d.registry->stop(client); // never linked here: no snapshot
            QTest::qWait(2500);
            d.store.waitForBackground();
            QCOMPARE(d.store.latest(client).value()->rawBytes, qint64(withoutIdb.value().size()));
        }
        {
            // Tampered with: refused (logged, counted), the page falls back to the QR screen.
            Instance c(*t.database, cipher, QStringLiteral("inst-c"), dirC.path());
            Result<BrowserSnapshotStore::Info> latest = c.store.saveArchive(client, archive.value());
            QVERIFY(latest.ok());
            QVERIFY(sql.change(QStringLiteral("UPDATE browser_snapshots SET sealed = ? WHERE id = ?"),
                               {QByteArray("v1:") + AesGcm::randomBytes(200).toBase64(), latest->id}));
            QVERIFY(c.registry->start(kOrg, client));
            QVERIFY(c.waitState(client, SessionState::Qr));
            QCOMPARE(c.store.refusedCount(), 1);
            QVERIFY(logContains(QStringLiteral("its browser snapshot was not restored")));
            c.registry->stop(client);
        }
        {
            // A logout removes the client's snapshots: a logged-out state does not come back.
            Instance e(*t.database, cipher, QStringLiteral("inst-e"), dirE.path());
            QVERIFY(e.store.saveArchive(client, archive.value()).ok());
            QVERIFY(e.registry->start(kOrg, client));
            QVERIFY(e.waitState(client, SessionState::Ready));
            QVERIFY(snapshotCount(e.store, client) > 0);
            QVERIFY(js(e.session(client)->page(), QStringLiteral("__fake.logoutFromPhone()")).toObject().value(QLatin1String("ok")).toBool());
            QVERIFY(e.waitState(client, SessionState::Qr));
            e.store.waitForBackground();
            QCOMPARE(snapshotCount(e.store, client), 0);
            e.registry->stop(client);
            QTest::qWait(2500);
            e.store.waitForBackground();
            QCOMPARE(snapshotCount(e.store, client), 0); // not linked any more: nothing at the stop
        }
        t.database->closeThreadConnection();
    }
};

int main(int argc, char **argv)
{
    if (::geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX"))
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QGuiApplication app(argc, argv);
    TestBrowserSnapshots test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_browser_snapshots.moc"

// Receiving through the real engine: a SessionRegistry on a migrated database of each dialect, a
// QtWebEngine page on the project's fake WhatsApp Web (tests/fixtures/fake-whatsapp, from
// file://) with WaDesk's bridge injected, and an in-memory media store. The page behaves like
// WhatsApp Web: a text reported first as `ciphertext` then decrypted (stored once, one
// message.received with the text; STOP that way still opts out; one that never decrypts stays
// a placeholder), an image whose body is a JPEG thumbnail and whose text is the caption (the
// file, over several chunks, fetched with downloadMedia after a failed first attempt, stored,
// and announced once with its media), a file the page never manages to download (announced
// without media, with the reason), a location and a contact card, and a reaction, an edit and a
// deletion of the first message (changes to it, not new messages).

#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/InMemoryMediaLibrary.h"
#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/engine/SessionRegistry.h"
#include "core/engine/WaSession.h"
#include "core/events/EventBus.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/InboundMessages.h"

#include <QDateTime>
#include <QDir>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QWebEnginePage>
#include <QWebEngineScript>

#include <memory>
#include <unistd.h>

using namespace wadesk;
using wadesk::test::addDialectRows;
using wadesk::test::InMemoryMediaLibrary;

namespace {

constexpr int kWaitMs = 45000; // 2 busy cores, a cold Chromium, hidden-page timers of ~1 s

QVariant runJs(QWebEnginePage *page, const QString &code, int timeoutMs = 15000)
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

QJsonValue js(QWebEnginePage *page, const QString &expr)
{
    const QString code = QStringLiteral("JSON.stringify({v: (function () { return (%1); })()})").arg(expr);
    return QJsonDocument::fromJson(runJs(page, code).toString().toUtf8()).object().value(QLatin1String("v"));
}

QString jsonArg(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

class World {
public:
    explicit World(Database &database)
        : db(database)
    {
        QObject::connect(&bus, &EventBus::published, &bus, [this](const Event &e) { events << e; });
    }
    ~World() { registry.reset(); }

    bool start(QString *why)
    {
        if (!Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate()) {
            *why = QStringLiteral("migration failed");
            return false;
        }
        org = Ids::make("org");
        client = Ids::make("client");
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        SqlRunner sql(db);
        if (!sql.change(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"),
                        {org, QStringLiteral("Inbound Org"), now, now})
            || !sql.change(QStringLiteral("INSERT INTO clients (id, organization_id, name, status, linked, created_at, updated_at) "
                                          "VALUES (?, ?, ?, 'initializing', 0, ?, ?)"),
                           {client, org, QStringLiteral("Front desk"), now, now})) {
            *why = QStringLiteral("cannot create the client");
            return false;
        }
        EngineSettings settings;
        settings.dataDir = dir.path();
        QUrl url = QUrl::fromLocalFile(QDir(test::FakeWhatsAppServer::defaultFixtureDirectory()).filePath(QStringLiteral("index.html")));
        QUrlQuery query;
        for (const auto &[k, v] : QList<QPair<QString, QString>>{{QStringLiteral("readyMs"), QStringLiteral("50")},
                                                                 {QStringLiteral("qrFirstMs"), QStringLiteral("60000")},
                                                                 {QStringLiteral("syncMs"), QStringLiteral("200")},
                                                                 {QStringLiteral("dupMs"), QStringLiteral("200")}})
            query.addQueryItem(k, v);
        url.setQuery(query);
        settings.url = url;
        settings.injectWaJs = false;
        settings.heartbeatIntervalMs = 250;
        settings.heartbeatTimeoutMs = 20000;
        settings.readyTimeoutMs = 20000;
        registry = std::make_unique<SessionRegistry>(db, bus, settings);
        registry->setMediaLibrary(&library);
        QString error;
        if (!registry->start(org, client, &error)) {
            *why = QStringLiteral("start: ") + error;
            return false;
        }
        if (!QTest::qWaitFor([&] { return page() && js(page(), QStringLiteral("window.__fake && __fake.state().qr !== null")).toBool(); }, kWaitMs)) {
            *why = QStringLiteral("no QR screen");
            return false;
        }
        if (!js(page(), QStringLiteral("__fake.scan('15550001111').ok")).toBool()) {
            *why = QStringLiteral("scan failed");
            return false;
        }
        if (!QTest::qWaitFor([&] { return session() && session()->state() == SessionState::Ready; }, kWaitMs)) {
            *why = QStringLiteral("never ready");
            return false;
        }
        return true;
    }

    WaSession *session() const { return registry ? registry->session(client) : nullptr; }
    QWebEnginePage *page() const { return session() ? session()->page() : nullptr; }

    // __fake.<call>(spec) → its answer.
    QJsonObject fake(const QString &call, const QJsonObject &spec) { return js(page(), QStringLiteral("__fake.%1(%2)").arg(call, jsonArg(spec))).toObject(); }

    InboundRow row(const QString &waId)
    {
        SqlRunner sql(db);
        Result<std::optional<InboundRow>> found = InboundMessageRepository(sql).findByWaId(client, waId);
        return found && found.value() ? *found.value() : InboundRow();
    }
    QString wholeRow(const QString &waId)
    {
        SqlRunner sql(db);
        Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT * FROM messages WHERE wa_message_id = ?"), {waId});
        QStringList out;
        if (q && q.value().next()) {
            for (int i = 0; i < q.value().record().count(); ++i)
                out << q.value().value(i).toString();
        }
        return out.join(QLatin1Char('|'));
    }
    int scalar(const QString &sqlText, const QVariantList &bind = {})
    {
        SqlRunner sql(db);
        Result<QSqlQuery> q = sql.run(sqlText, bind);
        if (!q || !q.value().next())
            return -1;
        return q.value().value(0).toInt();
    }
    QList<Event> eventsFor(const QString &type, const QString &messageId) const
    {
        QList<Event> out;
        for (const Event &e : events) {
            if (e.type == type && e.data.value(QLatin1String("messageId")).toString() == messageId)
                out << e;
        }
        return out;
    }
    // message.received of the message stored for `waId`, once both exist.
    std::optional<Event> waitReceived(const QString &waId, int timeoutMs = kWaitMs)
    {
        std::optional<Event> found;
        (void)QTest::qWaitFor(
            [&] {
                const InboundRow r = row(waId);
                const QList<Event> received = r.id.isEmpty() ? QList<Event>() : eventsFor(QStringLiteral("message.received"), r.id);
                if (!received.isEmpty())
                    found = received.first();
                return found.has_value();
            },
            timeoutMs);
        return found;
    }
    bool optedOut(const QString &phone)
    {
        SqlRunner sql(db);
        Result<std::optional<ContactRecord>> c = ContactRepository(sql).findByPhone(org, phone);
        return c && c.value() && c.value()->optedOut;
    }

    Database &db;
    QTemporaryDir dir;
    EventBus bus;
    InMemoryMediaLibrary library;
    std::unique_ptr<SessionRegistry> registry;
    QList<Event> events;
    QString org;
    QString client;
};

// A PNG signature and enough varied bytes to need three chunks of the bridge.
QByteArray bigPng()
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png.reserve(2600000);
    quint32 x = 12345;
    while (png.size() < 2600000) {
        x = x * 1103515245u + 12345u;
        png += char(x >> 16);
    }
    return png;
}

} // namespace

class TestInboundEngine : public QObject {
    Q_OBJECT

private slots:
    void receivingThroughThePage_data() { addDialectRows(); }
    void receivingThroughThePage()
    {
        WADESK_FRESH_DATABASE(database);
        World w(*database.database);
        QString why;
        QVERIFY2(w.start(&why), qPrintable(why));

        // 1. Ciphertext first, then the same id decrypted: one row with the text, one event.
        const QJsonObject text = w.fake(QStringLiteral("incoming"), {{QStringLiteral("from"), QStringLiteral("14155550111")},
                                                                     {QStringLiteral("body"), QStringLiteral("Where is my parcel?")},
                                                                     {QStringLiteral("ciphertextFirst"), true},
                                                                     {QStringLiteral("twice"), true}});
        QVERIFY(text.value(QLatin1String("ok")).toBool());
        const QString textId = text.value(QLatin1String("id")).toString();
        std::optional<Event> received = w.waitReceived(textId);
        QVERIFY(received);
        QCOMPARE(received->data.value(QLatin1String("body")).toString(), QStringLiteral("Where is my parcel?"));
        QCOMPARE(received->data.value(QLatin1String("type")).toString(), QStringLiteral("text"));
        QCOMPARE(w.row(textId).body, QStringLiteral("Where is my parcel?"));
        QCOMPARE(w.row(textId).type, QStringLiteral("text"));
        // The page's three reports (ciphertext, decrypted, duplicate) all crossed: still one of each.
        QVERIFY(QTest::qWaitFor([&] { return js(w.page(), QStringLiteral("__fake.events(0).filter(e => e.event === 'chat.new_message').length")).toInt() >= 3; }, kWaitMs));
        QTest::qWait(500);
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE wa_message_id = ?"), {textId}), 1);
        QCOMPARE(w.eventsFor(QStringLiteral("message.received"), w.row(textId).id).size(), 1);

        // 2. STOP as ciphertext first still opts out.
        const QString stopId = w.fake(QStringLiteral("incoming"), {{QStringLiteral("from"), QStringLiteral("14155550222")},
                                                                   {QStringLiteral("body"), QStringLiteral("STOP")},
                                                                   {QStringLiteral("ciphertextFirst"), true}})
                                   .value(QLatin1String("id"))
                                   .toString();
        QVERIFY(w.waitReceived(stopId));
        QVERIFY(w.optedOut(QStringLiteral("+14155550222")));

        // 3. A picture: thumbnail body, caption, the file fetched after one failed attempt.
        const QByteArray bytes = bigPng();
        const QJsonObject image = w.fake(QStringLiteral("incoming"),
                                         {{QStringLiteral("from"), QStringLiteral("14155550333")},
                                          {QStringLiteral("type"), QStringLiteral("image")},
                                          {QStringLiteral("caption"), QStringLiteral("The box arrived like this")},
                                          {QStringLiteral("mimetype"), QStringLiteral("image/png")},
                                          {QStringLiteral("filename"), QStringLiteral("box.png")},
                                          {QStringLiteral("media"), QString::fromLatin1(bytes.toBase64())},
                                          {QStringLiteral("downloadFailures"), 1}});
        QVERIFY2(image.value(QLatin1String("ok")).toBool(), QJsonDocument(image).toJson().constData());
        const QString imageId = image.value(QLatin1String("id")).toString();
        received = w.waitReceived(imageId, 2 * kWaitMs);
        QVERIFY(received);
        const QJsonObject media = received->data.value(QLatin1String("media")).toObject();
        QVERIFY2(!media.isEmpty(), QJsonDocument(received->data).toJson().constData());
        QCOMPARE(qint64(media.value(QLatin1String("size")).toDouble()), qint64(bytes.size()));
        QCOMPARE(media.value(QLatin1String("mimetype")).toString(), QStringLiteral("image/png"));
        QCOMPARE(received->data.value(QLatin1String("caption")).toString(), QStringLiteral("The box arrived like this"));
        QCOMPARE(received->data.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QVERIFY(!QJsonDocument(received->data).toJson().contains("/9j/"));
        Result<QByteArray> kept = w.library.readAll(w.org, media.value(QLatin1String("id")).toString());
        QVERIFY(kept);
        QVERIFY(kept.value() == bytes);
        InboundRow r = w.row(imageId);
        QCOMPARE(r.type, QStringLiteral("image"));
        QCOMPARE(r.caption, QStringLiteral("The box arrived like this"));
        QCOMPARE(r.mediaId, media.value(QLatin1String("id")).toString());
        QCOMPARE(r.mediaStatus, QStringLiteral("stored"));
        QVERIFY(!w.wholeRow(imageId).contains(QLatin1String("/9j/")));
        const QJsonArray downloads = js(w.page(), QStringLiteral("__fake.state().downloads")).toArray();
        QCOMPARE(downloads.size(), 2); // one failure, one retry
        QCOMPARE(downloads.at(1).toObject().value(QLatin1String("ok")).toBool(), true);
        QCOMPARE(w.eventsFor(QStringLiteral("message.received"), r.id).size(), 1);

        // 4. A voice note the page never manages to download: kept, announced without media.
        const QString voiceId = w.fake(QStringLiteral("incoming"), {{QStringLiteral("from"), QStringLiteral("14155550444")},
                                                                    {QStringLiteral("type"), QStringLiteral("ptt")},
                                                                    {QStringLiteral("media"), QString::fromLatin1(QByteArray("OggS0000").toBase64())},
                                                                    {QStringLiteral("downloadNever"), true}})
                                    .value(QLatin1String("id"))
                                    .toString();
        received = w.waitReceived(voiceId, 2 * kWaitMs);
        QVERIFY(received);
        QVERIFY(received->data.value(QLatin1String("media")).isNull());
        QVERIFY(!received->data.value(QLatin1String("media_error")).toString().isEmpty());
        QCOMPARE(received->data.value(QLatin1String("type")).toString(), QStringLiteral("voice"));
        QCOMPARE(w.row(voiceId).mediaStatus, QStringLiteral("failed"));

        // 5. A location and a contact card.
        const QString locId = w.fake(QStringLiteral("incoming"), {{QStringLiteral("from"), QStringLiteral("14155550555")},
                                                                  {QStringLiteral("type"), QStringLiteral("location")},
                                                                  {QStringLiteral("lat"), -22.95201},
                                                                  {QStringLiteral("lng"), -43.2102601},
                                                                  {QStringLiteral("loc"), QStringLiteral("Cristo Redentor\nRio de Janeiro")}})
                                  .value(QLatin1String("id"))
                                  .toString();
        received = w.waitReceived(locId);
        QVERIFY(received);
        QCOMPARE(w.row(locId).type, QStringLiteral("location"));
        QCOMPARE(w.row(locId).details.value(QLatin1String("location")).toObject().value(QLatin1String("latitude")).toDouble(), -22.95201);
        QCOMPARE(received->data.value(QLatin1String("location")).toObject().value(QLatin1String("name")).toString(), QStringLiteral("Cristo Redentor"));
        QVERIFY(!w.wholeRow(locId).contains(QLatin1String("/9j/")));
        const QString cardId = w.fake(QStringLiteral("incoming"), {{QStringLiteral("from"), QStringLiteral("14155550555")},
                                                                   {QStringLiteral("type"), QStringLiteral("vcard")},
                                                                   {QStringLiteral("vcard"), QStringLiteral("BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nEND:VCARD")},
                                                                   {QStringLiteral("vcardFormattedName"), QStringLiteral("Ana")}})
                                   .value(QLatin1String("id"))
                                   .toString();
        QVERIFY(w.waitReceived(cardId));
        QCOMPARE(w.row(cardId).type, QStringLiteral("contact"));
        QCOMPARE(w.row(cardId).body, QStringLiteral("Ana"));

        // 6. Reaction, edit and deletion of the first message change it.
        const QString textMessageId = w.row(textId).id;
        const int rowsBefore = w.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_id = ?"), {w.client});
        QVERIFY(w.fake(QStringLiteral("react"), {{QStringLiteral("msgId"), textId}, {QStringLiteral("reaction"), QStringLiteral("👍")}})
                    .value(QLatin1String("ok")).toBool());
        QVERIFY(QTest::qWaitFor([&] { return !w.eventsFor(QStringLiteral("message.reaction"), textMessageId).isEmpty(); }, kWaitMs));
        QCOMPARE(w.eventsFor(QStringLiteral("message.reaction"), textMessageId).first().data.value(QLatin1String("reaction")).toString(), QStringLiteral("👍"));
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM message_reactions WHERE message_id = ?"), {textMessageId}), 1);
        QVERIFY(w.fake(QStringLiteral("edit"), {{QStringLiteral("id"), textId}, {QStringLiteral("body"), QStringLiteral("Where is my parcel? #123")}})
                    .value(QLatin1String("ok")).toBool());
        QVERIFY(QTest::qWaitFor([&] { return !w.eventsFor(QStringLiteral("message.edited"), textMessageId).isEmpty(); }, kWaitMs));
        QCOMPARE(w.row(textId).body, QStringLiteral("Where is my parcel? #123"));
        QVERIFY(w.fake(QStringLiteral("revoke"), {{QStringLiteral("id"), textId}}).value(QLatin1String("ok")).toBool());
        QVERIFY(QTest::qWaitFor([&] { return !w.eventsFor(QStringLiteral("message.revoked"), textMessageId).isEmpty(); }, kWaitMs));
        QVERIFY(w.row(textId).revokedAt > 0);
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_id = ?"), {w.client}), rowsBefore);

        // 7. One that never decrypts: a placeholder of its type, never announced.
        const QString lostId = w.fake(QStringLiteral("incoming"), {{QStringLiteral("from"), QStringLiteral("14155550666")},
                                                                   {QStringLiteral("body"), QStringLiteral("lost")},
                                                                   {QStringLiteral("ciphertextFirst"), true},
                                                                   {QStringLiteral("neverDecrypts"), true}})
                                   .value(QLatin1String("id"))
                                   .toString();
        QVERIFY(QTest::qWaitFor([&] { return w.row(lostId).type == QLatin1String("ciphertext"); }, kWaitMs));
        QTest::qWait(1500);
        QCOMPARE(w.row(lostId).body, QString());
        QVERIFY(w.eventsFor(QStringLiteral("message.received"), w.row(lostId).id).isEmpty());
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
    TestInboundEngine test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_inbound_engine.moc"

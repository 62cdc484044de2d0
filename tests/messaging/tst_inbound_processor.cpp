// The receiving half of messaging against a real database of both dialects (no browser): what
// InboundProcessor stores for each kind of message WhatsApp Web reports, and what it publishes.
// A message reported first as `ciphertext` is stored once, filled in when it comes back
// decrypted, and announced once with its text (keywords checked on that text); a picture's
// thumbnail body is kept nowhere and its caption is; a file is handed to the media store and
// message.received waits for it (or for its failure); locations, contact cards and kinds WaDesk
// does not model are stored with their type; reactions, edits and deletions change the original
// message and publish their own events.

#include "tests/support/InMemoryMediaLibrary.h"
#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventBus.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/InboundMessages.h"
#include "core/messaging/InboundProcessor.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

using namespace wadesk;
using wadesk::test::addDialectRows;
using wadesk::test::InMemoryMediaLibrary;

namespace {

const QString kOwnChat = QStringLiteral("15550001111@c.us");
// The start of what WhatsApp Web puts in a picture's body (a base64 JPEG).
const QString kThumbnail = QStringLiteral("/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR");

QByteArray pngBytes()
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png += QByteArray("\x00\x00\x00\x0dIHDR", 8);
    for (int i = 0; i < 300; ++i)
        png += char(i * 7);
    return png;
}

class World {
public:
    explicit World(Database &database)
        : db(database)
    {
        QObject::connect(&bus, &EventBus::published, &bus, [this](const Event &e) { events << e; });
    }

    bool setUp()
    {
        if (!Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate())
            return false;
        org = Ids::make("org");
        client = Ids::make("client");
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        SqlRunner sql(db);
        return sql.change(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"),
                          {org, QStringLiteral("Inbound Org"), now, now})
                   .ok()
            && sql.change(QStringLiteral("INSERT INTO clients (id, organization_id, name, phone_number, status, linked, created_at, updated_at) "
                                         "VALUES (?, ?, ?, ?, 'ready', 1, ?, ?)"),
                          {client, org, QStringLiteral("Front desk"), QStringLiteral("+15550001111"), now, now})
                   .ok();
    }

    static QJsonObject message(const QString &waId, const QString &fromDigits, const QString &type, const QJsonObject &extra = {})
    {
        QJsonObject m{{QStringLiteral("id"), waId},
                      {QStringLiteral("fromMe"), false},
                      {QStringLiteral("from"), fromDigits + QStringLiteral("@c.us")},
                      {QStringLiteral("to"), kOwnChat},
                      {QStringLiteral("type"), type}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            m.insert(it.key(), it.value());
        return m;
    }

    InboundRow row(const QString &waId)
    {
        SqlRunner sql(db);
        Result<std::optional<InboundRow>> found = InboundMessageRepository(sql).findByWaId(client, waId);
        return found && found.value() ? *found.value() : InboundRow();
    }

    int scalar(const QString &sqlText, const QVariantList &bind = {})
    {
        SqlRunner sql(db);
        Result<QSqlQuery> q = sql.run(sqlText, bind);
        if (!q || !q.value().next())
            return -1;
        return q.value().value(0).toInt();
    }
    QString text(const QString &sqlText, const QVariantList &bind = {})
    {
        SqlRunner sql(db);
        Result<QSqlQuery> q = sql.run(sqlText, bind);
        if (!q || !q.value().next())
            return QStringLiteral("<none>");
        return q.value().value(0).toString();
    }
    // Every text column of a message row, joined: to look for a thumbnail anywhere in it.
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

    QList<Event> publishedOf(const QString &type) const
    {
        QList<Event> out;
        for (const Event &e : events) {
            if (e.type == type)
                out << e;
        }
        return out;
    }
    QStringList published() const
    {
        QStringList out;
        for (const Event &e : events)
            out << e.type;
        return out;
    }
    ContactRecord contact(const QString &phone)
    {
        SqlRunner sql(db);
        Result<std::optional<ContactRecord>> found = ContactRepository(sql).findByPhone(org, phone);
        return found && found.value() ? *found.value() : ContactRecord();
    }

    Database &db;
    EventBus bus;
    QList<Event> events;
    QString org;
    QString client;
};

#define WORLD(world)                                                                                                   \
    WADESK_FRESH_DATABASE(world##Db);                                                                                  \
    World world(*world##Db.database);                                                                                  \
    QVERIFY(world.setUp())

} // namespace

class TestInboundProcessor : public QObject {
    Q_OBJECT

private slots:
    // Reported as ciphertext (no body), then again decrypted with the same id: one row, filled
    // in, and one message.received with the real text. A third report changes nothing.
    void ciphertextThenDecrypted_data() { addDialectRows(); }
    void ciphertextThenDecrypted()
    {
        WORLD(w);
        InboundProcessor inbound(w.db, &w.bus, MessagingSettings());
        const QString id = QStringLiteral("false_14155550303@c.us_C1PHER");
        QVERIFY(!inbound.onMessage(w.org, w.client, World::message(id, QStringLiteral("14155550303"), QStringLiteral("ciphertext")), nullptr));
        InboundRow r = w.row(id);
        QCOMPARE(r.type, QStringLiteral("ciphertext"));
        QCOMPARE(r.body, QString());
        QCOMPARE(r.direction, QStringLiteral("inbound"));
        QVERIFY(w.publishedOf(QStringLiteral("message.received")).isEmpty());
        // A repeated placeholder is not a second message.
        inbound.onMessage(w.org, w.client, World::message(id, QStringLiteral("14155550303"), QStringLiteral("ciphertext")), nullptr);

        const QJsonObject decrypted =
            World::message(id, QStringLiteral("14155550303"), QStringLiteral("chat"), {{QStringLiteral("body"), QStringLiteral("Is my order ready?")}});
        QVERIFY(!inbound.onMessage(w.org, w.client, decrypted, nullptr));
        inbound.onMessage(w.org, w.client, decrypted, nullptr);
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_id = ?"), {w.client}), 1);
        r = w.row(id);
        QCOMPARE(r.type, QStringLiteral("text"));
        QCOMPARE(r.body, QStringLiteral("Is my order ready?"));
        const QList<Event> received = w.publishedOf(QStringLiteral("message.received"));
        QCOMPARE(received.size(), 1);
        QCOMPARE(received.first().data.value(QLatin1String("body")).toString(), QStringLiteral("Is my order ready?"));
        QCOMPARE(received.first().data.value(QLatin1String("type")).toString(), QStringLiteral("text"));
        QCOMPARE(received.first().data.value(QLatin1String("messageId")).toString(), r.id);
        QVERIFY(received.first().data.value(QLatin1String("media")).isNull());
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM events WHERE organization_id = ? AND type = 'message.received'"), {w.org}), 1);

        // One that never decrypts stays a placeholder of its type, announced never.
        const QString lost = QStringLiteral("false_14155550303@c.us_NEVER");
        inbound.onMessage(w.org, w.client, World::message(lost, QStringLiteral("14155550303"), QStringLiteral("ciphertext")), nullptr);
        QCOMPARE(w.row(lost).type, QStringLiteral("ciphertext"));
        QCOMPARE(w.publishedOf(QStringLiteral("message.received")).size(), 1);
    }

    // STOP arriving as ciphertext first opts out on the decrypted text, once (audited once).
    void optOutArrivingAsCiphertext_data() { addDialectRows(); }
    void optOutArrivingAsCiphertext()
    {
        WORLD(w);
        InboundProcessor inbound(w.db, &w.bus, MessagingSettings());
        const QString id = QStringLiteral("false_14155550404@c.us_STOP1");
        inbound.onMessage(w.org, w.client, World::message(id, QStringLiteral("14155550404"), QStringLiteral("ciphertext")), nullptr);
        QVERIFY(!w.contact(QStringLiteral("+14155550404")).optedOut);
        inbound.onMessage(w.org, w.client,
                          World::message(id, QStringLiteral("14155550404"), QStringLiteral("chat"), {{QStringLiteral("body"), QStringLiteral(" stop ")}}),
                          nullptr);
        QVERIFY(w.contact(QStringLiteral("+14155550404")).optedOut);
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE organization_id = ? AND action = 'contact_opted_out'"), {w.org}), 1);
        // A caption saying STOP under a picture is not a keyword.
        InMemoryMediaLibrary library;
        inbound.setMediaLibrary(&library);
        const QString pic = QStringLiteral("false_14155550505@c.us_PIC");
        inbound.onMessage(w.org, w.client,
                          World::message(pic, QStringLiteral("14155550505"), QStringLiteral("image"),
                                         {{QStringLiteral("caption"), QStringLiteral("STOP")}, {QStringLiteral("mimetype"), QStringLiteral("image/png")}}),
                          nullptr);
        QVERIFY(!w.contact(QStringLiteral("+14155550505")).optedOut);
    }

    // An image: the thumbnail body is stored nowhere, the caption is; message.received waits
    // for the file, which goes to the media store with its hints; then one event with the media.
    void imageWithThumbnailAndCaption_data() { addDialectRows(); }
    void imageWithThumbnailAndCaption()
    {
        WORLD(w);
        InMemoryMediaLibrary library;
        InboundProcessor inbound(w.db, &w.bus, MessagingSettings());
        inbound.setMediaLibrary(&library);
        const QString id = QStringLiteral("false_14155550606@c.us_IMG1");
        const QByteArray bytes = pngBytes();
        const QJsonObject image = World::message(id, QStringLiteral("14155550606"), QStringLiteral("image"),
                                                 {{QStringLiteral("body"), kThumbnail},
                                                  {QStringLiteral("caption"), QStringLiteral("The crack in the screen")},
                                                  {QStringLiteral("mimetype"), QStringLiteral("image/png")},
                                                  {QStringLiteral("filename"), QStringLiteral("screen.png")},
                                                  {QStringLiteral("size"), double(bytes.size())}});
        const std::optional<InboundMediaRequest> request = inbound.onMessage(w.org, w.client, image, nullptr);
        QVERIFY(request);
        QCOMPARE(request->waMessageId, id);
        QCOMPARE(request->declaredSize, qint64(bytes.size()));
        InboundRow r = w.row(id);
        QCOMPARE(request->messageId, r.id);
        QCOMPARE(r.type, QStringLiteral("image"));
        QCOMPARE(r.caption, QStringLiteral("The crack in the screen"));
        QCOMPARE(r.body, QStringLiteral("The crack in the screen"));
        QCOMPARE(r.mediaStatus, QStringLiteral("pending"));
        QVERIFY(!w.wholeRow(id).contains(QLatin1String("/9j/")));
        QVERIFY(w.publishedOf(QStringLiteral("message.received")).isEmpty());
        // Delivered again while the file is on its way: no second fetch.
        QVERIFY(!inbound.onMessage(w.org, w.client, image, nullptr));

        FetchedMedia fetched;
        fetched.ok = true;
        fetched.bytes = bytes;
        fetched.mimetype = QStringLiteral("image/png");
        inbound.onMediaFetched(w.org, w.client, id, fetched);
        r = w.row(id);
        QCOMPARE(r.mediaStatus, QStringLiteral("stored"));
        QVERIFY(r.mediaId.startsWith(QLatin1String("media_")));
        Result<QByteArray> kept = library.readAll(w.org, r.mediaId);
        QVERIFY(kept);
        QCOMPARE(kept.value(), bytes);
        QCOMPARE(library.hintsSeen().size(), 1);
        QCOMPARE(library.hintsSeen().first().filename, QStringLiteral("screen.png"));
        QCOMPARE(library.hintsSeen().first().declaredMimetype, QStringLiteral("image/png"));
        QVERIFY(!library.hintsSeen().first().voiceNote);

        const QList<Event> received = w.publishedOf(QStringLiteral("message.received"));
        QCOMPARE(received.size(), 1);
        const QJsonObject data = received.first().data;
        QCOMPARE(data.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QCOMPARE(data.value(QLatin1String("caption")).toString(), QStringLiteral("The crack in the screen"));
        QCOMPARE(data.value(QLatin1String("from")).toString(), QStringLiteral("+14155550606"));
        const QJsonObject media = data.value(QLatin1String("media")).toObject();
        QCOMPARE(media.value(QLatin1String("id")).toString(), r.mediaId);
        QCOMPARE(media.value(QLatin1String("mimetype")).toString(), QStringLiteral("image/png"));
        QCOMPARE(qint64(media.value(QLatin1String("size")).toDouble()), qint64(bytes.size()));
        QCOMPARE(media.value(QLatin1String("filename")).toString(), QStringLiteral("screen.png"));
        QVERIFY(!QJsonDocument(data).toJson().contains("/9j/"));
        // A late second answer for the same file changes nothing.
        inbound.onMediaFetched(w.org, w.client, id, fetched);
        QCOMPARE(w.publishedOf(QStringLiteral("message.received")).size(), 1);
        QCOMPARE(library.storeCalls(), 1);
    }

    // A file that cannot be had: the message is kept and announced without media, with the
    // reason — after a failed fetch, a refused store, a declared size over the limit, no store,
    // and a page that went away (failPendingMedia).
    void mediaFailuresKeepTheMessage_data() { addDialectRows(); }
    void mediaFailuresKeepTheMessage()
    {
        WORLD(w);
        InMemoryMediaLibrary library;
        MessagingSettings settings;
        settings.mediaMaxBytes = 1000;
        InboundProcessor inbound(w.db, &w.bus, settings);
        inbound.setMediaLibrary(&library);
        auto doc = [&](const QString &id, double size) {
            return World::message(id, QStringLiteral("14155550707"), QStringLiteral("document"),
                                  {{QStringLiteral("filename"), QStringLiteral("invoice.pdf")},
                                   {QStringLiteral("mimetype"), QStringLiteral("application/pdf")},
                                   {QStringLiteral("size"), size}});
        };
        auto mediaError = [&](const QString &messageId) {
            for (const Event &e : w.publishedOf(QStringLiteral("message.received"))) {
                if (e.data.value(QLatin1String("messageId")).toString() == messageId) {
                    if (!e.data.value(QLatin1String("media")).isNull())
                        return QStringLiteral("<has media>");
                    return e.data.value(QLatin1String("media_error")).toString();
                }
            }
            return QStringLiteral("<no event>");
        };

        // The page could not download it.
        const QString a = QStringLiteral("false_14155550707@c.us_DOCA");
        QVERIFY(inbound.onMessage(w.org, w.client, doc(a, 500), nullptr));
        FetchedMedia failed;
        failed.error = QStringLiteral("Media not found");
        inbound.onMediaFetched(w.org, w.client, a, failed);
        QCOMPARE(w.row(a).mediaStatus, QStringLiteral("failed"));
        QCOMPARE(w.row(a).filename, QStringLiteral("invoice.pdf"));
        QCOMPARE(mediaError(w.row(a).id), QStringLiteral("Media not found"));

        // The store refuses it.
        const QString b = QStringLiteral("false_14155550707@c.us_DOCB");
        QVERIFY(inbound.onMessage(w.org, w.client, doc(b, 500), nullptr));
        DomainError refusal;
        refusal.httpStatus = 415;
        refusal.code = QStringLiteral("media_type_not_allowed");
        refusal.message = QStringLiteral("This type of file is not accepted");
        library.refuseNextStore(refusal);
        FetchedMedia exe;
        exe.ok = true;
        exe.bytes = QByteArray("MZ\x90\x00", 4) + QByteArray(200, 'x');
        inbound.onMediaFetched(w.org, w.client, b, exe);
        QCOMPARE(w.row(b).mediaStatus, QStringLiteral("failed"));
        QVERIFY(w.row(b).mediaId.isEmpty());
        QVERIFY2(mediaError(w.row(b).id).startsWith(QLatin1String("media_type_not_allowed")), qPrintable(mediaError(w.row(b).id)));
        QCOMPARE(library.count(), 0);

        // Declared over the limit: not fetched at all, announced at once.
        const QString c = QStringLiteral("false_14155550707@c.us_DOCC");
        QVERIFY(!inbound.onMessage(w.org, w.client, doc(c, 5000), nullptr));
        QCOMPARE(w.row(c).mediaStatus, QStringLiteral("failed"));
        QVERIFY(mediaError(w.row(c).id).startsWith(QLatin1String("media_too_large")));

        // Pending when the page went away.
        const QString d = QStringLiteral("false_14155550707@c.us_DOCD");
        QVERIFY(inbound.onMessage(w.org, w.client, doc(d, 500), nullptr));
        QCOMPARE(mediaError(w.row(d).id), QStringLiteral("<no event>"));
        inbound.failPendingMedia(w.org, w.client);
        QCOMPARE(w.row(d).mediaStatus, QStringLiteral("failed"));
        QVERIFY(mediaError(w.row(d).id).startsWith(QLatin1String("interrupted")));

        // No media store at all: kept without the file, announced at once.
        InboundProcessor bare(w.db, &w.bus, settings);
        const QString e = QStringLiteral("false_14155550707@c.us_DOCE");
        QVERIFY(!bare.onMessage(w.org, w.client, doc(e, 500), nullptr));
        QCOMPARE(w.row(e).type, QStringLiteral("document"));
        QCOMPARE(w.row(e).mediaStatus, QStringLiteral("failed"));
        QCOMPARE(mediaError(w.row(e).id), QStringLiteral("no media store is configured"));

        QCOMPARE(w.publishedOf(QStringLiteral("message.received")).size(), 5);
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_id = ? AND type = 'document'"), {w.client}), 5);
    }

    // Voice notes (ptt) are stored as `voice` and handed to the store as a voice note; video,
    // audio, sticker keep their types.
    void mediaKinds_data() { addDialectRows(); }
    void mediaKinds()
    {
        WORLD(w);
        InMemoryMediaLibrary library;
        InboundProcessor inbound(w.db, &w.bus, MessagingSettings());
        inbound.setMediaLibrary(&library);
        const QList<QPair<QString, QString>> kinds = {{QStringLiteral("ptt"), QStringLiteral("voice")},
                                                      {QStringLiteral("audio"), QStringLiteral("audio")},
                                                      {QStringLiteral("video"), QStringLiteral("video")},
                                                      {QStringLiteral("sticker"), QStringLiteral("sticker")}};
        int n = 0;
        for (const auto &[waType, type] : kinds) {
            const QString id = QStringLiteral("false_14155550808@c.us_K%1").arg(++n);
            QVERIFY(inbound.onMessage(w.org, w.client,
                                      World::message(id, QStringLiteral("14155550808"), waType,
                                                     {{QStringLiteral("body"), kThumbnail}, {QStringLiteral("mimetype"), QStringLiteral("audio/ogg; codecs=opus")}}),
                                      nullptr));
            QCOMPARE(w.row(id).type, type);
            QVERIFY(!w.wholeRow(id).contains(QLatin1String("/9j/")));
            FetchedMedia f;
            f.ok = true;
            f.bytes = QByteArray("OggS", 4) + QByteArray::number(n) + QByteArray(100, char(n));
            f.mimetype = QStringLiteral("audio/ogg; codecs=opus");
            inbound.onMediaFetched(w.org, w.client, id, f);
            QCOMPARE(w.row(id).mediaStatus, QStringLiteral("stored"));
        }
        QCOMPARE(library.hintsSeen().size(), 4);
        QVERIFY(library.hintsSeen().at(0).voiceNote);
        QCOMPARE(library.hintsSeen().at(0).declaredMimetype, QStringLiteral("audio/ogg")); // parameters dropped
        QVERIFY(!library.hintsSeen().at(1).voiceNote);
        QCOMPARE(w.publishedOf(QStringLiteral("message.received")).first().data.value(QLatin1String("type")).toString(), QStringLiteral("voice"));
    }

    // Locations, contact cards and kinds WaDesk does not model are stored with their type;
    // notifications are not messages.
    void locationContactsAndOthers_data() { addDialectRows(); }
    void locationContactsAndOthers()
    {
        WORLD(w);
        InboundProcessor inbound(w.db, &w.bus, MessagingSettings());
        const QString phone = QStringLiteral("14155550909");
        const QString loc = QStringLiteral("false_14155550909@c.us_LOC");
        inbound.onMessage(w.org, w.client,
                          World::message(loc, phone, QStringLiteral("location"),
                                         {{QStringLiteral("body"), kThumbnail}, {QStringLiteral("lat"), 48.8584}, {QStringLiteral("lng"), 2.2945},
                                          {QStringLiteral("loc"), QStringLiteral("Eiffel Tower\nChamp de Mars, Paris")}}),
                          nullptr);
        InboundRow r = w.row(loc);
        QCOMPARE(r.type, QStringLiteral("location"));
        QCOMPARE(r.body, QStringLiteral("Eiffel Tower\nChamp de Mars, Paris"));
        const QJsonObject place = r.details.value(QLatin1String("location")).toObject();
        QCOMPARE(place.value(QLatin1String("latitude")).toDouble(), 48.8584);
        QCOMPARE(place.value(QLatin1String("longitude")).toDouble(), 2.2945);
        QCOMPARE(place.value(QLatin1String("name")).toString(), QStringLiteral("Eiffel Tower"));
        QCOMPARE(place.value(QLatin1String("address")).toString(), QStringLiteral("Champ de Mars, Paris"));
        QVERIFY(!w.wholeRow(loc).contains(QLatin1String("/9j/")));
        const Event locEvent = w.publishedOf(QStringLiteral("message.received")).last();
        QCOMPARE(locEvent.data.value(QLatin1String("type")).toString(), QStringLiteral("location"));
        QCOMPARE(locEvent.data.value(QLatin1String("location")).toObject().value(QLatin1String("latitude")).toDouble(), 48.8584);

        const QString vcardText = QStringLiteral("BEGIN:VCARD\nVERSION:3.0\nFN:Ana Lima\nTEL;type=CELL:+5511999990000\nEND:VCARD");
        const QString card = QStringLiteral("false_14155550909@c.us_VC1");
        inbound.onMessage(w.org, w.client,
                          World::message(card, phone, QStringLiteral("vcard"),
                                         {{QStringLiteral("body"), vcardText}, {QStringLiteral("vcardFormattedName"), QStringLiteral("Ana Lima")}}),
                          nullptr);
        r = w.row(card);
        QCOMPARE(r.type, QStringLiteral("contact"));
        QCOMPARE(r.body, QStringLiteral("Ana Lima"));
        const QJsonArray contacts = r.details.value(QLatin1String("contacts")).toArray();
        QCOMPARE(contacts.size(), 1);
        QCOMPARE(contacts.first().toObject().value(QLatin1String("vcard")).toString(), vcardText);
        QCOMPARE(w.publishedOf(QStringLiteral("message.received")).last().data.value(QLatin1String("contacts")).toArray().size(), 1);

        const QString cards = QStringLiteral("false_14155550909@c.us_VC2");
        inbound.onMessage(w.org, w.client,
                          World::message(cards, phone, QStringLiteral("multi_vcard"),
                                         {{QStringLiteral("vcardList"),
                                           QJsonArray{QJsonObject{{QStringLiteral("displayName"), QStringLiteral("Ana")}, {QStringLiteral("vcard"), vcardText}},
                                                      QJsonObject{{QStringLiteral("displayName"), QStringLiteral("Bo")}, {QStringLiteral("vcard"), QStringLiteral("BEGIN:VCARD\nFN:Bo\nEND:VCARD")}}}}}),
                          nullptr);
        QCOMPARE(w.row(cards).type, QStringLiteral("contact"));
        QCOMPARE(w.row(cards).body, QStringLiteral("Ana, Bo"));
        QCOMPARE(w.row(cards).details.value(QLatin1String("contacts")).toArray().size(), 2);

        const QString poll = QStringLiteral("false_14155550909@c.us_POLL");
        inbound.onMessage(w.org, w.client, World::message(poll, phone, QStringLiteral("poll_creation"), {{QStringLiteral("body"), kThumbnail}}), nullptr);
        QCOMPARE(w.row(poll).type, QStringLiteral("unsupported"));
        QCOMPARE(w.row(poll).details.value(QLatin1String("wa_type")).toString(), QStringLiteral("poll_creation"));
        QCOMPARE(w.row(poll).body, QString());

        inbound.onMessage(w.org, w.client, World::message(QStringLiteral("false_14155550909@c.us_E2E"), phone, QStringLiteral("e2e_notification")), nullptr);
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_id = ?"), {w.client}), 4);
        QCOMPARE(w.publishedOf(QStringLiteral("message.received")).size(), 4);
    }

    // Reactions, edits and deletions change the original message (no new rows) and publish
    // message.reaction / message.edited / message.revoked once each.
    void reactionsEditsAndDeletions_data() { addDialectRows(); }
    void reactionsEditsAndDeletions()
    {
        WORLD(w);
        InboundProcessor inbound(w.db, &w.bus, MessagingSettings());
        const QString id = QStringLiteral("false_14155551010@c.us_ORIG");
        inbound.onMessage(w.org, w.client,
                          World::message(id, QStringLiteral("14155551010"), QStringLiteral("chat"), {{QStringLiteral("body"), QStringLiteral("see you at 5")}}),
                          nullptr);
        const QString messageId = w.row(id).id;
        w.events.clear();

        const QJsonObject thumbsUp{{QStringLiteral("msgId"), id}, {QStringLiteral("reaction"), QStringLiteral("👍")},
                                   {QStringLiteral("sender"), QStringLiteral("14155551010@c.us")}};
        inbound.onReaction(w.org, w.client, thumbsUp);
        inbound.onReaction(w.org, w.client, thumbsUp); // reported twice
        QCOMPARE(w.text(QStringLiteral("SELECT reaction FROM message_reactions WHERE message_id = ? AND sender = ?"), {messageId, QStringLiteral("+14155551010")}),
                 QStringLiteral("👍"));
        QJsonObject heart = thumbsUp;
        heart.insert(QStringLiteral("reaction"), QStringLiteral("❤️"));
        inbound.onReaction(w.org, w.client, heart);
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM message_reactions WHERE message_id = ?"), {messageId}), 1);
        QJsonObject removed = thumbsUp;
        removed.insert(QStringLiteral("reaction"), QString());
        inbound.onReaction(w.org, w.client, removed);
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM message_reactions WHERE message_id = ?"), {messageId}), 0);
        const QList<Event> reactions = w.publishedOf(QStringLiteral("message.reaction"));
        QCOMPARE(reactions.size(), 3);
        QCOMPARE(reactions.at(0).data.value(QLatin1String("messageId")).toString(), messageId);
        QCOMPARE(reactions.at(0).data.value(QLatin1String("from")).toString(), QStringLiteral("+14155551010"));
        QCOMPARE(reactions.at(1).data.value(QLatin1String("reaction")).toString(), QStringLiteral("❤️"));
        QCOMPARE(reactions.at(2).data.value(QLatin1String("reaction")).toString(), QString());

        inbound.onEdit(w.org, w.client, {{QStringLiteral("id"), id}, {QStringLiteral("body"), QStringLiteral("see you at 6")},
                                         {QStringLiteral("from"), QStringLiteral("14155551010@c.us")}});
        InboundRow r = w.row(id);
        QCOMPARE(r.body, QStringLiteral("see you at 6"));
        QVERIFY(r.editedAt > 0);
        QCOMPARE(w.publishedOf(QStringLiteral("message.edited")).size(), 1);
        QCOMPARE(w.publishedOf(QStringLiteral("message.edited")).first().data.value(QLatin1String("body")).toString(), QStringLiteral("see you at 6"));
        QCOMPARE(w.publishedOf(QStringLiteral("message.edited")).first().data.value(QLatin1String("messageId")).toString(), messageId);

        const QJsonObject revoke{{QStringLiteral("id"), QStringLiteral("false_14155551010@c.us_REVOKEMSG")},
                                 {QStringLiteral("refId"), id},
                                 {QStringLiteral("from"), QStringLiteral("14155551010@c.us")}};
        inbound.onRevoke(w.org, w.client, revoke);
        inbound.onRevoke(w.org, w.client, revoke);
        QVERIFY(w.row(id).revokedAt > 0);
        QCOMPARE(w.publishedOf(QStringLiteral("message.revoked")).size(), 1);
        QCOMPARE(w.publishedOf(QStringLiteral("message.revoked")).first().data.value(QLatin1String("messageId")).toString(), messageId);

        // Changes to messages WaDesk never had, or of another organization: nothing.
        inbound.onReaction(w.org, w.client, {{QStringLiteral("msgId"), QStringLiteral("false_14155551010@c.us_UNKNOWN")},
                                             {QStringLiteral("reaction"), QStringLiteral("😮")},
                                             {QStringLiteral("sender"), QStringLiteral("14155551010@c.us")}});
        inbound.onEdit(Ids::make("org"), w.client, {{QStringLiteral("id"), id}, {QStringLiteral("body"), QStringLiteral("hijack")}});
        QCOMPARE(w.row(id).body, QStringLiteral("see you at 6"));
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_id = ?"), {w.client}), 1);
        QCOMPARE(w.published(), (QStringList{QStringLiteral("message.reaction"), QStringLiteral("message.reaction"), QStringLiteral("message.reaction"),
                                             QStringLiteral("message.edited"), QStringLiteral("message.revoked")}));
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    TestInboundProcessor test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_inbound_processor.moc"

// Sending files through POST /api/clients/:id/send-message over real HTTP, on SQLite and
// PostgreSQL, with a test media library (tests/support/InMemoryMediaLibrary; no engine: the
// client is marked linked and the queue is read from the database). The guide's `media` (a data
// URL or bare base64) is stored and queued as an image message with its caption (the guide's
// `message` when there is no `caption`); a stored file is sent by `media_id`; another
// organization's media_id reads as 404; undecodable, empty and mistyped files are refused with
// the library's 400/415 and nothing is queued or stored; the Idempotency-Key covers the file.

#include "tests/support/ApiTestHarness.h"
#include "tests/support/InMemoryMediaLibrary.h"

#include <QBuffer>
#include <QImage>
#include <QJsonArray>
#include <QTest>

using namespace wadesk;
using wadesk::test::Account;
using wadesk::test::ApiResponse;
using wadesk::test::ApiTestHarness;
using wadesk::test::HeaderList;

namespace {

// A real PNG of the given size and colour, made here.
QByteArray png(int width, int height, QRgb colour)
{
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(colour);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QString dataUrl(const QString &type, const QByteArray &bytes)
{
    return QStringLiteral("data:%1;base64,").arg(type) + QString::fromLatin1(bytes.toBase64());
}

} // namespace

class TestMediaSending : public QObject {
    Q_OBJECT

    struct Setup {
        Account admin;
        Account other;
        QString client;
    };

    static bool prepare(ApiTestHarness &api, Setup *s)
    {
        s->admin = api.registerOrganization(QStringLiteral("admin@media-send.test"), QStringLiteral("Media Org"));
        s->other = api.registerOrganization(QStringLiteral("admin@other-media.test"), QStringLiteral("Other Org"));
        if (!s->admin.valid() || !s->other.valid())
            return false;
        s->client = api.createClient(s->admin, QStringLiteral("Front desk"));
        return !s->client.isEmpty()
            && api.exec(QStringLiteral("UPDATE clients SET linked = 1, phone_number = ? WHERE id = ?"), {QStringLiteral("+14155552671"), s->client});
    }

    static ApiResponse send(ApiTestHarness &api, const Setup &s, const QJsonObject &body, const HeaderList &extra = {})
    {
        return api.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(s.client), body,
                           ApiTestHarness::apiKey(s.admin.apiKey) + extra);
    }

    // Messages, queue entries and audit entries: what a refused request must not touch.
    static QString footprint(ApiTestHarness &api)
    {
        return api.rows(QStringLiteral("SELECT (SELECT COUNT(*) FROM messages) || '/' || (SELECT COUNT(*) FROM outbox) || '/' || "
                                       "(SELECT COUNT(*) FROM audit_logs)"))
            .join(QLatin1Char(','));
    }

private slots:
    void imageByDataUrlAndById_data() { test::addDialectRows(); }
    void imageByDataUrlAndById()
    {
        QFETCH(QString, dialect);
        test::InMemoryMediaLibrary media;
        ApiTestHarness::Options options;
        options.mediaLibrary = &media;
        WADESK_START_API(api, dialect, options);
        Setup s;
        QVERIFY(prepare(api, &s));

        const QByteArray image = png(4, 3, qRgb(200, 30, 30));
        ApiResponse r = send(api, s,
                             QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550801")},
                                         {QStringLiteral("media"), dataUrl(QStringLiteral("image/png"), image)},
                                         {QStringLiteral("caption"), QStringLiteral("Check out our new products!")},
                                         {QStringLiteral("filename"), QStringLiteral("products.png")}});
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("status")).toString(), QStringLiteral("queued"));
        const QString id = r.json.value(QLatin1String("messageId")).toString();
        QCOMPARE(media.count(), 1);

        ApiResponse m = api.request("GET", QStringLiteral("/api/messages/") + id, QJsonValue(QJsonValue::Undefined),
                                    ApiTestHarness::apiKey(s.admin.apiKey));
        QVERIFY2(m.status == 200, m.describe().constData());
        QCOMPARE(m.json.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        const QString mediaId = m.json.value(QLatin1String("media_id")).toString();
        QVERIFY2(mediaId.startsWith(QLatin1String("media_")), qPrintable(mediaId));
        QCOMPARE(m.json.value(QLatin1String("caption")).toString(), QStringLiteral("Check out our new products!"));
        QCOMPARE(m.json.value(QLatin1String("message_text")).toString(), QStringLiteral("Check out our new products!"));
        QCOMPARE(m.json.value(QLatin1String("filename")).toString(), QStringLiteral("products.png"));
        QCOMPARE(m.json.value(QLatin1String("status")).toString(), QStringLiteral("queued"));
        Result<QByteArray> kept = media.readAll(s.admin.organizationId, mediaId);
        QVERIFY(kept);
        QCOMPARE(kept.value(), image);
        // Queued like a text, audited with the file.
        QCOMPARE(api.rows(QStringLiteral("SELECT message_id FROM outbox WHERE message_id = ?"), {id}), QStringList{id});
        const QStringList audit = api.rows(QStringLiteral("SELECT action, details FROM audit_logs WHERE resource_id = ?"), {id}, 2);
        QCOMPARE(audit.size(), 1);
        QVERIFY2(audit.first().startsWith(QLatin1String("send_message|")) && audit.first().contains(mediaId), qPrintable(audit.first()));

        // Bare base64, the guide's `message` as the caption; the same bytes are the same file.
        r = send(api, s, QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550802")},
                                     {QStringLiteral("message"), QStringLiteral("From the message field")},
                                     {QStringLiteral("media"), QString::fromLatin1(image.toBase64())}});
        QVERIFY2(r.status == 200, r.describe().constData());
        m = api.request("GET", QStringLiteral("/api/messages/") + r.json.value(QLatin1String("messageId")).toString(),
                        QJsonValue(QJsonValue::Undefined), ApiTestHarness::apiKey(s.admin.apiKey));
        QCOMPARE(m.json.value(QLatin1String("caption")).toString(), QStringLiteral("From the message field"));
        QCOMPARE(m.json.value(QLatin1String("media_id")).toString(), mediaId);
        QCOMPARE(media.count(), 1);

        // By media_id, without any text.
        r = send(api, s, QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550803")}, {QStringLiteral("media_id"), mediaId}});
        QVERIFY2(r.status == 200, r.describe().constData());
        m = api.request("GET", QStringLiteral("/api/messages/") + r.json.value(QLatin1String("messageId")).toString(),
                        QJsonValue(QJsonValue::Undefined), ApiTestHarness::apiKey(s.admin.apiKey));
        QCOMPARE(m.json.value(QLatin1String("media_id")).toString(), mediaId);
        QCOMPARE(m.json.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QVERIFY(m.json.value(QLatin1String("caption")).isNull());
        QCOMPARE(m.json.value(QLatin1String("message_text")).toString(), QString());

        // History shows them with their files; a text says "text" and null media.
        r = send(api, s, QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550804")}, {QStringLiteral("message"), QStringLiteral("plain")}});
        QVERIFY2(r.status == 200, r.describe().constData());
        const ApiResponse history = api.request("GET", QStringLiteral("/api/clients/%1/messages").arg(s.client), QJsonValue(QJsonValue::Undefined),
                                                ApiTestHarness::apiKey(s.admin.apiKey));
        QCOMPARE(history.json.value(QLatin1String("total")).toInt(), 4);
        const QJsonArray items = history.json.value(QLatin1String("messages")).toArray();
        QCOMPARE(items.first().toObject().value(QLatin1String("type")).toString(), QStringLiteral("text"));
        QVERIFY(items.first().toObject().value(QLatin1String("media_id")).isNull());
        QCOMPARE(items.last().toObject().value(QLatin1String("type")).toString(), QStringLiteral("image"));
    }

    void refusalsChangeNothing_data() { test::addDialectRows(); }
    void refusalsChangeNothing()
    {
        QFETCH(QString, dialect);
        test::InMemoryMediaLibrary media;
        ApiTestHarness::Options options;
        options.mediaLibrary = &media;
        WADESK_START_API(api, dialect, options);
        Setup s;
        QVERIFY(prepare(api, &s));
        Result<MediaInfo> foreign = media.store(s.other.organizationId, png(2, 2, qRgb(0, 0, 255)), MediaHints(), QString());
        QVERIFY(foreign);
        const QString before = footprint(api);
        const int filesBefore = media.count();
        const QString to = QStringLiteral("+14155550811");
        auto body = [&](const QString &key, const QJsonValue &value) {
            return QJsonObject{{QStringLiteral("to"), to}, {QStringLiteral("message"), QStringLiteral("x")}, {key, value}};
        };

        QVERIFY2(send(api, s, body(QStringLiteral("media"), QStringLiteral("not base64 at all!"))).isError(400, QStringLiteral("invalid_media")), "bad base64");
        QVERIFY2(send(api, s, body(QStringLiteral("media"), QStringLiteral("data:image/png,rawbytes"))).isError(400, QStringLiteral("invalid_media")),
                 "data URL without base64");
        QVERIFY2(send(api, s, body(QStringLiteral("media"), QStringLiteral("data:image/png;base64,"))).isError(400, QStringLiteral("invalid_media")),
                 "empty");
        QVERIFY2(send(api, s, body(QStringLiteral("media"), 42)).isError(400, QStringLiteral("validation_failed")), "not a string");
        // Another organization's file, an unknown one, a malformed id: not found.
        QVERIFY2(send(api, s, body(QStringLiteral("media_id"), foreign.value().id)).isError(404, QStringLiteral("not_found")), "foreign media");
        QVERIFY2(send(api, s, body(QStringLiteral("media_id"), QStringLiteral("media_01jabcdefghjkmnpqrstvwxyz0"))).isError(404, QStringLiteral("not_found")),
                 "unknown media");
        QVERIFY2(send(api, s, body(QStringLiteral("media_id"), QStringLiteral("x'; DROP TABLE messages; --"))).isError(404, QStringLiteral("not_found")),
                 "malformed id");
        // Both at once.
        QJsonObject both = body(QStringLiteral("media_id"), foreign.value().id);
        both.insert(QStringLiteral("media"), QString::fromLatin1(png(1, 1, qRgb(1, 2, 3)).toBase64()));
        QVERIFY2(send(api, s, both).isError(400, QStringLiteral("validation_failed")), "media and media_id");
        // The content decides: an executable is not sent, a PNG declared as JPEG is a mismatch.
        const QByteArray exe = QByteArray("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", 16) + QByteArray(200, '\0');
        QVERIFY2(send(api, s, body(QStringLiteral("media"), dataUrl(QStringLiteral("image/jpeg"), exe))).isError(415, QStringLiteral("media_type_not_allowed")),
                 "executable");
        QVERIFY2(send(api, s, body(QStringLiteral("media"), dataUrl(QStringLiteral("image/jpeg"), png(2, 2, qRgb(9, 9, 9)))))
                     .isError(415, QStringLiteral("media_type_mismatch")),
                 "declared jpeg");
        // A path is not a file name.
        QJsonObject path = body(QStringLiteral("media"), QString::fromLatin1(png(1, 1, qRgb(4, 5, 6)).toBase64()));
        path.insert(QStringLiteral("filename"), QStringLiteral("../../etc/passwd"));
        QVERIFY2(send(api, s, path).isError(400, QStringLiteral("validation_failed")), "filename with a path");

        QCOMPARE(footprint(api), before);
        QCOMPARE(media.count(), filesBefore);
    }

    // The same key with the same file (inline or by id) answers the first answer again; with
    // another file, another caption or another name it is a reuse (422).
    void idempotencyCoversTheFile_data() { test::addDialectRows(); }
    void idempotencyCoversTheFile()
    {
        QFETCH(QString, dialect);
        test::InMemoryMediaLibrary media;
        ApiTestHarness::Options options;
        options.mediaLibrary = &media;
        WADESK_START_API(api, dialect, options);
        Setup s;
        QVERIFY(prepare(api, &s));
        const HeaderList key{{QByteArrayLiteral("Idempotency-Key"), QByteArrayLiteral("campaign-42-contact-7")}};
        const QByteArray first = png(3, 3, qRgb(10, 200, 10));
        const QJsonObject request{{QStringLiteral("to"), QStringLiteral("+14155550821")},
                                  {QStringLiteral("media"), dataUrl(QStringLiteral("image/png"), first)},
                                  {QStringLiteral("caption"), QStringLiteral("Hello")}};
        const ApiResponse a = send(api, s, request, key);
        QVERIFY2(a.status == 200, a.describe().constData());
        const QString id = a.json.value(QLatin1String("messageId")).toString();
        const ApiResponse again = send(api, s, request, key);
        QVERIFY2(again.status == 200, again.describe().constData());
        QCOMPARE(again.json.value(QLatin1String("messageId")).toString(), id);
        QCOMPARE(again.header("idempotent-replayed"), QByteArrayLiteral("true"));

        QJsonObject otherFile = request;
        otherFile.insert(QStringLiteral("media"), dataUrl(QStringLiteral("image/png"), png(3, 3, qRgb(10, 200, 11))));
        QVERIFY2(send(api, s, otherFile, key).isError(422, QStringLiteral("idempotency_key_reused")), "another file");
        QJsonObject otherCaption = request;
        otherCaption.insert(QStringLiteral("caption"), QStringLiteral("Hello!"));
        QVERIFY2(send(api, s, otherCaption, key).isError(422, QStringLiteral("idempotency_key_reused")), "another caption");
        QJsonObject asText{{QStringLiteral("to"), QStringLiteral("+14155550821")}, {QStringLiteral("message"), QStringLiteral("Hello")}};
        QVERIFY2(send(api, s, asText, key).isError(422, QStringLiteral("idempotency_key_reused")), "the caption as a text");
        QCOMPARE(api.rows(QStringLiteral("SELECT COUNT(*) FROM messages")), QStringList{QStringLiteral("1")});
    }
};

QTEST_GUILESS_MAIN(TestMediaSending)
#include "tst_media_sending.moc"

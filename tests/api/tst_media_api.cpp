// The media routes over real HTTP (core/api/controllers/MediaController over MediaService), on
// SQLite and PostgreSQL, with both storage backends (files under the data directory; chunk
// rows in the database): the real ApiService, organizations and members made through the API.
//
// Proves: the guide's upload (base64 JSON, org_id) → 201 in the guide's shape, and the download
// of the same bytes with Content-Type, Content-Length, a safe attachment name, ETag (the
// SHA-256), nosniff; Range → 206 / 416 and If-None-Match → 304; the data URL, multipart and raw
// forms; the refusals over HTTP (disguised EXE, HTML declared PNG, SVG, truncated, empty, bad
// base64, contradicting data-URL type) with nothing stored; content addressing (the same bytes
// twice are one blob with two references, removing one keeps the other, removing the last
// removes the bytes) and another instance on the same PostgreSQL reading database-held media;
// the quota (413 storage_quota_exceeded, nothing stored) and GET/PUT /api/analytics/storage in
// the guide's shape; tenants (404) and RBAC (viewers read what their clients' messages carry,
// cannot upload or delete; agents remove only their own uploads); 409 media_in_use while a
// queued message carries the media; the per-route body limit (413 before the body is read) and
// the decoded size limit; retention through the real RetentionPruner keeping what a queued
// message needs; the start-up sweep of staged and unreferenced files.

#include "tests/support/ApiTestHarness.h"
#include "tests/support/ManualClock.h"
#include "tests/support/MediaSamples.h"
#include "core/media/MediaService.h"
#include "core/retention/RetentionPruner.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>
#include <cmath>

using namespace wadesk;
using namespace wadesk::test;
namespace Samples = wadesk::test::MediaSamples;

namespace {

const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QStringList sortedKeys(const QJsonObject &o)
{
    QStringList keys = o.keys();
    keys.sort();
    return keys;
}

// Every regular file under `dir` (recursively), relative names.
QStringList filesUnder(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(dir).relativeFilePath(it.next());
    out.sort();
    return out;
}

struct Stage {
    ApiTestHarness api;
    Account admin, manager, agent, viewer, otherAdmin;
    QString salesClient; // org A, assigned to the agent and the viewer

    bool start(const QString &dialect, const QString &storage, QString *whyNot, MediaSettings media = MediaSettings())
    {
        ApiTestHarness::Options options;
        media.storage = storage == QLatin1String("database") ? MediaSettings::Storage::Database : MediaSettings::Storage::File;
        options.media = media;
        return api.start(dialect, whyNot, options);
    }
    bool cast(bool members = true)
    {
        admin = api.registerOrganization(QStringLiteral("admin@a.test"), QStringLiteral("Org A"));
        otherAdmin = api.registerOrganization(QStringLiteral("admin@b.test"), QStringLiteral("Org B"));
        if (!admin.valid() || !otherAdmin.valid())
            return false;
        if (!members)
            return true;
        manager = api.createMember(admin, QStringLiteral("manager"), QStringLiteral("manager@a.test"));
        agent = api.createMember(admin, QStringLiteral("agent"), QStringLiteral("agent@a.test"));
        viewer = api.createMember(admin, QStringLiteral("viewer"), QStringLiteral("viewer@a.test"));
        salesClient = api.createClient(admin, QStringLiteral("Sales"));
        if (!manager.valid() || !agent.valid() || !viewer.valid() || salesClient.isEmpty())
            return false;
        return api.assign(admin, agent.userId, salesClient) && api.assign(admin, viewer.userId, salesClient);
    }
    ApiResponse call(const Account &who, const QByteArray &method, const QString &path, const QJsonValue &body = kNoBody,
                     HeaderList extra = {}, quint16 port = 0)
    {
        HeaderList headers = ApiTestHarness::apiKey(who.apiKey);
        headers += extra;
        return api.request(method, path, body, headers, port);
    }
    ApiResponse raw(const Account &who, const QString &path, const QByteArray &body, const QByteArray &contentType)
    {
        HeaderList headers = ApiTestHarness::apiKey(who.apiKey);
        headers << qMakePair(QByteArrayLiteral("Content-Type"), contentType);
        return api.requestRaw("POST", path, body, headers);
    }
    ApiResponse upload(const Account &who, const QByteArray &bytes, const QJsonObject &extra = {})
    {
        QJsonObject body = extra;
        body.insert(QStringLiteral("file"), QString::fromLatin1(bytes.toBase64()));
        return call(who, "POST", QStringLiteral("/api/media/upload"), body);
    }
    QString uploaded(const Account &who, const QByteArray &bytes, const QJsonObject &extra = {})
    {
        const ApiResponse r = upload(who, bytes, extra);
        if (r.status != 201) {
            qWarning("upload: %s", r.describe().constData());
            return {};
        }
        return r.json.value(QStringLiteral("media")).toObject().value(QStringLiteral("id")).toString();
    }
    int count(const QString &table) { return api.rows(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table)).value(0).toInt(); }
    QString stagingDirectory() const { return QDir(api.mediaDirectory()).filePath(QStringLiteral(".staging")); }
    // A message of the Sales client carrying `mediaId`, in `status`.
    bool messageCarrying(const QString &mediaId, const QString &status, const QString &messageId)
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QString contact = QStringLiteral("contact_") + messageId.mid(4);
        return api.exec(QStringLiteral("INSERT INTO contacts (id, organization_id, phone_number, created_at, updated_at) "
                                       "VALUES (?, ?, ?, ?, ?)"),
                        {contact, admin.organizationId, QStringLiteral("+1415555") + messageId.right(4), now, now})
            && api.exec(QStringLiteral("INSERT INTO messages (id, organization_id, client_id, contact_id, direction, body, status, "
                                       "created_at, updated_at, type, media_id) VALUES (?, ?, ?, ?, 'outbound', '', ?, ?, ?, 'image', ?)"),
                        {messageId, admin.organizationId, salesClient, contact, status, now, now, mediaId});
    }
};

} // namespace

#define WADESK_STAGE(var, ...)                                                                                     \
    QFETCH(QString, dialect);                                                                                     \
    QFETCH(QString, storage);                                                                                     \
    Stage var;                                                                                                    \
    {                                                                                                             \
        QString whyNot;                                                                                           \
        if (!var.start(dialect, storage, &whyNot, ##__VA_ARGS__)) {                                               \
            if (dialect == QLatin1String("postgres") && !PgCluster::required() && !whyNot.startsWith(QLatin1String("server:"))) \
                QSKIP(qPrintable(whyNot));                                                                        \
            QFAIL(qPrintable(whyNot));                                                                            \
        }                                                                                                         \
    }

class TestMediaApi : public QObject {
    Q_OBJECT

    static void backends()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<QString>("storage");
        for (const char *dialect : {"sqlite", "postgres"})
            for (const char *storage : {"file", "database"})
                QTest::newRow(qPrintable(QStringLiteral("%1/%2").arg(QLatin1String(dialect), QLatin1String(storage))))
                    << QString::fromLatin1(dialect) << QString::fromLatin1(storage);
    }
    static void sqliteOnly()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<QString>("storage");
        QTest::newRow("sqlite/file") << QStringLiteral("sqlite") << QStringLiteral("file");
    }
    static void bothDialects()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<QString>("storage");
        QTest::newRow("sqlite/file") << QStringLiteral("sqlite") << QStringLiteral("file");
        QTest::newRow("postgres/database") << QStringLiteral("postgres") << QStringLiteral("database");
    }

private slots:
    void guideUploadAndDownload_data() { backends(); }
    void guideUploadAndDownload()
    {
        WADESK_STAGE(s);
        QVERIFY(s.cast(false));
        const QByteArray png = Samples::png(120, 80, 7);
        const ApiResponse up = s.upload(s.admin, png, {{QStringLiteral("org_id"), s.admin.organizationId}});
        QVERIFY2(up.status == 201, up.describe());
        QCOMPARE(up.json.value(QStringLiteral("message")).toString(), QStringLiteral("Media uploaded"));
        const QJsonObject media = up.json.value(QStringLiteral("media")).toObject();
        QCOMPARE(sortedKeys(media), (QStringList{"created_at", "filename", "id", "kind", "mimetype", "sha256", "size"}));
        const QString id = media.value(QStringLiteral("id")).toString();
        QVERIFY(id.startsWith(QLatin1String("media_")));
        QCOMPARE(media.value(QStringLiteral("mimetype")).toString(), QStringLiteral("image/png"));
        QCOMPARE(media.value(QStringLiteral("kind")).toString(), QStringLiteral("image"));
        QCOMPARE(media.value(QStringLiteral("size")).toInteger(), qint64(png.size()));
        QCOMPARE(media.value(QStringLiteral("sha256")).toString(), sha256(png));
        QVERIFY2(QRegularExpression(QStringLiteral("^image_[0-9a-z]{8}\\.png$")).match(media.value(QStringLiteral("filename")).toString()).hasMatch(),
                 qPrintable(media.value(QStringLiteral("filename")).toString()));
        QVERIFY(media.value(QStringLiteral("created_at")).toString().endsWith(QLatin1Char('Z')));

        // Where the bytes went.
        QCOMPARE(s.api.rows(QStringLiteral("SELECT storage, ref_count, size FROM media_blobs"), {}, 3),
                 QStringList{QStringLiteral("%1|1|%2").arg(storage, QString::number(png.size()))});
        const QString file = QDir(s.api.mediaDirectory()).filePath(s.admin.organizationId + QLatin1Char('/') + sha256(png).left(2)
                                                                     + QLatin1Char('/') + sha256(png));
        QCOMPARE(QFile::exists(file), storage == QLatin1String("file"));
        QCOMPARE(s.count(QStringLiteral("media_chunks")), storage == QLatin1String("database") ? 1 : 0);
        QCOMPARE(filesUnder(s.stagingDirectory()), QStringList());

        const ApiResponse down = s.call(s.admin, "GET", QStringLiteral("/api/media/%1/download").arg(id));
        QVERIFY2(down.status == 200, down.describe());
        QCOMPARE(down.body, png);
        QCOMPARE(down.header("content-type"), QByteArray("image/png"));
        QCOMPARE(down.header("content-length").toLongLong(), qint64(png.size()));
        QCOMPARE(down.header("etag"), QByteArray("\"") + sha256(png).toLatin1() + "\"");
        QCOMPARE(down.header("x-content-type-options"), QByteArray("nosniff"));
        QCOMPARE(down.header("accept-ranges"), QByteArray("bytes"));
        QVERIFY2(down.header("content-disposition").startsWith("attachment; filename=\"image_"), down.header("content-disposition"));

        const ApiResponse part = s.call(s.admin, "GET", QStringLiteral("/api/media/%1/download").arg(id), kNoBody,
                                        {{"Range", "bytes=10-29"}});
        QCOMPARE(part.status, 206);
        QCOMPARE(part.body, png.mid(10, 20));
        QCOMPARE(part.header("content-range"), QByteArray("bytes 10-29/") + QByteArray::number(png.size()));
        const ApiResponse tail = s.call(s.admin, "GET", QStringLiteral("/api/media/%1/download").arg(id), kNoBody, {{"Range", "bytes=-5"}});
        QCOMPARE(tail.status, 206);
        QCOMPARE(tail.body, png.right(5));
        const ApiResponse beyond = s.call(s.admin, "GET", QStringLiteral("/api/media/%1/download").arg(id), kNoBody,
                                          {{"Range", QByteArray("bytes=") + QByteArray::number(png.size()) + "-"}});
        QCOMPARE(beyond.status, 416);
        QCOMPARE(beyond.header("content-range"), QByteArray("bytes */") + QByteArray::number(png.size()));
        const ApiResponse cached = s.call(s.admin, "GET", QStringLiteral("/api/media/%1/download").arg(id), kNoBody,
                                          {{"If-None-Match", down.header("etag")}});
        QCOMPARE(cached.status, 304);
        QVERIFY(cached.body.isEmpty());

        const ApiResponse info = s.call(s.admin, "GET", QStringLiteral("/api/media/%1").arg(id));
        QCOMPARE(info.status, 200);
        QCOMPARE(info.json.value(QStringLiteral("media")).toObject(), media);
        const ApiResponse list = s.call(s.admin, "GET", QStringLiteral("/api/media"));
        QCOMPARE(list.status, 200);
        QCOMPARE(list.json.value(QStringLiteral("media")).toArray(), QJsonArray{media});
        QCOMPARE(list.json.value(QStringLiteral("total")).toInt(), 1);
    }

    void otherUploadForms_data() { bothDialects(); }
    void otherUploadForms()
    {
        WADESK_STAGE(s);
        QVERIFY(s.cast(false));
        // A data URL, as a browser's FileReader gives it.
        const QByteArray jpeg = Samples::jpeg(32, 32, 1);
        ApiResponse r = s.call(s.admin, "POST", QStringLiteral("/api/media/upload"),
                               QJsonObject{{QStringLiteral("file"), QStringLiteral("data:image/jpeg;base64,") + QString::fromLatin1(jpeg.toBase64())},
                                           {QStringLiteral("filename"), QStringLiteral("../../etc/Holiday \"2026\".jpg")}});
        QVERIFY2(r.status == 201, r.describe());
        QJsonObject media = r.json.value(QStringLiteral("media")).toObject();
        QCOMPARE(media.value(QStringLiteral("mimetype")).toString(), QStringLiteral("image/jpeg"));
        QCOMPARE(media.value(QStringLiteral("filename")).toString(), QStringLiteral("Holiday \"2026\".jpg"));
        const ApiResponse down = s.call(s.admin, "GET", QStringLiteral("/api/media/%1/download").arg(media.value(QStringLiteral("id")).toString()));
        QCOMPARE(down.body, jpeg);
        QVERIFY2(!down.header("content-disposition").contains("/") && down.header("content-disposition").count('"') == 2,
                 down.header("content-disposition"));

        // multipart/form-data, as curl -F file=@report.pdf sends it.
        const QByteArray pdf = Samples::pdf();
        const QByteArray boundary = "----wadesk-test-boundary";
        const QByteArray form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.pdf\"\r\n"
                                "Content-Type: application/pdf\r\n\r\n" + pdf + "\r\n--" + boundary + "--\r\n";
        r = s.raw(s.admin, QStringLiteral("/api/media/upload"), form, "multipart/form-data; boundary=" + boundary);
        QVERIFY2(r.status == 201, r.describe());
        media = r.json.value(QStringLiteral("media")).toObject();
        QCOMPARE(media.value(QStringLiteral("filename")).toString(), QStringLiteral("report.pdf"));
        QCOMPARE(media.value(QStringLiteral("mimetype")).toString(), QStringLiteral("application/pdf"));
        QCOMPARE(media.value(QStringLiteral("kind")).toString(), QStringLiteral("document"));
        // The part's declared type is checked like any other.
        const QByteArray lying = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n"
                                 "Content-Type: image/png\r\n\r\n" + pdf + "\r\n--" + boundary + "--\r\n";
        QVERIFY(s.raw(s.admin, QStringLiteral("/api/media/upload"), lying, "multipart/form-data; boundary=" + boundary)
                    .isError(415, QStringLiteral("media_type_mismatch")));

        // A raw body with its Content-Type and ?filename=.
        const QByteArray mp3 = Samples::mp3(8, true);
        r = s.raw(s.admin, QStringLiteral("/api/media/upload?filename=song.mp3"), mp3, "audio/mpeg");
        QVERIFY2(r.status == 201, r.describe());
        media = r.json.value(QStringLiteral("media")).toObject();
        QCOMPARE(media.value(QStringLiteral("filename")).toString(), QStringLiteral("song.mp3"));
        QCOMPARE(media.value(QStringLiteral("kind")).toString(), QStringLiteral("audio"));
        // A voice note: OGG/Opus with the hint.
        r = s.raw(s.admin, QStringLiteral("/api/media/upload?voice_note=true"), Samples::oggOpus(), "audio/ogg; codecs=opus");
        QVERIFY2(r.status == 201, r.describe());
        QCOMPARE(r.json.value(QStringLiteral("media")).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("voice"));
        QCOMPARE(s.count(QStringLiteral("media")), 4);
    }

    void refusalsStoreNothing_data() { bothDialects(); }
    void refusalsStoreNothing()
    {
        WADESK_STAGE(s);
        QVERIFY(s.cast(false));
        const QString path = QStringLiteral("/api/media/upload");
        auto json = [](const QString &file, const QString &filename = {}, const QString &mimetype = {}) {
            QJsonObject o{{QStringLiteral("file"), file}};
            if (!filename.isEmpty())
                o.insert(QStringLiteral("filename"), filename);
            if (!mimetype.isEmpty())
                o.insert(QStringLiteral("mimetype"), mimetype);
            return o;
        };
        auto b64 = [](const QByteArray &b) { return QString::fromLatin1(b.toBase64()); };
        struct Case {
            const char *name;
            QJsonObject body;
            int status;
            const char *code;
        };
        const QByteArray png = Samples::png(64, 64);
        const QList<Case> cases = {
            {"exe renamed .jpg", json(b64(Samples::exe()), QStringLiteral("cat.jpg"), QStringLiteral("image/jpeg")), 415, "media_type_not_allowed"},
            {"html declared image/png", json(b64(Samples::html()), QStringLiteral("x.png"), QStringLiteral("image/png")), 415, "media_type_not_allowed"},
            {"svg", json(b64(Samples::svg()), QStringLiteral("logo.svg")), 415, "media_type_not_allowed"},
            {"truncated png", json(b64(png.left(png.size() - 20))), 400, "invalid_media"},
            {"truncated jpeg", json(b64(Samples::jpeg(64, 64).chopped(2))), 400, "invalid_media"},
            {"bad base64", json(QStringLiteral("iVBORw0K*GgoAAAANSUhEUg==")), 400, "invalid_base64"},
            {"empty file", json(QString()), 400, "validation_failed"},
            {"whitespace only", json(QStringLiteral("  ")), 400, "empty_media"},
            {"data url contradicting the content", json(QStringLiteral("data:image/jpeg;base64,") + b64(png)), 415, "media_type_mismatch"},
            {"data url contradicting mimetype", json(QStringLiteral("data:image/png;base64,") + b64(png), {}, QStringLiteral("image/jpeg")),
             415, "media_type_mismatch"},
            {"data url not base64", json(QStringLiteral("data:text/plain,hello")), 400, "invalid_data_url"},
            {"png declared pdf", json(b64(png), QStringLiteral("x.pdf"), QStringLiteral("application/pdf")), 415, "media_type_mismatch"},
        };
        for (const Case &c : cases) {
            const ApiResponse r = s.call(s.admin, "POST", path, c.body);
            QVERIFY2(r.isError(c.status, QLatin1String(c.code)), qPrintable(QLatin1String(c.name) + QStringLiteral(": ") + QString::fromUtf8(r.describe())));
        }
        QVERIFY(s.call(s.admin, "POST", path, QJsonObject{{QStringLiteral("file"), 42}}).isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.raw(s.admin, path, "{\"file\": \"abc", "application/json").isError(400, QStringLiteral("invalid_json")));
        QVERIFY(s.raw(s.admin, path, Samples::exe(), "image/jpeg").isError(415, QStringLiteral("media_type_not_allowed")));
        QVERIFY(s.raw(s.admin, path, QByteArray(), "image/png").status == 400);
        QCOMPARE(s.count(QStringLiteral("media")), 0);
        QCOMPARE(s.count(QStringLiteral("media_blobs")), 0);
        QCOMPARE(s.count(QStringLiteral("media_chunks")), 0);
        QCOMPARE(filesUnder(s.api.mediaDirectory()), QStringList());
    }

    void sameBytesAreStoredOnce_data() { backends(); }
    void sameBytesAreStoredOnce()
    {
        WADESK_STAGE(s);
        QVERIFY(s.cast(false));
        const QByteArray pdf = Samples::pdf();
        const QString first = s.uploaded(s.admin, pdf, {{QStringLiteral("filename"), QStringLiteral("a.pdf")}});
        const QString second = s.uploaded(s.admin, pdf, {{QStringLiteral("filename"), QStringLiteral("b.pdf")}});
        QVERIFY(!first.isEmpty() && !second.isEmpty() && first != second);
        QCOMPARE(s.api.rows(QStringLiteral("SELECT ref_count FROM media_blobs")), QStringList{QStringLiteral("2")});
        ApiResponse usage = s.call(s.admin, "GET", QStringLiteral("/api/analytics/storage"));
        QCOMPARE(usage.json.value(QStringLiteral("used")).toInteger(), qint64(pdf.size()));
        // The other organization's copy is its own (the quota is per organization).
        QVERIFY(!s.uploaded(s.otherAdmin, pdf).isEmpty());
        QCOMPARE(s.count(QStringLiteral("media_blobs")), 2);

        if (s.api.dialect() == QLatin1String("postgres") && storage == QLatin1String("database")) {
            // Another instance on the same PostgreSQL, with no media directory at all, serves it.
            const quint16 otherPort = s.api.startSecondInstance(0);
            QVERIFY(otherPort != 0);
            const ApiResponse there = s.call(s.admin, "GET", QStringLiteral("/api/media/%1/download").arg(first), kNoBody, {}, otherPort);
            QCOMPARE(there.status, 200);
            QCOMPARE(there.body, pdf);
        }

        QCOMPARE(s.call(s.admin, "DELETE", QStringLiteral("/api/media/%1").arg(first)).status, 200);
        QCOMPARE(s.call(s.admin, "GET", QStringLiteral("/api/media/%1").arg(first)).status, 404);
        const ApiResponse kept = s.call(s.admin, "GET", QStringLiteral("/api/media/%1/download").arg(second));
        QCOMPARE(kept.status, 200);
        QCOMPARE(kept.body, pdf);
        QCOMPARE(s.api.rows(QStringLiteral("SELECT ref_count FROM media_blobs WHERE organization_id = ?"), {s.admin.organizationId}),
                 QStringList{QStringLiteral("1")});

        QCOMPARE(s.call(s.admin, "DELETE", QStringLiteral("/api/media/%1").arg(second)).status, 200);
        QCOMPARE(s.api.rows(QStringLiteral("SELECT COUNT(*) FROM media_blobs WHERE organization_id = ?"), {s.admin.organizationId}),
                 QStringList{QStringLiteral("0")});
        QCOMPARE(s.api.rows(QStringLiteral("SELECT COUNT(*) FROM media_chunks WHERE organization_id = ?"), {s.admin.organizationId}),
                 QStringList{QStringLiteral("0")});
        QVERIFY(!QDir(QDir(s.api.mediaDirectory()).filePath(s.admin.organizationId)).exists()
                || filesUnder(QDir(s.api.mediaDirectory()).filePath(s.admin.organizationId)).isEmpty());
        usage = s.call(s.admin, "GET", QStringLiteral("/api/analytics/storage"));
        QCOMPARE(usage.json.value(QStringLiteral("used")).toInteger(), qint64(0));
        QCOMPARE(s.call(s.admin, "DELETE", QStringLiteral("/api/media/%1").arg(second)).status, 404);
    }

    void quotaRefusesAndStoresNothing_data() { backends(); }
    void quotaRefusesAndStoresNothing()
    {
        WADESK_STAGE(s);
        QVERIFY(s.cast());
        ApiResponse usage = s.call(s.admin, "GET", QStringLiteral("/api/analytics/storage"));
        QCOMPARE(usage.status, 200);
        QCOMPARE(sortedKeys(usage.json), (QStringList{"limit", "message", "percentUsed", "used"}));
        QCOMPARE(usage.json.value(QStringLiteral("limit")).toInteger(), 5LL * 1024 * 1024 * 1024);
        QCOMPARE(usage.json.value(QStringLiteral("message")).toString(), QStringLiteral("Storage is at 0.0% capacity"));

        const QByteArray a = Samples::pngOfSize(20000, 1);
        const QByteArray b = Samples::pngOfSize(20000, 2);
        QVERIFY(s.call(s.manager, "PUT", QStringLiteral("/api/analytics/storage"), QJsonObject{{QStringLiteral("limit"), 1000}})
                    .isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.admin, "PUT", QStringLiteral("/api/analytics/storage"), QJsonObject{{QStringLiteral("limit"), -1}})
                    .isError(400, QStringLiteral("validation_failed")));
        const qint64 limit = a.size() + b.size() / 2;
        usage = s.call(s.admin, "PUT", QStringLiteral("/api/analytics/storage"), QJsonObject{{QStringLiteral("limit"), double(limit)}});
        QVERIFY2(usage.status == 200, usage.describe());
        QCOMPARE(usage.json.value(QStringLiteral("limit")).toInteger(), limit);

        QVERIFY(!s.uploaded(s.admin, a).isEmpty());
        const QStringList filesBefore = filesUnder(s.api.mediaDirectory());
        const ApiResponse refused = s.upload(s.agent, b);
        QVERIFY2(refused.isError(413, QStringLiteral("storage_quota_exceeded")), refused.describe());
        QCOMPARE(s.count(QStringLiteral("media")), 1);
        QCOMPARE(s.count(QStringLiteral("media_blobs")), 1);
        QCOMPARE(filesUnder(s.api.mediaDirectory()), filesBefore);
        // The same bytes again cost nothing and are accepted.
        QVERIFY(!s.uploaded(s.agent, a).isEmpty());

        usage = s.call(s.viewer, "GET", QStringLiteral("/api/analytics/storage"));
        QCOMPARE(usage.status, 200);
        const double percent = std::round(a.size() * 1000.0 / limit) / 10.0;
        QCOMPARE(usage.json.value(QStringLiteral("used")).toInteger(), qint64(a.size()));
        QCOMPARE(usage.json.value(QStringLiteral("percentUsed")).toDouble(), percent);
        QCOMPARE(usage.json.value(QStringLiteral("message")).toString(),
                 QStringLiteral("Storage is at %1% capacity").arg(QString::number(percent, 'f', 1)));
        // The other organization keeps the default.
        QCOMPARE(s.call(s.otherAdmin, "GET", QStringLiteral("/api/analytics/storage")).json.value(QStringLiteral("limit")).toInteger(),
                 5LL * 1024 * 1024 * 1024);
        QVERIFY(s.call(s.agent, "GET", QStringLiteral("/api/analytics/storage")).isError(403, QStringLiteral("forbidden")));
    }

    void tenantsAndRoles_data() { bothDialects(); }
    void tenantsAndRoles()
    {
        WADESK_STAGE(s);
        QVERIFY(s.cast());
        const QString adminMedia = s.uploaded(s.admin, Samples::png(8, 8, 1));
        QVERIFY(!adminMedia.isEmpty());
        // Another organization: 404 on every route, nothing in its list.
        for (const QString &path : {QStringLiteral("/api/media/%1"), QStringLiteral("/api/media/%1/download")})
            QVERIFY(s.call(s.otherAdmin, "GET", path.arg(adminMedia)).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, "DELETE", QStringLiteral("/api/media/%1").arg(adminMedia)).isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.call(s.otherAdmin, "GET", QStringLiteral("/api/media")).json.value(QStringLiteral("total")).toInt(), 0);
        QVERIFY(s.call(s.otherAdmin, "POST", QStringLiteral("/api/media/upload"),
                       QJsonObject{{QStringLiteral("org_id"), s.admin.organizationId},
                                   {QStringLiteral("file"), QString::fromLatin1(Samples::png().toBase64())}})
                    .isError(403, QStringLiteral("org_mismatch")));
        for (const QString &bad : {QStringLiteral("media_x"), QStringLiteral("media_01arz3ndektsv4rrffq69g5fav"), QStringLiteral("nope")})
            QCOMPARE(s.call(s.admin, "GET", QStringLiteral("/api/media/") + bad).status, 404);

        // Viewers read only, and only what their clients' messages carry.
        QVERIFY(s.upload(s.viewer, Samples::png()).isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.viewer, "GET", QStringLiteral("/api/media/%1").arg(adminMedia)).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.messageCarrying(adminMedia, QStringLiteral("sent"), QStringLiteral("msg_viewer0001")));
        QCOMPARE(s.call(s.viewer, "GET", QStringLiteral("/api/media/%1").arg(adminMedia)).status, 200);
        QCOMPARE(s.call(s.viewer, "GET", QStringLiteral("/api/media/%1/download").arg(adminMedia)).body, Samples::png(8, 8, 1));
        QCOMPARE(s.call(s.viewer, "GET", QStringLiteral("/api/media")).json.value(QStringLiteral("total")).toInt(), 1);
        QVERIFY(s.call(s.viewer, "DELETE", QStringLiteral("/api/media/%1").arg(adminMedia)).isError(403, QStringLiteral("forbidden")));

        // Agents upload, see their own and their clients' media, remove only their own.
        const QString agentMedia = s.uploaded(s.agent, Samples::pdf());
        QVERIFY(!agentMedia.isEmpty());
        QCOMPARE(s.call(s.agent, "GET", QStringLiteral("/api/media")).json.value(QStringLiteral("total")).toInt(), 2);
        QCOMPARE(s.call(s.viewer, "GET", QStringLiteral("/api/media")).json.value(QStringLiteral("total")).toInt(), 1);
        QVERIFY(s.call(s.agent, "DELETE", QStringLiteral("/api/media/%1").arg(adminMedia)).isError(403, QStringLiteral("forbidden")));
        // Managers see everything of the organization.
        QCOMPARE(s.call(s.manager, "GET", QStringLiteral("/api/media")).json.value(QStringLiteral("total")).toInt(), 2);
        QCOMPARE(s.call(s.manager, "GET", QStringLiteral("/api/media?kind=document")).json.value(QStringLiteral("total")).toInt(), 1);
        QVERIFY(s.call(s.manager, "GET", QStringLiteral("/api/media?kind=exe")).isError(400, QStringLiteral("validation_failed")));
        const ApiResponse page = s.call(s.manager, "GET", QStringLiteral("/api/media?limit=1"));
        QCOMPARE(page.json.value(QStringLiteral("media")).toArray().size(), 1);
        QCOMPARE(page.json.value(QStringLiteral("media")).toArray().at(0).toObject().value(QStringLiteral("id")).toString(), agentMedia);
        const ApiResponse older = s.call(s.manager, "GET", QStringLiteral("/api/media?before=%1").arg(agentMedia));
        QCOMPARE(older.json.value(QStringLiteral("media")).toArray().at(0).toObject().value(QStringLiteral("id")).toString(), adminMedia);
        QCOMPARE(s.call(s.agent, "DELETE", QStringLiteral("/api/media/%1").arg(agentMedia)).status, 200);
        // Uploads and removals are audited.
        QCOMPARE(s.api.rows(QStringLiteral("SELECT action FROM audit_logs WHERE resource = 'media' ORDER BY seq")),
                 (QStringList{QStringLiteral("upload_media"), QStringLiteral("upload_media"), QStringLiteral("delete_media")}));
    }

    void deleteWaitsForQueuedSends_data() { bothDialects(); }
    void deleteWaitsForQueuedSends()
    {
        WADESK_STAGE(s);
        QVERIFY(s.cast());
        const QString id = s.uploaded(s.admin, Samples::jpeg());
        QVERIFY(s.messageCarrying(id, QStringLiteral("queued"), QStringLiteral("msg_queued0001")));
        QVERIFY(s.call(s.admin, "DELETE", QStringLiteral("/api/media/%1").arg(id)).isError(409, QStringLiteral("media_in_use")));
        QVERIFY(s.api.exec(QStringLiteral("UPDATE messages SET status = 'sending' WHERE id = 'msg_queued0001'")));
        QVERIFY(s.call(s.admin, "DELETE", QStringLiteral("/api/media/%1").arg(id)).isError(409, QStringLiteral("media_in_use")));
        QCOMPARE(s.call(s.admin, "GET", QStringLiteral("/api/media/%1/download").arg(id)).status, 200);
        QVERIFY(s.api.exec(QStringLiteral("UPDATE messages SET status = 'sent' WHERE id = 'msg_queued0001'")));
        QCOMPARE(s.call(s.admin, "DELETE", QStringLiteral("/api/media/%1").arg(id)).status, 200);
    }

    void sizeLimits_data() { sqliteOnly(); }
    void sizeLimits()
    {
        MediaSettings small;
        small.maxBytes = 64 * 1024;
        WADESK_STAGE(s, small);
        QVERIFY(s.cast(false));
        // Past the route's body limit (64 KiB and its base64 and form room): 413 from the server
        // before the body is read, not from the decoding.
        const ApiResponse big = s.raw(s.admin, QStringLiteral("/api/media/upload"), QByteArray(400 * 1024, 'a'), "text/plain");
        QCOMPARE(big.status, 413);
        QVERIFY2(big.code() != QLatin1String("media_too_large"), big.describe());
        // Within the body limit, but more than maxBytes once decoded (base64 JSON and raw).
        const ApiResponse decoded = s.upload(s.admin, QByteArray(70 * 1024, 'a'));
        QVERIFY2(decoded.isError(413, QStringLiteral("media_too_large")), decoded.describe());
        QVERIFY(s.raw(s.admin, QStringLiteral("/api/media/upload"), QByteArray(100 * 1024, 'a'), "text/plain")
                    .isError(413, QStringLiteral("media_too_large")));
        // Other routes keep their own limit (http/maxBodyBytes, 16 MiB), above this one.
        QVERIFY(s.call(s.admin, "POST", QStringLiteral("/api/clients"),
                       QJsonObject{{QStringLiteral("name"), QString(300 * 1024, QLatin1Char('n'))}}).status != 413);
        // At the limit it is fine (text).
        QVERIFY(!s.uploaded(s.admin, QByteArray(64 * 1024, 'a')).isEmpty());
        QCOMPARE(filesUnder(s.stagingDirectory()), QStringList());
    }

    void retentionKeepsWhatQueuedSendsNeed_data() { bothDialects(); }
    void retentionKeepsWhatQueuedSendsNeed()
    {
        WADESK_STAGE(s);
        QVERIFY(s.cast());
        const QString old = s.uploaded(s.admin, Samples::png(8, 8, 2));
        const QString needed = s.uploaded(s.admin, Samples::png(8, 8, 3));
        QVERIFY(!old.isEmpty() && !needed.isEmpty());
        QVERIFY(s.messageCarrying(needed, QStringLiteral("queued"), QStringLiteral("msg_retain0001")));

        RetentionSettings settings;
        settings.media.directory = s.api.mediaDirectory();
        ManualClock clock(QDateTime::currentMSecsSinceEpoch() + 3 * 86400 * 1000LL);
        {
            settings.media.retentionDays = 0; // keep forever: nothing goes
            const RetentionReport report = RetentionPruner(s.api.database(), settings, clock).run();
            QCOMPARE(report.media, qint64(0));
        }
        settings.media.retentionDays = 2;
        const RetentionReport report = RetentionPruner(s.api.database(), settings, clock).run();
        QVERIFY2(!report.failed, qPrintable(report.summary()));
        QCOMPARE(report.media, qint64(1));
        QCOMPARE(s.call(s.admin, "GET", QStringLiteral("/api/media/%1").arg(old)).status, 404);
        QCOMPARE(s.call(s.admin, "GET", QStringLiteral("/api/media/%1/download").arg(needed)).status, 200);
        QCOMPARE(s.count(QStringLiteral("media_blobs")), 1);
    }

    void startupSweepRemovesLeftovers_data() { sqliteOnly(); }
    void startupSweepRemovesLeftovers()
    {
        WADESK_STAGE(s);
        QVERIFY(s.cast(false));
        const QByteArray png = Samples::png(8, 8, 4);
        QVERIFY(!s.uploaded(s.admin, png).isEmpty());
        const QDir media(s.api.mediaDirectory());
        QVERIFY(media.mkpath(QStringLiteral(".staging")));
        QFile staged(media.filePath(QStringLiteral(".staging/upload-part_leftover")));
        QVERIFY(staged.open(QIODevice::WriteOnly));
        staged.write("half of something");
        staged.close();
        const QString orphanSha = QString(64, QLatin1Char('e'));
        QVERIFY(media.mkpath(s.admin.organizationId + QStringLiteral("/ee")));
        QFile orphan(media.filePath(s.admin.organizationId + QStringLiteral("/ee/") + orphanSha));
        QVERIFY(orphan.open(QIODevice::WriteOnly));
        orphan.write("no row names me");
        orphan.close();

        QCOMPARE(MediaService::sweepOrphans(s.api.database(), s.api.mediaDirectory()), 2);
        QCOMPARE(filesUnder(s.api.mediaDirectory()),
                 QStringList{s.admin.organizationId + QLatin1Char('/') + sha256(png).left(2) + QLatin1Char('/') + sha256(png)});
    }
};

QTEST_GUILESS_MAIN(TestMediaApi)
#include "tst_media_api.moc"

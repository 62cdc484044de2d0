// What the media store accepts, decided from the bytes (core/media/MediaTypes), and how uploads
// are decoded into the staging file (core/media/MediaStaging) and found in a JSON body
// (core/common/JsonMembers). Real samples made here (tests/support/MediaSamples): PNG and JPEG
// by Qt's encoders, the rest built after their specifications.
//
// Proves: every allowed type is recognised with its mimetype and kind whatever it is called;
// executables, scripts, HTML, SVG, GIF, QuickTime, HEIF, plain ZIPs, MSI-like compound files,
// OGG/Vorbis and binary noise are refused (415 media_type_not_allowed) even when named and
// declared as an image; a declared type naming something else is refused (415
// media_type_mismatch) while aliases and octet-stream pass; empty (400 empty_media) and truncated
// files of each structured type (400 invalid_media); text vs CSV by the hints only; voice and
// sticker hints; base64 with JSON escapes, line breaks, URL-safe alphabet and without padding
// decodes to the same bytes and SHA-256, bad base64 is 400, the size limit is 413.

#include "tests/support/MediaSamples.h"
#include "core/common/JsonMembers.h"
#include "core/media/MediaStaging.h"
#include "core/media/MediaTypes.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace wadesk;
namespace Samples = wadesk::test::MediaSamples;

namespace {

Result<DetectedMedia> detect(const QByteArray &bytes, const QString &filename = {}, const QString &declared = {},
                             bool voice = false, bool sticker = false)
{
    QByteArray copy = bytes;
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    MediaHints hints;
    hints.filename = filename;
    hints.declaredMimetype = declared;
    hints.voiceNote = voice;
    hints.sticker = sticker;
    return detectMediaType(buffer, hints);
}

QString outcome(const Result<DetectedMedia> &r)
{
    if (r)
        return r.value().mimetype + QLatin1Char('|') + r.value().kind;
    return QString::number(r.error().httpStatus) + QLatin1Char(' ') + r.error().code;
}

} // namespace

class TestMediaTypes : public QObject {
    Q_OBJECT

private slots:
    void allowedTypes_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("filename");
        QTest::addColumn<QString>("expected");
        QTest::newRow("png") << Samples::png() << "x.bin" << "image/png|image";
        QTest::newRow("jpeg") << Samples::jpeg() << "" << "image/jpeg|image";
        QTest::newRow("webp") << Samples::webp() << "" << "image/webp|image";
        QTest::newRow("mp4") << Samples::mp4("isom") << "clip.mov" << "video/mp4|video";
        QTest::newRow("mp4 mp42") << Samples::mp4("mp42") << "" << "video/mp4|video";
        QTest::newRow("3gp") << Samples::mp4("3gp4") << "" << "video/3gpp|video";
        QTest::newRow("m4a") << Samples::mp4("M4A ") << "" << "audio/mp4|audio";
        QTest::newRow("aac") << Samples::adtsAac() << "" << "audio/aac|audio";
        QTest::newRow("mp3") << Samples::mp3() << "" << "audio/mpeg|audio";
        QTest::newRow("mp3 id3") << Samples::mp3(5, true) << "" << "audio/mpeg|audio";
        QTest::newRow("amr") << Samples::amr() << "" << "audio/amr|audio";
        QTest::newRow("ogg opus") << Samples::oggOpus() << "" << "audio/ogg|audio";
        QTest::newRow("pdf") << Samples::pdf() << "report.exe" << "application/pdf|document";
        QTest::newRow("docx") << Samples::docx() << ""
                              << "application/vnd.openxmlformats-officedocument.wordprocessingml.document|document";
        QTest::newRow("xlsx") << Samples::xlsx() << "" << "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet|document";
        QTest::newRow("pptx") << Samples::pptx() << ""
                              << "application/vnd.openxmlformats-officedocument.presentationml.presentation|document";
        QTest::newRow("odt") << Samples::odt() << "" << "application/vnd.oasis.opendocument.text|document";
        QTest::newRow("doc") << Samples::compoundFile(QStringLiteral("WordDocument")) << "" << "application/msword|document";
        QTest::newRow("xls") << Samples::compoundFile(QStringLiteral("Workbook")) << "" << "application/vnd.ms-excel|document";
        QTest::newRow("ppt") << Samples::compoundFile(QStringLiteral("PowerPoint Document")) << ""
                             << "application/vnd.ms-powerpoint|document";
        QTest::newRow("text") << QByteArray("Hello, world.\nZweite Zeile: grüße\n") << "notes" << "text/plain|document";
        QTest::newRow("csv by name") << QByteArray("a,b\n1,2\n") << "table.CSV" << "text/csv|document";
        QTest::newRow("text named csv is csv, csv named txt is text") << QByteArray("a,b\n1,2\n") << "table.txt"
                                                                       << "text/plain|document";
    }
    void allowedTypes()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, filename);
        QFETCH(QString, expected);
        QVERIFY(!bytes.isEmpty());
        QCOMPARE(outcome(detect(bytes, filename)), expected);
    }

    void refusedTypes_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("filename");
        QTest::addColumn<QString>("declared");
        QTest::addColumn<QString>("expected");
        const QString notAllowed = QStringLiteral("415 media_type_not_allowed");
        QTest::newRow("exe named jpg") << Samples::exe() << "photo.jpg" << "image/jpeg" << notAllowed;
        QTest::newRow("elf") << Samples::elf() << "a.png" << "" << notAllowed;
        QTest::newRow("mach-o") << (QByteArray::fromHex("cffaedfe") + QByteArray(100, '\0')) << "" << "" << notAllowed;
        QTest::newRow("shell script") << QByteArray("#!/bin/sh\nrm -rf /\n") << "x.txt" << "text/plain" << notAllowed;
        QTest::newRow("html declared png") << Samples::html() << "x.png" << "image/png" << notAllowed;
        QTest::newRow("html as text") << Samples::html() << "x.txt" << "text/plain" << notAllowed;
        QTest::newRow("svg") << Samples::svg() << "x.svg" << "image/svg+xml" << notAllowed;
        QTest::newRow("svg with xml prolog") << (QByteArray("<?xml version=\"1.0\"?>\n") + Samples::svg()) << "x.jpg" << "" << notAllowed;
        QTest::newRow("gif") << Samples::gif() << "" << "" << notAllowed;
        QTest::newRow("quicktime") << Samples::mp4("qt  ") << "" << "" << notAllowed;
        QTest::newRow("heic") << Samples::mp4("heic") << "" << "" << notAllowed;
        QTest::newRow("plain zip") << Samples::zip({"a.txt", "b.exe"}) << "x.docx" << "" << notAllowed;
        QTest::newRow("jar/apk-like zip") << Samples::zip({"META-INF/MANIFEST.MF", "classes.dex"}) << "" << "" << notAllowed;
        QTest::newRow("compound file without Office stream (msi)") << Samples::compoundFile(QString()) << "x.doc" << "" << notAllowed;
        QTest::newRow("ogg vorbis") << Samples::oggVorbis() << "" << "" << notAllowed;
        QTest::newRow("binary noise") << QByteArray::fromHex("0001020304050607fffefdfc00000000aabbccdd") << "" << "" << notAllowed;
        QTest::newRow("invalid utf-8") << QByteArray("caf\xe9 au lait\n") << "x.txt" << "" << notAllowed;
        QTest::newRow("utf-8 cut in a sequence") << QByteArray("gr\xc3\xbc\xc3") << "" << "" << notAllowed;
        QTest::newRow("utf-16 text") << QByteArray("\xff\xfeH\0i\0\n\0", 8) << "x.txt" << "" << notAllowed;
        QTest::newRow("text with NUL") << QByteArray("abc\0def", 7) << "" << "" << notAllowed;

        const QString mismatch = QStringLiteral("415 media_type_mismatch");
        QTest::newRow("png declared jpeg") << Samples::png() << "" << "image/jpeg" << mismatch;
        QTest::newRow("pdf declared png") << Samples::pdf() << "" << "image/png" << mismatch;
        QTest::newRow("jpeg declared text/html") << Samples::jpeg() << "" << "text/html" << mismatch;
        QTest::newRow("text declared pdf") << QByteArray("hello\n") << "" << "application/pdf" << mismatch;

        const QString invalid = QStringLiteral("400 invalid_media");
        const QByteArray png = Samples::png(64, 64);
        const QByteArray jpeg = Samples::jpeg(64, 64);
        QTest::newRow("png without IEND") << png.left(png.size() - 12) << "" << "" << invalid;
        QTest::newRow("png cut in IDAT") << png.left(png.size() / 2) << "" << "" << invalid;
        QTest::newRow("jpeg without EOI") << jpeg.left(jpeg.size() - 2) << "" << "" << invalid;
        QTest::newRow("jpeg half") << jpeg.left(jpeg.size() / 2) << "" << "" << invalid;
        QTest::newRow("mp4 cut in mdat") << Samples::mp4("isom", 5000).left(3000) << "" << "" << invalid;
        QTest::newRow("mp4 without moov") << Samples::mp4("isom").left(24) + QByteArray::fromHex("0000000c6d6461740000000a") << "" << "" << invalid;
        QTest::newRow("docx without central directory") << Samples::docx().left(Samples::docx().size() - 30) << "" << "" << invalid;
        QTest::newRow("pdf without %%EOF") << Samples::pdf().left(Samples::pdf().size() - 7) << "" << "" << invalid;
        QTest::newRow("ogg cut in a page") << Samples::oggOpus().left(Samples::oggOpus().size() - 10) << "" << "" << invalid;
        QTest::newRow("aac cut in a frame") << Samples::adtsAac(3).left(300) << "" << "" << invalid;
        QTest::newRow("mp3 id3 only") << Samples::mp3(1, true).left(20) << "" << "" << invalid;
        QTest::newRow("webp riff longer than file") << Samples::webp().left(Samples::webp().size() - 4) << "" << "" << invalid;
        QTest::newRow("empty") << QByteArray() << "x.png" << "image/png" << QStringLiteral("400 empty_media");
    }
    void refusedTypes()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, filename);
        QFETCH(QString, declared);
        QFETCH(QString, expected);
        QCOMPARE(outcome(detect(bytes, filename, declared)), expected);
    }

    void declaredTypesThatAgree()
    {
        QCOMPARE(outcome(detect(Samples::jpeg(), {}, QStringLiteral("image/jpg"))), QStringLiteral("image/jpeg|image"));
        QCOMPARE(outcome(detect(Samples::jpeg(), {}, QStringLiteral("IMAGE/JPEG; charset=x"))), QStringLiteral("image/jpeg|image"));
        QCOMPARE(outcome(detect(Samples::png(), {}, QStringLiteral("application/octet-stream"))), QStringLiteral("image/png|image"));
        QCOMPARE(outcome(detect(Samples::mp3(), {}, QStringLiteral("audio/mp3"))), QStringLiteral("audio/mpeg|audio"));
        QCOMPARE(outcome(detect(Samples::docx(), {}, QStringLiteral("application/zip"))).section(QLatin1Char('|'), 1),
                 QStringLiteral("document"));
        // Among text types the hints choose: a declared CSV type makes it CSV.
        QCOMPARE(outcome(detect("a;b\n", {}, QStringLiteral("text/csv"))), QStringLiteral("text/csv|document"));
        QCOMPARE(outcome(detect("a;b\n", QStringLiteral("x.csv"), QStringLiteral("text/plain"))), QStringLiteral("text/csv|document"));
    }

    void hintsChooseVoiceAndSticker()
    {
        QCOMPARE(outcome(detect(Samples::oggOpus(), {}, {}, true)), QStringLiteral("audio/ogg|voice"));
        QCOMPARE(outcome(detect(Samples::webp(), {}, {}, false, true)), QStringLiteral("image/webp|sticker"));
        // A hint never changes what the bytes are.
        QCOMPARE(outcome(detect(Samples::mp3(), {}, {}, true)), QStringLiteral("audio/mpeg|audio"));
        QCOMPARE(outcome(detect(Samples::png(), {}, {}, false, true)), QStringLiteral("image/png|image"));
    }

    void base64StagesTheSameBytes_data()
    {
        QTest::addColumn<QByteArray>("encoded");
        const QByteArray bytes = Samples::png(40, 40, 3);
        const QByteArray plain = bytes.toBase64();
        QByteArray lines;
        for (int i = 0; i < plain.size(); i += 76)
            lines += plain.mid(i, 76) + "\\r\\n"; // MIME line breaks as a JSON string carries them
        QTest::newRow("plain") << plain;
        QTest::newRow("json-escaped slashes") << QByteArray(plain).replace("/", "\\/");
        QTest::newRow("mime lines") << lines;
        QTest::newRow("raw newlines and spaces") << QByteArray(plain).replace("A", "A\n ");
        QTest::newRow("url-safe, no padding") << bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        QTest::newRow("unicode escapes") << QByteArray(plain).replace("+", "\\u002B");
    }
    void base64StagesTheSameBytes()
    {
        QFETCH(QByteArray, encoded);
        const QByteArray bytes = Samples::png(40, 40, 3);
        QTemporaryDir dir;
        Result<std::unique_ptr<StagedFile>> staged = StagedFile::write(dir.path(), encoded, MediaEncoding::Base64, 1 << 20);
        QVERIFY2(staged, staged ? "" : qPrintable(staged.error().message));
        QCOMPARE(staged.value()->size(), qint64(bytes.size()));
        QCOMPARE(staged.value()->sha256(), QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
        QCOMPARE(staged.value()->file().readAll(), bytes);
        const QString path = staged.value()->path();
        QVERIFY(QFile::exists(path));
        staged.value().reset();
        QVERIFY2(!QFile::exists(path), "a staged file that was not moved into place is removed");
    }

    void badBase64IsRefused_data()
    {
        QTest::addColumn<QByteArray>("encoded");
        QTest::addColumn<QString>("code");
        QTest::newRow("outside the alphabet") << QByteArray("iVBOR*w0KGgo=") << "invalid_base64";
        QTest::newRow("data after padding") << QByteArray("iVBO=w0K") << "invalid_base64";
        QTest::newRow("one char too many") << QByteArray("iVBORw0KG") << "invalid_base64";
        QTest::newRow("wrong padding") << QByteArray("iVBORw0K=") << "invalid_base64";
        QTest::newRow("bad escape") << QByteArray("iVBO\\x41") << "invalid_base64";
        QTest::newRow("only whitespace") << QByteArray(" \n ") << "empty_media";
    }
    void badBase64IsRefused()
    {
        QFETCH(QByteArray, encoded);
        QFETCH(QString, code);
        QTemporaryDir dir;
        Result<std::unique_ptr<StagedFile>> staged = StagedFile::write(dir.path(), encoded, MediaEncoding::Base64, 1 << 20);
        QVERIFY(!staged);
        QCOMPARE(staged.error().httpStatus, 400);
        QCOMPARE(staged.error().code, code);
        QVERIFY2(QDir(dir.path()).isEmpty(), "nothing is left in the staging directory");
    }

    void sizeLimitCountsDecodedBytes()
    {
        QTemporaryDir dir;
        const QByteArray bytes(3000, 'x');
        Result<std::unique_ptr<StagedFile>> over = StagedFile::write(dir.path(), bytes.toBase64(), MediaEncoding::Base64, 2999);
        QVERIFY(!over);
        QCOMPARE(over.error().httpStatus, 413);
        QCOMPARE(over.error().code, QStringLiteral("media_too_large"));
        QVERIFY(QDir(dir.path()).isEmpty());
        Result<std::unique_ptr<StagedFile>> at = StagedFile::write(dir.path(), bytes.toBase64(), MediaEncoding::Base64, 3000);
        QVERIFY(at);
        QCOMPARE(at.value()->size(), qint64(3000));
    }

    void jsonMembersAreViewsIntoTheBody()
    {
        // (Not a raw string literal: moc's parser stops at one with quotes and braces inside.)
        const QByteArray body = " {\"org_id\": \"org_1\", \"file\": \"aGVs\\/bG8=\", \"n\": -1.5e3, "
                                "\"o\": {\"a\": [\"}\", \"\\\"\"]}, \"t\": true,\n"
                                "  \"filename\": \"r\\u00e9sum\\u00e9.pdf\"} ";
        const std::optional<QList<JsonMember>> members = topLevelJsonMembers(body);
        QVERIFY(members);
        QCOMPARE(members->size(), 6);
        QCOMPARE(members->at(1).key, QStringLiteral("file"));
        QVERIFY(members->at(1).type == JsonMember::Type::String);
        QCOMPARE(members->at(1).raw.toByteArray(), QByteArray("aGVs\\/bG8="));
        QVERIFY(members->at(1).raw.data() >= body.constData() && members->at(1).raw.data() < body.constData() + body.size());
        QVERIFY(members->at(3).type == JsonMember::Type::Object);
        const QJsonObject rest = QJsonDocument::fromJson(smallMembersJson(*members, QStringLiteral("file"))).object();
        QCOMPARE(rest.value(QStringLiteral("filename")).toString(), QStringLiteral("résumé.pdf"));
        QCOMPARE(rest.value(QStringLiteral("n")).toDouble(), -1500.0);
        QVERIFY(!rest.contains(QStringLiteral("file")));
        for (const char *bad : {"", "[]", "{\"a\":1", "{\"a\" 1}", "{\"a\":\"x}", "{\"a\":1} x", "{\"a\":1,}"})
            QVERIFY2(!topLevelJsonMembers(QByteArray(bad)), bad);
    }
};

QTEST_GUILESS_MAIN(TestMediaTypes)
#include "tst_media_types.moc"

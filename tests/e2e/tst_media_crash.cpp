// A kill -9 during an upload, with the real `wadesk` binary (headless, SQLite, its own data
// directory, file backend): a 90 MB upload is sent, and the moment its staged file appears in
// <data>/media/.staging (the server is writing it) the process is killed with SIGKILL.
//
// Proves: no media row, no blob row and no file in the organization's media folder after the
// kill; the next start sweeps the staged leftovers; the storage use is 0; and the same upload
// then succeeds and downloads byte for byte, so nothing of the killed attempt got in its way.

#include "tests/support/BinarySandbox.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/WadeskInstance.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <sys/types.h>

using namespace wadesk::test;

namespace {

QStringList filesUnder(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(dir).relativeFilePath(it.next());
    return out;
}

HttpTestResponse call(quint16 port, const QByteArray &method, const QByteArray &path, const QByteArray &headers,
                      const QByteArray &body = {}, int timeoutMs = 30000)
{
    HttpTestClient client;
    if (!client.connectTo(port))
        return {};
    client.send(HttpTestClient::request(method, path, headers, body));
    return client.waitResponse(timeoutMs);
}

// Text of `bytes` bytes (valid UTF-8, so the store accepts it and reads it through once more).
QByteArray largeText(qint64 bytes, char seed)
{
    QByteArray line = "WaDesk media crash test line ";
    line += seed;
    line += " 0123456789 abcdefghijklmnopqrstuvwxyz\n";
    QByteArray out;
    out.reserve(bytes);
    while (out.size() + line.size() <= bytes)
        out += line;
    out += QByteArray(bytes - out.size(), 'x');
    return out;
}

} // namespace

class TestMediaCrash : public QObject {
    Q_OBJECT

private slots:
    void killDuringUploadLeavesNothing()
    {
        QTemporaryDir home;
        QProcessEnvironment extra;
        extra.insert(QStringLiteral("WADESK_PASSWORD_HASH_COST"), QStringLiteral("min"));
        auto instance = std::make_unique<WadeskInstance>(home.path(), extra);
        QVERIFY2(instance->start(), qPrintable(instance->output()));

        const QJsonObject registration{{QStringLiteral("email"), QStringLiteral("crash@media.test")},
                                       {QStringLiteral("password"), QStringLiteral("correct-horse-1")},
                                       {QStringLiteral("name"), QStringLiteral("Crash")},
                                       {QStringLiteral("organization_name"), QStringLiteral("Crash Org")}};
        const HttpTestResponse registered = call(instance->port(), "POST", "/api/auth/register", "Content-Type: application/json\r\n",
                                                 QJsonDocument(registration).toJson(QJsonDocument::Compact));
        QCOMPARE(registered.status, 201);
        const QByteArray apiKey = registered.json().value(QStringLiteral("api_key")).toString().toLatin1();
        const QString org = registered.json().value(QStringLiteral("user")).toObject().value(QStringLiteral("organization_id")).toString();
        QVERIFY(!apiKey.isEmpty() && org.startsWith(QLatin1String("org_")));
        const QByteArray auth = "X-API-Key: " + apiKey + "\r\n";

        const QString media = QDir(instance->dataDir()).filePath(QStringLiteral("media"));
        const QString staging = QDir(media).filePath(QStringLiteral(".staging"));
        const QByteArray body = largeText(90LL * 1000 * 1000, 'a');

        bool killedWhileWriting = false;
        for (int attempt = 0; attempt < 3 && !killedWhileWriting; ++attempt) {
            HttpTestClient client;
            QVERIFY(client.connectTo(instance->port()));
            client.send(HttpTestClient::request("POST", "/api/media/upload?filename=big.txt",
                                                auth + "Content-Type: text/plain\r\n", body));
            QElapsedTimer waited;
            waited.start();
            while (waited.elapsed() < 60000) {
                if (!filesUnder(staging).isEmpty()) {
                    ::kill(pid_t(instance->pid()), SIGKILL);
                    killedWhileWriting = true;
                    break;
                }
                if (client.takeResponse())
                    break; // too late: the upload finished before the poll saw it
                QTest::qWait(1);
            }
            if (!killedWhileWriting) {
                // Start over with a clean slate so the next attempt is the same experiment.
                const HttpTestResponse list = call(instance->port(), "GET", "/api/media", auth);
                for (const QJsonValue &m : list.json().value(QStringLiteral("media")).toArray())
                    call(instance->port(), "DELETE", "/api/media/" + m.toObject().value(QStringLiteral("id")).toString().toLatin1(), auth);
            }
        }
        QVERIFY2(killedWhileWriting, "the kill never landed while the upload was being written");
        QVERIFY(QTest::qWaitFor([&] { return !instance->running(); }, 10000));

        // Right after the kill: nothing in the organization's folder (at most the staged part).
        QCOMPARE(filesUnder(QDir(media).filePath(org)), QStringList());
        instance.reset();

        auto again = std::make_unique<WadeskInstance>(home.path(), extra);
        QVERIFY2(again->start(), qPrintable(again->output()));
        QCOMPARE(filesUnder(staging), QStringList());
        const HttpTestResponse list = call(again->port(), "GET", "/api/media", auth);
        QCOMPARE(list.status, 200);
        QCOMPARE(list.json().value(QStringLiteral("total")).toInt(), 0);
        const HttpTestResponse usage = call(again->port(), "GET", "/api/analytics/storage", auth);
        QCOMPARE(usage.json().value(QStringLiteral("used")).toInteger(), 0);

        // The same upload now goes through whole.
        const QByteArray small = largeText(5LL * 1000 * 1000, 'b');
        const HttpTestResponse stored = call(again->port(), "POST", "/api/media/upload?filename=big.txt",
                                             auth + "Content-Type: text/plain\r\n", small, 60000);
        QVERIFY2(stored.status == 201, stored.body.left(300).constData());
        const QString id = stored.json().value(QStringLiteral("media")).toObject().value(QStringLiteral("id")).toString();
        const HttpTestResponse down = call(again->port(), "GET", "/api/media/" + id.toLatin1() + "/download", auth, {}, 60000);
        QCOMPARE(down.status, 200);
        QCOMPARE(QCryptographicHash::hash(down.body, QCryptographicHash::Sha256),
                 QCryptographicHash::hash(small, QCryptographicHash::Sha256));
        QCOMPARE(filesUnder(QDir(media).filePath(org)).size(), 1);
        QVERIFY(again->stop());
    }
};

QTEST_GUILESS_MAIN(TestMediaCrash)
#include "tst_media_crash.moc"

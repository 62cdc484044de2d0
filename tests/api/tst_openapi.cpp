// The OpenAPI document served at /api/openapi.json names exactly the routes the server answers.

#include "core/api/ApiService.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/secrets/AesGcm.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace wadesk;

class TestOpenApi : public QObject {
    Q_OBJECT
private slots:
    void documentMatchesRoutes()
    {
        QTemporaryDir dir;
        Database db(DatabaseUrl::parse(dir.filePath(QStringLiteral("t.db")), dir.path()).value());
        QVERIFY(Migrator(db, Migrator::embeddedDirectory(QStringLiteral("sqlite"))).migrate().ok());
        ApiService::Options options;
        options.passwordCost = PasswordHasher::Cost::Minimal;
        const AesGcm cipher(QByteArray(32, 'm'));
        options.cipher = &cipher; // as the application builds it: every route present
        ApiService api(db, QByteArray(32, 'k'), options);
        const Result<quint16> port = api.start();
        QVERIFY(port.ok());

        QNetworkAccessManager nam;
        QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/api/openapi.json").arg(port.value()))));
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QJsonObject doc = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        QCOMPARE(doc.value(QStringLiteral("openapi")).toString().left(2), QStringLiteral("3."));

        QSet<QString> documented;
        const QJsonObject paths = doc.value(QStringLiteral("paths")).toObject();
        for (auto it = paths.begin(); it != paths.end(); ++it) {
            for (const QString &method : it.value().toObject().keys())
                documented.insert(method.toUpper() + QLatin1Char(' ') + it.key());
        }
        QSet<QString> served;
        static const QRegularExpression param(QStringLiteral(":([A-Za-z]+)"));
        for (const auto &route : api.routeTable()) {
            QString path = route.second;
            path.replace(param, QStringLiteral("{\\1}"));
            served.insert(QString::fromLatin1(route.first) + QLatin1Char(' ') + path);
        }
        QVERIFY2(served.size() > 10, "the route table looks empty");
        const QSet<QString> undocumented = served - documented;
        const QSet<QString> phantom = documented - served;
        QVERIFY2(undocumented.isEmpty(), qPrintable(QStringLiteral("served but not documented: ") + QStringList(undocumented.values()).join(QLatin1String(", "))));
        QVERIFY2(phantom.isEmpty(), qPrintable(QStringLiteral("documented but not served: ") + QStringList(phantom.values()).join(QLatin1String(", "))));
        api.stop(1000);
    }
};

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"

// The OpenAPI document served at /api/openapi.json names exactly the routes the server answers,
// and every field it describes follows the API's casing rule (README, "Field names").

#include "core/api/ApiService.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/secrets/AesGcm.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <functional>

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
        options.services.auth.passwordCost = PasswordHasher::Cost::Minimal;
        const AesGcm cipher(QByteArray(32, 'm'));
        options.shared.cipher = &cipher; // as the application builds it: every route present
        options.shared.database = &db;
        options.shared.jwtKey = QByteArray(32, 'k');
        options.api.port = 0;
        ApiService api(options);
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

    // The guide's own field names keep the guide's spelling; every other field is snake_case.
    void fieldNamesFollowTheCasingRule()
    {
        // Spelled in camelCase by the guide (docs: README "Field names"); nothing else may be.
        static const QSet<QString> guideNames = {
            QStringLiteral("clientId"),   QStringLiteral("messageId"),  QStringLiteral("phoneNumber"),
            QStringLiteral("deviceInfo"), QStringLiteral("perMinute"),  QStringLiteral("perHour"),
            QStringLiteral("perDay"),     QStringLiteral("statusCode"), QStringLiteral("responseTime"),
            QStringLiteral("percentUsed"), QStringLiteral("startDate"), QStringLiteral("endDate")};
        static const QRegularExpression snake(QStringLiteral("^[a-z][a-z0-9]*(_[a-z0-9]+)*$"));

        QFile file(qEnvironmentVariable("WADESK_SOURCE_DIR") + QStringLiteral("/resources/openapi.json"));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const QJsonObject doc = QJsonDocument::fromJson(file.readAll()).object();
        QVERIFY(!doc.isEmpty());

        QStringList offenders;
        int fields = 0;
        // Every "properties" object anywhere (schemas, request and response bodies) and every
        // query parameter.
        std::function<void(const QJsonValue &, const QString &)> walk = [&](const QJsonValue &value, const QString &where) {
            if (value.isArray()) {
                const QJsonArray array = value.toArray();
                for (int i = 0; i < array.size(); ++i)
                    walk(array.at(i), where);
                return;
            }
            if (!value.isObject())
                return;
            const QJsonObject object = value.toObject();
            if (object.value(QStringLiteral("in")).toString() == QLatin1String("query")) {
                const QString name = object.value(QStringLiteral("name")).toString();
                ++fields;
                if (!snake.match(name).hasMatch() && !guideNames.contains(name))
                    offenders << where + QStringLiteral(" query ") + name;
            }
            const QJsonObject properties = object.value(QStringLiteral("properties")).toObject();
            for (auto it = properties.begin(); it != properties.end(); ++it) {
                ++fields;
                if (!snake.match(it.key()).hasMatch() && !guideNames.contains(it.key()))
                    offenders << where + QLatin1Char(' ') + it.key();
            }
            for (auto it = object.begin(); it != object.end(); ++it)
                walk(it.value(), where + QLatin1Char('/') + it.key());
        };
        walk(doc.value(QStringLiteral("components")), QString());
        walk(doc.value(QStringLiteral("paths")), QString());
        QVERIFY2(fields > 50, "the document describes almost no fields: the walk is broken");
        QVERIFY2(offenders.isEmpty(), qPrintable(QStringLiteral("neither snake_case nor the guide's name: ") + offenders.join(QLatin1String(", "))));
    }
};

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"

// GET /metrics through the real API on both databases: the answer is valid Prometheus text
// format 0.0.4 (every sample in a family declared once with HELP and TYPE, label values
// escaped, histogram buckets cumulative up to +Inf == _count); request counters and the latency
// histogram move by route template, method and status; the database gauges (up, sessions by
// state, queue depth by client) follow what the database holds; and who may read it: loopback
// clients without a token, anyone with the right bearer token once one is set, nobody when
// disabled, a non-loopback client without a token never.

#include "tests/support/ApiTestHarness.h"
#include "core/api/MetricsController.h"
#include "core/db/Database.h"
#include "core/http/ApiRequest.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <cmath>

using namespace wadesk;
using namespace wadesk::test;

namespace {

struct Sample {
    QString name;
    QHash<QString, QString> labels;
    double value = 0;
};

// A strict reader of the text format: fails (with `error`) on anything it does not expect.
struct Exposition {
    QHash<QString, QString> types; // family -> counter | gauge | histogram
    QList<Sample> samples;

    double value(const QString &name, const QHash<QString, QString> &labels = {}) const
    {
        for (const Sample &s : samples) {
            if (s.name != name)
                continue;
            bool all = true;
            for (auto it = labels.cbegin(); it != labels.cend() && all; ++it)
                all = s.labels.value(it.key()) == it.value();
            if (all)
                return s.value;
        }
        return std::nan("");
    }
};

bool parseLabels(const QString &text, QHash<QString, QString> &labels, QString *error)
{
    int i = 0;
    while (i < text.size()) {
        static const QRegularExpression name(QStringLiteral("\\G([a-zA-Z_][a-zA-Z0-9_]*)=\""));
        const QRegularExpressionMatch m = name.match(text, i);
        if (!m.hasMatch()) {
            *error = QStringLiteral("bad label at ") + text.mid(i);
            return false;
        }
        i = int(m.capturedEnd());
        QString value;
        bool closed = false;
        while (i < text.size()) {
            const QChar c = text.at(i++);
            if (c == QLatin1Char('\\') && i < text.size()) {
                const QChar e = text.at(i++);
                value += e == QLatin1Char('n') ? QLatin1Char('\n') : e;
            } else if (c == QLatin1Char('"')) {
                closed = true;
                break;
            } else {
                value += c;
            }
        }
        if (!closed || labels.contains(m.captured(1))) {
            *error = QStringLiteral("unterminated or repeated label in ") + text;
            return false;
        }
        labels.insert(m.captured(1), value);
        if (i < text.size()) {
            if (text.at(i) != QLatin1Char(',')) {
                *error = QStringLiteral("expected a comma in ") + text;
                return false;
            }
            ++i;
        }
    }
    return true;
}

bool parse(const QByteArray &body, Exposition &out, QString *error)
{
    if (!body.endsWith('\n')) {
        *error = QStringLiteral("the text does not end with a line feed");
        return false;
    }
    static const QRegularExpression help(QStringLiteral("^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$"));
    static const QRegularExpression type(QStringLiteral("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$"));
    static const QRegularExpression sample(QStringLiteral("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$"));
    QSet<QString> helped;
    QString currentFamily;
    QSet<QString> finishedFamilies;
    for (const QByteArray &rawLine : body.split('\n')) {
        const QString line = QString::fromUtf8(rawLine);
        if (line.isEmpty())
            continue;
        if (line.startsWith(QLatin1String("# HELP"))) {
            const QRegularExpressionMatch m = help.match(line);
            if (!m.hasMatch() || helped.contains(m.captured(1))) {
                *error = QStringLiteral("bad or repeated HELP: ") + line;
                return false;
            }
            helped.insert(m.captured(1));
            continue;
        }
        if (line.startsWith(QLatin1String("# TYPE"))) {
            const QRegularExpressionMatch m = type.match(line);
            if (!m.hasMatch() || out.types.contains(m.captured(1))) {
                *error = QStringLiteral("bad or repeated TYPE: ") + line;
                return false;
            }
            if (!currentFamily.isEmpty())
                finishedFamilies.insert(currentFamily);
            currentFamily = m.captured(1);
            out.types.insert(currentFamily, m.captured(2));
            continue;
        }
        if (line.startsWith(QLatin1Char('#')))
            continue;
        const QRegularExpressionMatch m = sample.match(line);
        if (!m.hasMatch()) {
            *error = QStringLiteral("not a sample: ") + line;
            return false;
        }
        Sample s;
        s.name = m.captured(1);
        if (!parseLabels(m.captured(2), s.labels, error))
            return false;
        bool number = false;
        s.value = m.captured(3).toDouble(&number);
        if (!number && m.captured(3) != QLatin1String("+Inf") && m.captured(3) != QLatin1String("NaN")) {
            *error = QStringLiteral("not a number: ") + line;
            return false;
        }
        // A sample belongs to the family declared last (a histogram's _bucket, _sum, _count too).
        QString family = s.name;
        if (out.types.value(currentFamily) == QLatin1String("histogram")) {
            for (const char *suffix : {"_bucket", "_sum", "_count"}) {
                if (family == currentFamily + QLatin1String(suffix))
                    family = currentFamily;
            }
        }
        if (family != currentFamily || finishedFamilies.contains(family)) {
            *error = QStringLiteral("a sample outside its family's block: ") + line;
            return false;
        }
        out.samples << s;
    }
    // Histograms: cumulative buckets, +Inf equal to _count.
    for (auto it = out.types.cbegin(); it != out.types.cend(); ++it) {
        if (it.value() != QLatin1String("histogram"))
            continue;
        QHash<QString, double> last;
        for (const Sample &s : std::as_const(out.samples)) {
            QHash<QString, QString> series = s.labels;
            series.remove(QStringLiteral("le"));
            QStringList key;
            for (auto l = series.cbegin(); l != series.cend(); ++l)
                key << l.key() + QLatin1Char('=') + l.value();
            key.sort();
            const QString k = key.join(QLatin1Char(','));
            if (s.name == it.key() + QLatin1String("_bucket")) {
                if (s.value < last.value(k, 0)) {
                    *error = QStringLiteral("buckets not cumulative for ") + k;
                    return false;
                }
                last[k] = s.value;
                if (s.labels.value(QStringLiteral("le")) == QLatin1String("+Inf")) {
                    const double count = out.value(it.key() + QLatin1String("_count"), series);
                    if (count != s.value) {
                        *error = QStringLiteral("+Inf bucket differs from _count for ") + k;
                        return false;
                    }
                }
            }
        }
    }
    return true;
}

Exposition scrape(ApiTestHarness &api)
{
    const ApiResponse r = api.request("GET", QStringLiteral("/metrics"));
    Exposition e;
    QString error;
    if (r.status != 200 || !r.header("content-type").startsWith("text/plain; version=0.0.4") || !parse(r.body, e, &error))
        qWarning("bad /metrics answer (%s): %s", qPrintable(error), r.describe().constData());
    return e;
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private slots:
    void validTextAndCountersMove_data() { addDialectRows(); }
    void validTextAndCountersMove()
    {
        QFETCH(QString, dialect);
        WADESK_START_API(api, dialect);
        const Account admin = api.registerOrganization(QStringLiteral("metrics@example.com"), QStringLiteral("Metrics Org"));
        QVERIFY(admin.valid());
        const QString client = api.createClient(admin, QStringLiteral("Front desk"));
        QVERIFY(!client.isEmpty());
        const HeaderList auth = ApiTestHarness::apiKey(admin.apiKey);

        const ApiResponse raw = api.request("GET", QStringLiteral("/metrics"));
        QCOMPARE(raw.status, 200);
        QCOMPARE(raw.header("content-type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        Exposition before;
        QString error;
        QVERIFY2(parse(raw.body, before, &error), qPrintable(error + QLatin1Char('\n') + QString::fromUtf8(raw.body)));
        for (const char *family : {"wadesk_build_info", "wadesk_uptime_seconds", "process_start_time_seconds", "wadesk_database_up",
                                   "wadesk_sessions", "wadesk_queue_depth", "wadesk_messages_sent_total",
                                   "wadesk_webhook_deliveries_total", "wadesk_http_requests_total", "wadesk_http_request_duration_seconds"})
            QVERIFY2(before.types.contains(QLatin1String(family)), family);
#ifdef Q_OS_LINUX
        QVERIFY(before.value(QStringLiteral("process_resident_memory_bytes")) > 1e6);
        QVERIFY(before.value(QStringLiteral("process_open_fds")) > 3);
#endif
        QCOMPARE(before.value(QStringLiteral("wadesk_database_up")), 1.0);
        QCOMPARE(before.value(QStringLiteral("wadesk_build_info"), {{QStringLiteral("database"), dialect}}), 1.0);
        QCOMPARE(before.types.value(QStringLiteral("wadesk_http_request_duration_seconds")), QStringLiteral("histogram"));

        const QHash<QString, QString> listOk{{QStringLiteral("method"), QStringLiteral("GET")},
                                             {QStringLiteral("route"), QStringLiteral("/api/clients/:clientId")},
                                             {QStringLiteral("status"), QStringLiteral("200")}};
        const QHash<QString, QString> missing{{QStringLiteral("method"), QStringLiteral("GET")},
                                              {QStringLiteral("route"), QStringLiteral("/api/clients/:clientId")},
                                              {QStringLiteral("status"), QStringLiteral("404")}};
        auto orZero = [](double v) { return std::isnan(v) ? 0.0 : v; };
        const double okBefore = orZero(before.value(QStringLiteral("wadesk_http_requests_total"), listOk));
        const double missingBefore = orZero(before.value(QStringLiteral("wadesk_http_requests_total"), missing));
        const QHash<QString, QString> unmatched{{QStringLiteral("route"), QStringLiteral("(unmatched)")}, {QStringLiteral("status"), QStringLiteral("404")}};
        const double unmatchedBefore = orZero(before.value(QStringLiteral("wadesk_http_requests_total"), unmatched)); // counters are the process's
        for (int i = 0; i < 3; ++i)
            QCOMPARE(api.request("GET", QStringLiteral("/api/clients/") + client, QJsonValue(QJsonValue::Undefined), auth).status, 200);
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients/client_00000000000000000000000000"), QJsonValue(QJsonValue::Undefined), auth)
                     .status,
                 404);
        QCOMPARE(api.request("GET", QStringLiteral("/no/such/path")).status, 404);

        // One linked client with two queued messages (no session runs here to send them).
        QVERIFY(api.exec(QStringLiteral("UPDATE clients SET linked = 1, status = 'ready' WHERE id = ?"), {client}));
        for (const char *text : {"one", "two"}) {
            const ApiResponse sent = api.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(client),
                                                 QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550100")},
                                                             {QStringLiteral("message"), QLatin1String(text)}},
                                                 auth);
            QVERIFY2(sent.status == 200, sent.describe().constData());
        }

        const Exposition after = scrape(api);
        QCOMPARE(after.value(QStringLiteral("wadesk_http_requests_total"), listOk), okBefore + 3);
        QCOMPARE(after.value(QStringLiteral("wadesk_http_requests_total"), missing), missingBefore + 1);
        QCOMPARE(after.value(QStringLiteral("wadesk_http_requests_total"), unmatched), unmatchedBefore + 1);
        const QHash<QString, QString> series{{QStringLiteral("method"), QStringLiteral("GET")},
                                             {QStringLiteral("route"), QStringLiteral("/api/clients/:clientId")}};
        QVERIFY(after.value(QStringLiteral("wadesk_http_request_duration_seconds_count"), series) >= okBefore + 4);
        QVERIFY(after.value(QStringLiteral("wadesk_http_request_duration_seconds_sum"), series) > 0);
        QCOMPARE(after.value(QStringLiteral("wadesk_queue_depth"), {{QStringLiteral("client"), client}}), 2.0);
        QCOMPARE(after.value(QStringLiteral("wadesk_sessions"), {{QStringLiteral("state"), QStringLiteral("ready")}}), 1.0);
        QVERIFY(after.value(QStringLiteral("wadesk_uptime_seconds")) >= before.value(QStringLiteral("wadesk_uptime_seconds")));
        // No path with an id in it ever becomes a series of its own.
        for (const Sample &s : after.samples)
            QVERIFY2(!s.labels.value(QStringLiteral("route")).contains(client), qPrintable(s.labels.value(QStringLiteral("route"))));
    }

    void whoMayRead()
    {
        {
            ApiTestHarness::Options options;
            options.metricsToken = QStringLiteral("scrape-token-1");
            WADESK_START_API(api, QStringLiteral("sqlite"), options);
            QVERIFY(api.request("GET", QStringLiteral("/metrics")).isError(401, QStringLiteral("unauthorized")));
            QVERIFY(api.request("GET", QStringLiteral("/metrics"), QJsonValue(QJsonValue::Undefined), ApiTestHarness::bearer(QStringLiteral("scrape-token-2")))
                        .isError(401, QStringLiteral("unauthorized")));
            const ApiResponse ok = api.request("GET", QStringLiteral("/metrics"), QJsonValue(QJsonValue::Undefined),
                                               ApiTestHarness::bearer(QStringLiteral("scrape-token-1")));
            QCOMPARE(ok.status, 200);
            QVERIFY(ok.body.contains("wadesk_database_up 1\n"));
        }
        {
            ApiTestHarness::Options options;
            options.metricsEnabled = false;
            WADESK_START_API(api, QStringLiteral("sqlite"), options);
            QVERIFY(api.request("GET", QStringLiteral("/metrics")).isError(404, QStringLiteral("not_found")));
        }
        // Without a token, a client beyond loopback is refused (the server is called directly:
        // the tests can only reach it over loopback).
        WADESK_DATABASE_OR_SKIP(fresh, QStringLiteral("sqlite"));
        MetricsController controller(*fresh.database, MetricsController::Settings{}, MetricsController::Info{QStringLiteral("sqlite")});
        ApiRequest request;
        request.method = "GET";
        request.path = QStringLiteral("/metrics");
        request.remoteAddress = QHostAddress(QStringLiteral("192.0.2.10"));
        QCOMPARE(controller.metrics(request).status, 403);
        request.remoteAddress = QHostAddress(QStringLiteral("::ffff:192.0.2.10"));
        QCOMPARE(controller.metrics(request).status, 403);
        request.remoteAddress = QHostAddress(QStringLiteral("::1"));
        QCOMPARE(controller.metrics(request).status, 200);
        request.remoteAddress = QHostAddress(QStringLiteral("::ffff:127.0.0.1"));
        QCOMPARE(controller.metrics(request).status, 200);
        fresh.database->closeThreadConnection();
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"

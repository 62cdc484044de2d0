// Contacts import, export and custom attributes (issue 13) over real HTTP on SQLite and
// PostgreSQL.
//
// Proves: a CSV with a UTF-8 BOM, semicolons, quoted fields with an embedded newline and a doubled
// quote is read as written; bad numbers (and an unclosed quote) are reported by line and skip only
// their row; numbers are normalised with the default region and duplicates (in the file and
// against existing contacts) merge: tags unioned, attributes set, the name kept unless empty; an
// opted-out contact stays opted out; a dry run reports the same counts and the mapped rows and
// writes nothing; the import is audited once; the export (CSV and JSON) has one row per contact
// with an attribute column per key and imports again as updates only; PATCH edits attributes
// (null removes, bad keys 400); agents and viewers 403; another organization's contacts are
// untouched; 100,000 rows import in one request.

#include "tests/support/ApiTestHarness.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QHostAddress>
#include <QTcpSocket>
#include <QTest>

using namespace wadesk;
using namespace wadesk::test;

namespace {

const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);

struct Stage {
    ApiTestHarness api;
    Account admin, manager, agent, viewer, otherAdmin;

    bool cast()
    {
        admin = api.registerOrganization(QStringLiteral("admin@a.test"), QStringLiteral("Org A"));
        otherAdmin = api.registerOrganization(QStringLiteral("admin@b.test"), QStringLiteral("Org B"));
        if (!admin.valid() || !otherAdmin.valid())
            return false;
        manager = api.createMember(admin, QStringLiteral("manager"), QStringLiteral("manager@a.test"));
        agent = api.createMember(admin, QStringLiteral("agent"), QStringLiteral("agent@a.test"));
        viewer = api.createMember(admin, QStringLiteral("viewer"), QStringLiteral("viewer@a.test"));
        return manager.valid() && agent.valid() && viewer.valid();
    }
    ApiResponse call(const Account &who, const QString &path, const QByteArray &method = "GET", const QJsonValue &body = kNoBody)
    {
        return api.request(method, path, body, ApiTestHarness::apiKey(who.apiKey));
    }
    ApiResponse importCsv(const Account &who, const QByteArray &csv, const QString &query = QString(),
                          const QByteArray &type = QByteArrayLiteral("text/csv"))
    {
        HeaderList headers = ApiTestHarness::apiKey(who.apiKey);
        headers.append({QByteArrayLiteral("Content-Type"), type});
        return api.requestRaw("POST", QStringLiteral("/api/contacts/import") + query, csv, headers);
    }
    QJsonObject contactByPhone(const Account &who, const QString &phone)
    {
        const ApiResponse r = call(who, QStringLiteral("/api/contacts?limit=100&search=") + QString(phone).remove(QLatin1Char('+')));
        for (const QJsonValue &c : r.json.value(QStringLiteral("contacts")).toArray()) {
            if (c.toObject().value(QStringLiteral("phone_number")).toString() == phone)
                return c.toObject();
        }
        return {};
    }
    int contactCount(const QString &organizationId)
    {
        return api.rows(QStringLiteral("SELECT COUNT(*) FROM contacts WHERE organization_id = ?"), {organizationId}).value(0).toInt();
    }
};

#define WADESK_STAGE(var)                                                                                                         \
    QFETCH(QString, dialect);                                                                                                     \
    Stage var;                                                                                                                    \
    {                                                                                                                             \
        QString whyNot;                                                                                                           \
        if (!var.api.start(dialect, &whyNot)) {                                                                                   \
            if (dialect == QLatin1String("postgres") && !PgCluster::required() && !whyNot.startsWith(QLatin1String("server:"))) \
                QSKIP(qPrintable(whyNot));                                                                                        \
            QFAIL(qPrintable(whyNot));                                                                                            \
        }                                                                                                                         \
        QVERIFY(var.cast());                                                                                                      \
    }

QStringList tagsOf(const QJsonObject &contact)
{
    QStringList out;
    for (const QJsonValue &t : contact.value(QStringLiteral("tags")).toArray())
        out << t.toString();
    return out;
}

} // namespace

class TestContactsImport : public QObject {
    Q_OBJECT

    static void bothDialects()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

private slots:
    void importEdgeCases_data() { bothDialects(); }
    void importEdgeCases()
    {
        WADESK_STAGE(s);
        // Already known: one opted out (with a name), one with a tag and an attribute.
        {
            SqlRunner sql(s.api.database());
            ContactRepository contacts(sql);
            Result<ContactRecord> stop = contacts.upsert(s.admin.organizationId, QStringLiteral("+14155550109"), QString(), QStringLiteral("Stopper"));
            QVERIFY(stop.ok());
            ContactRecord c = stop.value();
            c.optedOut = true;
            c.optedOutAt = 1000;
            QVERIFY(contacts.update(c).ok());
            Result<ContactRecord> known = contacts.upsert(s.admin.organizationId, QStringLiteral("+14155550102"));
            QVERIFY(known.ok());
            c = known.value();
            c.tags = QStringList{QStringLiteral("old")};
            c.attributes = QJsonObject{{QStringLiteral("plan"), QStringLiteral("gold")}};
            QVERIFY(contacts.update(c).ok());
        }
        const qint64 auditBefore = s.api.auditSeq(s.admin.organizationId);
        // BOM, semicolons, CRLF, a quoted name with an embedded newline and a doubled quote, a
        // quoted field holding the delimiter, numbers without +1 (region US), a bad number, a
        // duplicate written another way, the opted-out number, an empty line.
        const QByteArray csv = QByteArrayLiteral("\xEF\xBB\xBF"
                                                 "Phone;Name;Tags;City;Customer ID\r\n"
                                                 "(415) 555-0101;\"Ana \"\"A\"\"\nSecond line\";vip|new;Berlin;C-1\r\n"
                                                 "415 555 0102;Bob;\"a;b\";;C-2\r\n"
                                                 "12;Bad;;;\r\n"
                                                 "\r\n"
                                                 "+1 415-555-0101;Ana again;late;M\xC3\xBCnchen;\r\n"
                                                 "+14155550109;New Name;imported;Paris;C-9\r\n"
                                                 ";No number;;;\r\n");
        const ApiResponse dry = s.importCsv(s.manager, csv, QStringLiteral("?region=US&dry_run=true"));
        QVERIFY2(dry.status == 200, dry.describe().constData());
        QCOMPARE(dry.json.value(QStringLiteral("dry_run")).toBool(), true);
        QCOMPARE(dry.json.value(QStringLiteral("delimiter")).toString(), QStringLiteral("semicolon"));
        QCOMPARE(dry.json.value(QStringLiteral("rows")).toInt(), 6);
        QCOMPARE(dry.json.value(QStringLiteral("imported")).toInt(), 1);
        QCOMPARE(dry.json.value(QStringLiteral("updated")).toInt(), 3);
        QCOMPARE(dry.json.value(QStringLiteral("skipped")).toInt(), 2);
        const QJsonObject mapping = dry.json.value(QStringLiteral("mapping")).toObject();
        QCOMPARE(mapping.value(QStringLiteral("phone")).toString(), QStringLiteral("Phone"));
        QCOMPARE(mapping.value(QStringLiteral("attributes")).toObject(),
                 (QJsonObject{{QStringLiteral("City"), QStringLiteral("city")}, {QStringLiteral("Customer ID"), QStringLiteral("customer_id")}}));
        const QJsonArray preview = dry.json.value(QStringLiteral("preview")).toArray();
        QCOMPARE(preview.size(), 6);
        const QJsonObject first = preview.at(0).toObject();
        QCOMPARE(first.value(QStringLiteral("line")).toInt(), 2);
        QCOMPARE(first.value(QStringLiteral("phone_number")).toString(), QStringLiteral("+14155550101"));
        QCOMPARE(first.value(QStringLiteral("name")).toString(), QStringLiteral("Ana \"A\"\nSecond line"));
        QCOMPARE(tagsOf(first), (QStringList{QStringLiteral("vip"), QStringLiteral("new")}));
        QCOMPARE(preview.at(2).toObject().value(QStringLiteral("error")).toString(), QStringLiteral("invalid_number"));
        // Nothing written by the dry run.
        QCOMPARE(s.contactCount(s.admin.organizationId), 2);
        QCOMPARE(s.api.auditSeq(s.admin.organizationId), auditBefore);

        const ApiResponse done = s.importCsv(s.manager, csv, QStringLiteral("?region=US"));
        QVERIFY2(done.status == 200, done.describe().constData());
        QCOMPARE(done.json.value(QStringLiteral("dry_run")).toBool(), false);
        QCOMPARE(done.json.value(QStringLiteral("imported")).toInt(), 1);
        QCOMPARE(done.json.value(QStringLiteral("updated")).toInt(), 3);
        QCOMPARE(done.json.value(QStringLiteral("skipped")).toInt(), 2);
        QVERIFY(!done.json.contains(QStringLiteral("preview")));
        const QJsonArray errors = done.json.value(QStringLiteral("errors")).toArray();
        QCOMPARE(errors.size(), 2);
        // The quoted newline makes the bad number's record start on line 5 of the file.
        QCOMPARE(errors.at(0).toObject().value(QStringLiteral("line")).toInt(), 5);
        QCOMPARE(errors.at(0).toObject().value(QStringLiteral("code")).toString(), QStringLiteral("invalid_number"));
        QCOMPARE(errors.at(1).toObject().value(QStringLiteral("line")).toInt(), 9);
        QCOMPARE(errors.at(1).toObject().value(QStringLiteral("code")).toString(), QStringLiteral("missing_number"));
        QCOMPARE(s.contactCount(s.admin.organizationId), 3);
        QCOMPARE(s.api.auditSeq(s.admin.organizationId), auditBefore + 1);
        QCOMPARE(s.api.rows(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE organization_id = ? AND action = 'import_contacts'"),
                            {s.admin.organizationId})
                     .value(0),
                 QStringLiteral("1"));

        // The duplicate merged: first name kept, tags unioned, attributes set (the later row's city).
        const QJsonObject ana = s.contactByPhone(s.admin, QStringLiteral("+14155550101"));
        QCOMPARE(ana.value(QStringLiteral("name")).toString(), QStringLiteral("Ana \"A\"\nSecond line"));
        QCOMPARE(tagsOf(ana), (QStringList{QStringLiteral("vip"), QStringLiteral("new"), QStringLiteral("late")}));
        QCOMPARE(ana.value(QStringLiteral("attributes")).toObject(),
                 (QJsonObject{{QStringLiteral("city"), QStringLiteral("M\u00fcnchen")}, {QStringLiteral("customer_id"), QStringLiteral("C-1")}}));
        // The known contact: its name was empty (taken), its tag and attribute kept.
        const QJsonObject bob = s.contactByPhone(s.admin, QStringLiteral("+14155550102"));
        QCOMPARE(bob.value(QStringLiteral("name")).toString(), QStringLiteral("Bob"));
        QCOMPARE(tagsOf(bob), (QStringList{QStringLiteral("old"), QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(bob.value(QStringLiteral("attributes")).toObject(),
                 (QJsonObject{{QStringLiteral("plan"), QStringLiteral("gold")}, {QStringLiteral("customer_id"), QStringLiteral("C-2")}}));
        // Opted out stays opted out; its name is kept.
        const QJsonObject stopper = s.contactByPhone(s.admin, QStringLiteral("+14155550109"));
        QCOMPARE(stopper.value(QStringLiteral("opted_out")).toBool(), true);
        QCOMPARE(stopper.value(QStringLiteral("name")).toString(), QStringLiteral("Stopper"));
        QCOMPARE(tagsOf(stopper), QStringList{QStringLiteral("imported")});

        // Export: CSV with a column per attribute key, one row per contact.
        const ApiResponse csvOut = s.call(s.admin, QStringLiteral("/api/contacts/export?format=csv"));
        QCOMPARE(csvOut.status, 200);
        QVERIFY(csvOut.header("content-type").startsWith("text/csv"));
        const QList<QByteArray> lines = csvOut.body.split('\n');
        QCOMPARE(lines.at(0), QByteArrayLiteral("id,phone_number,name,tags,opted_out,opted_out_at,created_at,updated_at,city,customer_id,plan\r"));
        QCOMPARE(csvOut.body.count("\r\n"), 1 + 3); // the header and three contacts (Ana's quoted newline is LF only)
        QVERIFY(csvOut.body.contains(",+14155550109,Stopper,imported,true,"));
        const ApiResponse jsonOut = s.call(s.admin, QStringLiteral("/api/contacts/export?format=json"));
        QCOMPARE(jsonOut.status, 200);
        QCOMPARE(jsonOut.json.value(QStringLiteral("count")).toInt(), 3);
        QCOMPARE(jsonOut.json.value(QStringLiteral("contacts")).toArray().size(), 3);
        QVERIFY(s.call(s.admin, QStringLiteral("/api/contacts/export?format=xml")).isError(400, QStringLiteral("validation_failed")));
        // The export imports again: every row an update, nothing new, the export columns ignored.
        const ApiResponse again = s.importCsv(s.admin, csvOut.body);
        QVERIFY2(again.status == 200, again.describe().constData());
        QCOMPARE(again.json.value(QStringLiteral("updated")).toInt(), 3);
        QCOMPARE(again.json.value(QStringLiteral("imported")).toInt(), 0);
        QCOMPARE(again.json.value(QStringLiteral("skipped")).toInt(), 0);
        QVERIFY(again.json.value(QStringLiteral("mapping")).toObject().value(QStringLiteral("ignored")).toArray().contains(QStringLiteral("opted_out")));
        QCOMPARE(s.contactCount(s.admin.organizationId), 3);
        QCOMPARE(s.contactByPhone(s.admin, QStringLiteral("+14155550109")).value(QStringLiteral("opted_out")).toBool(), true);
    }

    void badFilesAndOptions_data() { bothDialects(); }
    void badFilesAndOptions()
    {
        WADESK_STAGE(s);
        QVERIFY(s.importCsv(s.admin, QByteArray()).isError(400, QStringLiteral("empty_file")));
        QVERIFY(s.importCsv(s.admin, "name,city\nA,B\n").isError(400, QStringLiteral("phone_column_missing")));
        QVERIFY(s.importCsv(s.admin, "name,city\nA,B\n", QStringLiteral("?phone_column=mobile")).isError(400, QStringLiteral("unknown_column")));
        QVERIFY(s.importCsv(s.admin, "phone,City,city\n+14155550101,B,C\n").isError(400, QStringLiteral("duplicate_column")));
        QVERIFY(s.importCsv(s.admin, "phone\n+14155550101\n", QStringLiteral("?region=usa")).isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.importCsv(s.admin, "phone\n+14155550101\n", QStringLiteral("?dry_run=maybe")).isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.importCsv(s.admin, "phone\n+14155550101\n", QString(), "application/json").isError(415, QStringLiteral("unsupported_media_type")));
        QCOMPARE(s.contactCount(s.admin.organizationId), 0);
        // The phone column named explicitly, tab-separated; a quote left open ends the file with an error.
        const ApiResponse r = s.importCsv(s.admin, "Mobil\tVorname\n+14155550101\tA\n+14155550102\t\"B\n+14155550103\tC\n",
                                          QStringLiteral("?phone_column=Mobil&name_column=vorname"));
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("delimiter")).toString(), QStringLiteral("tab"));
        QCOMPARE(r.json.value(QStringLiteral("imported")).toInt(), 1);
        QCOMPARE(r.json.value(QStringLiteral("skipped")).toInt(), 1);
        QCOMPARE(r.json.value(QStringLiteral("errors")).toArray().at(0).toObject().value(QStringLiteral("code")).toString(),
                 QStringLiteral("unterminated_quote"));
        QCOMPARE(s.contactByPhone(s.admin, QStringLiteral("+14155550101")).value(QStringLiteral("name")).toString(), QStringLiteral("A"));
        // Not UTF-8: that row only.
        const ApiResponse latin = s.importCsv(s.admin, "phone,name\n+14155550104,Jos\xE9\n+14155550105,Ok\n");
        QCOMPARE(latin.json.value(QStringLiteral("imported")).toInt(), 1);
        QCOMPARE(latin.json.value(QStringLiteral("errors")).toArray().at(0).toObject().value(QStringLiteral("code")).toString(),
                 QStringLiteral("invalid_encoding"));
        // Errors are capped in the list, counted in full.
        QByteArray many = "phone\n";
        for (int i = 0; i < 150; ++i)
            many += "123\n";
        const ApiResponse capped = s.importCsv(s.admin, many);
        QCOMPARE(capped.json.value(QStringLiteral("skipped")).toInt(), 150);
        QCOMPARE(capped.json.value(QStringLiteral("errors")).toArray().size(), 100);
        QCOMPARE(capped.json.value(QStringLiteral("errors_truncated")).toBool(), true);
    }

    void attributesAndAccess_data() { bothDialects(); }
    void attributesAndAccess()
    {
        WADESK_STAGE(s);
        QVERIFY(s.importCsv(s.admin, "phone,city\n+14155550101,Berlin\n").status == 200);
        const QString id = s.contactByPhone(s.admin, QStringLiteral("+14155550101")).value(QStringLiteral("id")).toString();
        QVERIFY(!id.isEmpty());
        const QString path = QStringLiteral("/api/contacts/") + id;
        const ApiResponse patched =
            s.call(s.agent, path, "PATCH",
                   QJsonObject{{QStringLiteral("attributes"), QJsonObject{{QStringLiteral("plan"), QStringLiteral("pro")}, {QStringLiteral("city"), QJsonValue()}}}});
        QVERIFY2(patched.status == 200, patched.describe().constData());
        QCOMPARE(patched.json.value(QStringLiteral("contact")).toObject().value(QStringLiteral("attributes")).toObject(),
                 (QJsonObject{{QStringLiteral("plan"), QStringLiteral("pro")}}));
        QCOMPARE(s.call(s.admin, path).json.value(QStringLiteral("contact")).toObject().value(QStringLiteral("attributes")).toObject(),
                 (QJsonObject{{QStringLiteral("plan"), QStringLiteral("pro")}}));
        for (const QJsonValue &bad : {QJsonValue(QStringLiteral("x")), QJsonValue(QJsonObject{{QStringLiteral("City"), QStringLiteral("x")}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("name"), QStringLiteral("x")}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("n"), 3}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("n"), QString(501, QLatin1Char('x'))}})}) {
            QVERIFY(s.call(s.admin, path, "PATCH", QJsonObject{{QStringLiteral("attributes"), bad}}).isError(400, QStringLiteral("validation_failed")));
        }
        QCOMPARE(s.call(s.admin, path).json.value(QStringLiteral("contact")).toObject().value(QStringLiteral("attributes")).toObject(),
                 (QJsonObject{{QStringLiteral("plan"), QStringLiteral("pro")}}));

        // RBAC: only admins and managers import or export.
        QVERIFY(s.importCsv(s.agent, "phone\n+14155550102\n").isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.importCsv(s.viewer, "phone\n+14155550102\n").isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.agent, QStringLiteral("/api/contacts/export")).isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.viewer, QStringLiteral("/api/contacts/export")).isError(403, QStringLiteral("forbidden")));
        QCOMPARE(s.contactCount(s.admin.organizationId), 1);
        // Tenants: the same number in another organization is its own contact; neither sees the other.
        const ApiResponse theirs = s.importCsv(s.otherAdmin, "phone,city\n+14155550101,Oslo\n");
        QCOMPARE(theirs.json.value(QStringLiteral("imported")).toInt(), 1);
        QCOMPARE(s.call(s.admin, path).json.value(QStringLiteral("contact")).toObject().value(QStringLiteral("attributes")).toObject(),
                 (QJsonObject{{QStringLiteral("plan"), QStringLiteral("pro")}}));
        QVERIFY(s.call(s.otherAdmin, path).isError(404, QStringLiteral("not_found")));
        const ApiResponse theirExport = s.call(s.otherAdmin, QStringLiteral("/api/contacts/export?format=json"));
        QCOMPARE(theirExport.json.value(QStringLiteral("count")).toInt(), 1);
        QCOMPARE(theirExport.json.value(QStringLiteral("contacts")).toArray().at(0).toObject().value(QStringLiteral("attributes")).toObject(),
                 (QJsonObject{{QStringLiteral("city"), QStringLiteral("Oslo")}}));
    }

    // 100,000 rows in one request: every row counted and stored (the time is bench/'s to judge).
    void hundredThousandRows_data() { bothDialects(); }
    void hundredThousandRows()
    {
        WADESK_STAGE(s);
        QByteArray csv = "phone,name,tags,city\n";
        csv.reserve(4 * 1024 * 1024);
        for (int i = 0; i < 100000; ++i)
            csv += "+1415" + QByteArray::number(2000000 + i) + ",Name " + QByteArray::number(i) + ",bulk,City" + QByteArray::number(i % 50) + '\n';
        csv += "+14152000000,Again,second,\n"; // the first number again
        QElapsedTimer timer;
        timer.start();
        // Sent on a socket of its own, so that another request can be made while it runs.
        QTcpSocket importing;
        importing.connectToHost(QHostAddress::LocalHost, s.api.port());
        QVERIFY(importing.waitForConnected(5000));
        importing.write("POST /api/contacts/import HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + s.admin.apiKey.toUtf8()
                        + "\r\nContent-Type: text/csv\r\nContent-Length: " + QByteArray::number(csv.size()) + "\r\n\r\n" + csv);
        while (importing.bytesToWrite() > 0)
            QVERIFY(importing.waitForBytesWritten(30000));
        // The import runs off the API thread: the API answers meanwhile, before the import does.
        const ApiResponse meanwhile = s.call(s.admin, QStringLiteral("/api/contacts?limit=1"));
        QVERIFY2(meanwhile.status == 200, meanwhile.describe().constData());
        QVERIFY2(!importing.waitForReadyRead(0), "the import answered before a request made after it: it held the API thread");
        QByteArray answer;
        qint64 wanted = -1;
        while (wanted < 0 || answer.size() < wanted) {
            QVERIFY2(importing.waitForReadyRead(240000), "no answer to the import");
            answer += importing.readAll();
            const int end = answer.indexOf("\r\n\r\n");
            if (end > 0 && wanted < 0) {
                const int at = answer.toLower().indexOf("content-length:");
                QVERIFY(at > 0 && at < end);
                wanted = end + 4 + answer.mid(at + 15, answer.indexOf("\r\n", at) - at - 15).trimmed().toLongLong();
            }
        }
        QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.left(500).constData());
        ApiResponse r;
        r.status = 200;
        r.json = QJsonDocument::fromJson(answer.mid(answer.indexOf("\r\n\r\n") + 4)).object();
        qInfo("100,000 rows imported in %lld ms (%s)", timer.elapsed(), qPrintable(s.api.dialect()));
        QCOMPARE(r.json.value(QStringLiteral("rows")).toInt(), 100001);
        QCOMPARE(r.json.value(QStringLiteral("imported")).toInt(), 100000);
        QCOMPARE(r.json.value(QStringLiteral("updated")).toInt(), 1);
        QCOMPARE(r.json.value(QStringLiteral("skipped")).toInt(), 0);
        QCOMPARE(s.contactCount(s.admin.organizationId), 100000);
        QCOMPARE(tagsOf(s.contactByPhone(s.admin, QStringLiteral("+14152000000"))), (QStringList{QStringLiteral("bulk"), QStringLiteral("second")}));
        QCOMPARE(s.api.rows(QStringLiteral("SELECT name FROM contacts WHERE organization_id = ? AND phone_number = ?"),
                            {s.admin.organizationId, QStringLiteral("+14152099999")})
                     .value(0),
                 QStringLiteral("Name 99999"));
    }
};

QTEST_GUILESS_MAIN(TestContactsImport)

#include "tst_contacts_import.moc"

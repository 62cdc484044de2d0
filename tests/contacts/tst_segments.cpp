// Saved segments (issue 13) over real HTTP on SQLite and PostgreSQL: each rule (tags all/any,
// attribute equality, last inbound within N days, never messaged) and their combination counted
// by the preview of saved and unsaved rules; create, list, change, delete with validation (400),
// a taken name (409), RBAC (agents and viewers 403) and tenants (another organization's segment
// is 404, its contacts never counted); a campaign whose audience is a segment, frozen at its
// start (an opted-out member skipped, a contact that joins later not added).

#include "tests/support/ApiTestHarness.h"
#include "core/common/Ids.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTest>

using namespace wadesk;
using namespace wadesk::test;

namespace {

const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);

struct Stage {
    ApiTestHarness api;
    Account admin, manager, agent, viewer, otherAdmin;
    QString clientA;

    bool cast()
    {
        admin = api.registerOrganization(QStringLiteral("admin@a.test"), QStringLiteral("Org A"));
        otherAdmin = api.registerOrganization(QStringLiteral("admin@b.test"), QStringLiteral("Org B"));
        if (!admin.valid() || !otherAdmin.valid())
            return false;
        manager = api.createMember(admin, QStringLiteral("manager"), QStringLiteral("manager@a.test"));
        agent = api.createMember(admin, QStringLiteral("agent"), QStringLiteral("agent@a.test"));
        viewer = api.createMember(admin, QStringLiteral("viewer"), QStringLiteral("viewer@a.test"));
        clientA = api.createClient(admin, QStringLiteral("Sales"));
        if (!manager.valid() || !agent.valid() || !viewer.valid() || clientA.isEmpty())
            return false;
        return api.exec(QStringLiteral("UPDATE clients SET linked = 1, phone_number = ? WHERE id = ?"), {QStringLiteral("+14155550000"), clientA});
    }
    ApiResponse call(const Account &who, const QString &path, const QByteArray &method = "GET", const QJsonValue &body = kNoBody)
    {
        return api.request(method, path, body, ApiTestHarness::apiKey(who.apiKey));
    }
    bool importCsv(const Account &who, const QByteArray &csv)
    {
        HeaderList headers = ApiTestHarness::apiKey(who.apiKey);
        headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/csv")});
        const ApiResponse r = api.requestRaw("POST", QStringLiteral("/api/contacts/import"), csv, headers);
        if (r.status != 200 || r.json.value(QStringLiteral("skipped")).toInt() != 0) {
            qWarning("import: %s", r.describe().constData());
            return false;
        }
        return true;
    }
    QString contactId(const QString &phone)
    {
        return api.rows(QStringLiteral("SELECT id FROM contacts WHERE organization_id = ? AND phone_number = ?"), {admin.organizationId, phone}).value(0);
    }
    // A message row as the engine leaves one, `ageDays` old.
    bool message(const QString &phone, const QString &direction, int ageDays)
    {
        const qint64 at = QDateTime::currentMSecsSinceEpoch() - qint64(ageDays) * 24 * 3600 * 1000;
        return api.exec(QStringLiteral("INSERT INTO messages (id, organization_id, client_id, contact_id, direction, body, status, created_at, updated_at) "
                                       "VALUES (?, ?, ?, ?, ?, 'hi', ?, ?, ?)"),
                        {Ids::make("msg"), admin.organizationId, clientA, contactId(phone), direction,
                         direction == QLatin1String("inbound") ? QStringLiteral("received") : QStringLiteral("sent"), at, at});
    }
    int previewCount(const QJsonObject &rules)
    {
        const ApiResponse r = call(admin, QStringLiteral("/api/segments/preview"), "POST", QJsonObject{{QStringLiteral("rules"), rules}});
        if (r.status != 200) {
            qWarning("preview: %s", r.describe().constData());
            return -1;
        }
        return r.json.value(QStringLiteral("count")).toInt();
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

QJsonArray list(const QStringList &items)
{
    return QJsonArray::fromStringList(items);
}

} // namespace

class TestSegments : public QObject {
    Q_OBJECT

    static void bothDialects()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

private slots:
    void rulesAndPreview_data() { bothDialects(); }
    void rulesAndPreview()
    {
        WADESK_STAGE(s);
        // 0101 vip+de Berlin, 0102 vip Berlin, 0103 de berlin (lower case), 0104 VIP (another
        // case) Hamburg, 0105 nothing; "vip_old" must not count as "vip".
        QVERIFY(s.importCsv(s.admin, "phone,tags,city,plan\n"
                                     "+14155550101,vip|de,Berlin,gold\n"
                                     "+14155550102,vip,Berlin,\n"
                                     "+14155550103,de,berlin,gold\n"
                                     "+14155550104,VIP|vip_old,Hamburg,\n"
                                     "+14155550105,,,\n"));
        // Org B has a Berlin vip too: never counted for org A.
        QVERIFY(s.importCsv(s.otherAdmin, "phone,tags,city\n+14155550101,vip,Berlin\n"));
        QVERIFY(s.message(QStringLiteral("+14155550101"), QStringLiteral("inbound"), 2));
        QVERIFY(s.message(QStringLiteral("+14155550102"), QStringLiteral("inbound"), 40));
        QVERIFY(s.message(QStringLiteral("+14155550102"), QStringLiteral("outbound"), 40));
        QVERIFY(s.message(QStringLiteral("+14155550103"), QStringLiteral("outbound"), 1));

        QCOMPARE(s.previewCount(QJsonObject{}), 5);
        QCOMPARE(s.previewCount(QJsonObject{{QStringLiteral("tags_all"), list({QStringLiteral("vip")})}}), 2);
        QCOMPARE(s.previewCount(QJsonObject{{QStringLiteral("tags_all"), list({QStringLiteral("vip"), QStringLiteral("de")})}}), 1);
        QCOMPARE(s.previewCount(QJsonObject{{QStringLiteral("tags_any"), list({QStringLiteral("vip"), QStringLiteral("de")})}}), 3);
        QCOMPARE(s.previewCount(QJsonObject{{QStringLiteral("attributes"), QJsonObject{{QStringLiteral("city"), QStringLiteral("Berlin")}}}}), 2);
        QCOMPARE(s.previewCount(QJsonObject{{QStringLiteral("attributes"),
                                             QJsonObject{{QStringLiteral("city"), QStringLiteral("Berlin")}, {QStringLiteral("plan"), QStringLiteral("gold")}}}}),
                 1);
        QCOMPARE(s.previewCount(QJsonObject{{QStringLiteral("attributes"), QJsonObject{{QStringLiteral("city"), QStringLiteral("Berl")}}}}), 0);
        QCOMPARE(s.previewCount(QJsonObject{{QStringLiteral("last_inbound_within_days"), 7}}), 1);
        QCOMPARE(s.previewCount(QJsonObject{{QStringLiteral("last_inbound_within_days"), 60}}), 2);
        QCOMPARE(s.previewCount(QJsonObject{{QStringLiteral("never_messaged"), true}}), 3);
        QCOMPARE(s.previewCount(QJsonObject{{QStringLiteral("never_messaged"), false}}), 2);
        QCOMPARE(s.previewCount(QJsonObject{{QStringLiteral("tags_any"), list({QStringLiteral("vip"), QStringLiteral("de")})},
                                            {QStringLiteral("never_messaged"), true}}),
                 1);

        // Saved: create, list, get, preview with a sample, change, delete.
        const QJsonObject rules{{QStringLiteral("tags_all"), list({QStringLiteral("vip")})}};
        const ApiResponse created = s.call(s.manager, QStringLiteral("/api/segments"), "POST",
                                           QJsonObject{{QStringLiteral("name"), QStringLiteral("VIPs")}, {QStringLiteral("rules"), rules}});
        QVERIFY2(created.status == 201, created.describe().constData());
        const QString id = created.json.value(QStringLiteral("segment")).toObject().value(QStringLiteral("id")).toString();
        QCOMPARE(created.json.value(QStringLiteral("segment")).toObject().value(QStringLiteral("rules")).toObject(), rules);
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/segments")).json.value(QStringLiteral("count")).toInt(), 1);
        const ApiResponse preview = s.call(s.admin, QStringLiteral("/api/segments/%1/preview").arg(id));
        QCOMPARE(preview.json.value(QStringLiteral("count")).toInt(), 2);
        QCOMPARE(preview.json.value(QStringLiteral("sample")).toArray().size(), 2);
        QVERIFY(preview.json.value(QStringLiteral("sample")).toArray().at(0).toObject().contains(QStringLiteral("attributes")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/segments"), "POST",
                       QJsonObject{{QStringLiteral("name"), QStringLiteral("VIPs")}, {QStringLiteral("rules"), QJsonObject{}}})
                    .isError(409, QStringLiteral("segment_name_taken")));
        for (const QJsonValue &bad : {QJsonValue(QStringLiteral("vip")), QJsonValue(QJsonObject{{QStringLiteral("tags"), list({QStringLiteral("a")})}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("tags_all"), QStringLiteral("a")}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("tags_any"), list({QStringLiteral("a\"b")})}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("attributes"), QJsonObject{{QStringLiteral("City"), QStringLiteral("x")}}}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("attributes"), QJsonObject{{QStringLiteral("city"), 1}}}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("last_inbound_within_days"), 0}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("last_inbound_within_days"), 1.5}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("never_messaged"), QStringLiteral("yes")}})}) {
            QVERIFY(s.call(s.admin, QStringLiteral("/api/segments"), "POST", QJsonObject{{QStringLiteral("name"), QStringLiteral("Bad")}, {QStringLiteral("rules"), bad}})
                        .isError(400, QStringLiteral("validation_failed")));
            QVERIFY(s.call(s.admin, QStringLiteral("/api/segments/preview"), "POST", QJsonObject{{QStringLiteral("rules"), bad}})
                        .isError(400, QStringLiteral("validation_failed")));
        }
        const ApiResponse changed = s.call(s.admin, QStringLiteral("/api/segments/") + id, "PATCH",
                                           QJsonObject{{QStringLiteral("rules"), QJsonObject{{QStringLiteral("tags_any"), list({QStringLiteral("de")})}}}});
        QVERIFY2(changed.status == 200, changed.describe().constData());
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/segments/%1/preview").arg(id)).json.value(QStringLiteral("count")).toInt(), 2);

        // RBAC and tenants.
        QVERIFY(s.call(s.agent, QStringLiteral("/api/segments")).isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.viewer, QStringLiteral("/api/segments"), "POST", QJsonObject{{QStringLiteral("name"), QStringLiteral("V")}, {QStringLiteral("rules"), QJsonObject{}}})
                    .isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.agent, QStringLiteral("/api/segments/preview"), "POST", QJsonObject{{QStringLiteral("rules"), QJsonObject{}}})
                    .isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/segments/") + id).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/segments/%1/preview").arg(id)).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/segments/") + id, "PATCH", QJsonObject{{QStringLiteral("name"), QStringLiteral("Mine")}})
                    .isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/segments/") + id, "DELETE").isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.call(s.otherAdmin, QStringLiteral("/api/segments")).json.value(QStringLiteral("count")).toInt(), 0);
        QCOMPARE(s.call(s.otherAdmin, QStringLiteral("/api/segments/preview"), "POST", QJsonObject{{QStringLiteral("rules"), QJsonObject{}}})
                     .json.value(QStringLiteral("count"))
                     .toInt(),
                 1);
        QVERIFY(s.call(s.admin, QStringLiteral("/api/segments/seg_%00")).status == 404);
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/segments/") + id, "DELETE").status, 200);
        QVERIFY(s.call(s.admin, QStringLiteral("/api/segments/") + id).isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.api.rows(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE organization_id = ? AND resource = 'segments'"), {s.admin.organizationId})
                     .value(0),
                 QStringLiteral("3"));
    }

    void campaignWithSegment_data() { bothDialects(); }
    void campaignWithSegment()
    {
        WADESK_STAGE(s);
        QVERIFY(s.importCsv(s.admin, "phone,tags,city\n"
                                     "+14155550101,vip,Berlin\n"
                                     "+14155550102,vip,Berlin\n"
                                     "+14155550103,vip,Berlin\n"
                                     "+14155550104,vip,Hamburg\n"));
        const QString stop = s.contactId(QStringLiteral("+14155550103"));
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/contacts/") + stop, "PATCH", QJsonObject{{QStringLiteral("opted_out"), true}}).status, 200);
        const ApiResponse segment = s.call(s.admin, QStringLiteral("/api/segments"), "POST",
                                           QJsonObject{{QStringLiteral("name"), QStringLiteral("Berlin VIPs")},
                                                       {QStringLiteral("rules"), QJsonObject{{QStringLiteral("tags_all"), list({QStringLiteral("vip")})},
                                                                                             {QStringLiteral("attributes"), QJsonObject{{QStringLiteral("city"), QStringLiteral("Berlin")}}}}}});
        QCOMPARE(segment.status, 201);
        const QString segmentId = segment.json.value(QStringLiteral("segment")).toObject().value(QStringLiteral("id")).toString();
        const QJsonObject body{{QStringLiteral("name"), QStringLiteral("Segmented")},
                               {QStringLiteral("client_id"), s.clientA},
                               {QStringLiteral("message"), QStringLiteral("hello")},
                               {QStringLiteral("audience"), QJsonObject{{QStringLiteral("segment_id"), segmentId}}}};
        // Another organization's segment is not an audience.
        QJsonObject theirs = body;
        const QString otherClient = s.api.createClient(s.otherAdmin, QStringLiteral("Theirs"));
        theirs.insert(QStringLiteral("client_id"), otherClient);
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/campaigns"), "POST", theirs).isError(400, QStringLiteral("validation_failed")));

        const ApiResponse created = s.call(s.admin, QStringLiteral("/api/campaigns"), "POST", body);
        QVERIFY2(created.status == 201, created.describe().constData());
        const QString campaignId = created.json.value(QStringLiteral("campaign")).toObject().value(QStringLiteral("id")).toString();
        QCOMPARE(created.json.value(QStringLiteral("campaign")).toObject().value(QStringLiteral("audience")).toObject().value(QStringLiteral("segment_id")).toString(),
                 segmentId);
        // Joins the segment before the start: counted. After the start: not.
        QVERIFY(s.importCsv(s.admin, "phone,tags,city\n+14155550105,vip,Berlin\n"));
        const ApiResponse started = s.call(s.admin, QStringLiteral("/api/campaigns/%1/start").arg(campaignId), "POST");
        QVERIFY2(started.status == 200, started.describe().constData());
        QVERIFY(s.importCsv(s.admin, "phone,tags,city\n+14155550106,vip,Berlin\n"));
        const ApiResponse recipients = s.call(s.admin, QStringLiteral("/api/campaigns/%1/recipients?limit=100").arg(campaignId));
        QVERIFY2(recipients.status == 200, recipients.describe().constData());
        QStringList pending, skipped;
        for (const QJsonValue &v : recipients.json.value(QStringLiteral("recipients")).toArray()) {
            const QJsonObject r = v.toObject();
            (r.value(QStringLiteral("status")).toString() == QLatin1String("skipped") ? skipped : pending) << r.value(QStringLiteral("phone_number")).toString();
        }
        pending.sort();
        QCOMPARE(pending, (QStringList{QStringLiteral("+14155550101"), QStringLiteral("+14155550102"), QStringLiteral("+14155550105")}));
        QCOMPARE(skipped, QStringList{QStringLiteral("+14155550103")});
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/campaigns/") + campaignId).json.value(QStringLiteral("campaign")).toObject().value(QStringLiteral("total")).toInt(), 4);
    }
};

QTEST_GUILESS_MAIN(TestSegments)

#include "tst_segments.moc"

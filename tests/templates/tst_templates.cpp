// Message templates and quick replies (issue 13) over real HTTP (TemplateController,
// QuickReplyController over TemplateService), on SQLite and PostgreSQL; the renderer
// (MessageTemplate) on its own; a campaign made from a template, started and fed to the queue by
// the scheduler (CampaignScheduler) as in tst_campaigns.
//
// Proves: malformed braces (invalid_template) and unknown variables (unknown_variable) refused
// with 422 and their position at create and update, nothing stored or changed; defaults and
// missing values; the preview for a contact (name, attributes), a bare number and another
// organization's contact (404); a template campaign renders each recipient's text at the start
// (frozen: a later edit of the template changes nothing), carries the template's media, skips a
// recipient without a value as missing_variable, one whose text is too long as text_too_long and
// an opted-out one as opted_out; quick replies
// (shortcuts normalised, duplicates 409); RBAC (agents and viewers 403 on templates, agents read
// quick replies, viewers 403) and tenants (another organization's template is 404); audit entries.

#include "tests/support/ApiTestHarness.h"
#include "tests/support/MediaSamples.h"
#include "core/campaigns/CampaignScheduler.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/templates/MessageTemplate.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
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
    // A contact of `who`'s organization with a name, attributes and opt-out; its id, or empty.
    QString contact(const Account &who, const QString &phone, const QString &name, const QJsonObject &attributes, bool optedOut = false)
    {
        SqlRunner sql(api.database());
        ContactRepository contacts(sql);
        Result<ContactRecord> c = contacts.upsert(who.organizationId, phone, QString(), name);
        if (!c)
            return {};
        if (optedOut) {
            ContactRecord changed = c.value();
            changed.optedOut = true;
            changed.optedOutAt = QDateTime::currentMSecsSinceEpoch();
            if (!contacts.update(changed))
                return {};
        }
        if (!api.exec(QStringLiteral("UPDATE contacts SET attributes = ? WHERE id = ?"),
                      {QString::fromUtf8(QJsonDocument(attributes).toJson(QJsonDocument::Compact)), c.value().id}))
            return {};
        return c.value().id;
    }
    int count(const QString &table) { return api.rows(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table)).value(0).toInt(); }
    int audits(const QString &action)
    {
        return api.rows(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE organization_id = ? AND action = ?"), {admin.organizationId, action})
            .value(0)
            .toInt();
    }
};

#define WADESK_STAGE(var)                                                                                         \
    QFETCH(QString, dialect);                                                                                     \
    Stage var;                                                                                                    \
    {                                                                                                             \
        QString whyNot;                                                                                           \
        if (!var.api.start(dialect, &whyNot)) {                                                                   \
            if (dialect == QLatin1String("postgres") && !PgCluster::required() && !whyNot.startsWith(QLatin1String("server:"))) \
                QSKIP(qPrintable(whyNot));                                                                        \
            QFAIL(qPrintable(whyNot));                                                                            \
        }                                                                                                         \
        QVERIFY(var.cast());                                                                                      \
    }

QJsonObject templateBody(const QString &name, const QString &body)
{
    return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("body"), body}};
}

} // namespace

class TestTemplates : public QObject {
    Q_OBJECT

    static void bothDialects()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

private slots:
    void renderer()
    {
        Result<MessageTemplate> t = MessageTemplate::parse(QStringLiteral("Hi {{ name | friend }}, {{attributes.city|there}}: {{phone_number}} {x} }"));
        QVERIFY(t.ok());
        QCOMPARE(t.value().variables(), (QStringList{QStringLiteral("name"), QStringLiteral("attributes.city"), QStringLiteral("phone_number")}));
        TemplateValues v;
        v.phoneNumber = QStringLiteral("+14155550101");
        MessageTemplate::Rendered r = t.value().render(v);
        QCOMPARE(r.text, QStringLiteral("Hi friend, there: +14155550101 {x} }"));
        QVERIFY(r.missing.isEmpty());
        v.name = QStringLiteral("Ana");
        v.attributes.insert(QStringLiteral("city"), QStringLiteral("Lisbon"));
        QCOMPARE(t.value().render(v).text, QStringLiteral("Hi Ana, Lisbon: +14155550101 {x} }"));
        // An empty default is a default; no default and no value is missing.
        Result<MessageTemplate> bare = MessageTemplate::parse(QStringLiteral("{{attributes.zip|}}[{{attributes.city}}]{{name}}"));
        QVERIFY(bare.ok());
        r = bare.value().render(TemplateValues{});
        QCOMPARE(r.missing, QStringLiteral("attributes.city"));
        TemplateValues spaces;
        spaces.attributes.insert(QStringLiteral("city"), QStringLiteral("  "));
        QCOMPARE(bare.value().render(spaces).missing, QStringLiteral("attributes.city")); // blank counts as none

        struct Bad {
            const char *text;
            const char *code;
            int position;
            const char *variable;
        };
        const Bad bad[] = {{"Hi {{name", "invalid_template", 3, nullptr},
                           {"Hi name}} there", "invalid_template", 7, nullptr},
                           {"{{}}", "invalid_template", 0, nullptr},
                           {"a {{ | x}}", "invalid_template", 2, nullptr},
                           {"{{na{{me}}", "invalid_template", 4, nullptr},
                           {"ok {{name}} then {{city}}", "unknown_variable", 17, "city"},
                           {"{{attributes.}}", "unknown_variable", 0, "attributes."},
                           {"{{attributes.a b}}", "unknown_variable", 0, "attributes.a b"},
                           {"{{Name}}", "unknown_variable", 0, "Name"}};
        for (const Bad &b : bad) {
            Result<MessageTemplate> p = MessageTemplate::parse(QString::fromUtf8(b.text));
            QVERIFY2(!p.ok(), b.text);
            QCOMPARE(p.error().httpStatus, 422);
            QCOMPARE(p.error().code, QString::fromLatin1(b.code));
            QCOMPARE(p.error().details.value(QStringLiteral("position")).toInt(), b.position);
            if (b.variable)
                QCOMPARE(p.error().details.value(QStringLiteral("variable")).toString(), QString::fromUtf8(b.variable));
        }
        QVERIFY(MessageTemplate::parse(QString()).ok());
        QVERIFY(MessageTemplate::parse(QStringLiteral("no variables at all {")).ok());
    }

    void templatesCrud_data() { bothDialects(); }
    void templatesCrud()
    {
        WADESK_STAGE(s);
        const ApiResponse created = s.call(s.manager, QStringLiteral("/api/templates"), "POST",
                                           templateBody(QStringLiteral("Welcome"), QStringLiteral("Hi {{name|there}} in {{attributes.city}}")));
        QVERIFY2(created.status == 201, created.describe().constData());
        const QJsonObject t = created.json.value(QStringLiteral("template")).toObject();
        const QString id = t.value(QStringLiteral("id")).toString();
        QVERIFY(id.startsWith(QStringLiteral("tpl_")));
        QCOMPARE(t.value(QStringLiteral("variables")).toArray(), (QJsonArray{QStringLiteral("name"), QStringLiteral("attributes.city")}));
        QVERIFY(t.value(QStringLiteral("media_id")).isNull());
        QCOMPARE(s.audits(QStringLiteral("create_template")), 1);

        // Refused at creation: nothing stored.
        const int before = s.count(QStringLiteral("message_templates"));
        ApiResponse r = s.call(s.admin, QStringLiteral("/api/templates"), "POST", templateBody(QStringLiteral("Bad"), QStringLiteral("Hi {{nam}}")));
        QVERIFY2(r.isError(422, QStringLiteral("unknown_variable")), r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("details")).toObject().value(QStringLiteral("variable")).toString(), QStringLiteral("nam"));
        QCOMPARE(r.json.value(QStringLiteral("details")).toObject().value(QStringLiteral("position")).toInt(), 3);
        r = s.call(s.admin, QStringLiteral("/api/templates"), "POST", templateBody(QStringLiteral("Bad"), QStringLiteral("Hi {{name")));
        QVERIFY2(r.isError(422, QStringLiteral("invalid_template")), r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("details")).toObject().value(QStringLiteral("position")).toInt(), 3);
        QVERIFY(s.call(s.admin, QStringLiteral("/api/templates"), "POST", templateBody(QStringLiteral("Welcome"), QStringLiteral("x")))
                    .isError(409, QStringLiteral("template_name_taken")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/templates"), "POST", templateBody(QStringLiteral("N") + QChar(0) + QStringLiteral("UL"), QStringLiteral("x")))
                    .isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/templates"), "POST", templateBody(QStringLiteral("Empty"), QStringLiteral("  ")))
                    .isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/templates"), "POST", QJsonObject{{QStringLiteral("body"), QStringLiteral("x")}})
                    .isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/templates"), "POST", QJsonObject{{QStringLiteral("name"), 5}, {QStringLiteral("body"), QStringLiteral("x")}})
                    .isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/templates"), "POST",
                       QJsonObject{{QStringLiteral("name"), QStringLiteral("M")}, {QStringLiteral("body"), QStringLiteral("x")}, {QStringLiteral("media_id"), QStringLiteral("media_nope")}})
                    .isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.count(QStringLiteral("message_templates")), before);

        // Update: a bad body changes nothing; a good one is kept.
        r = s.call(s.admin, QStringLiteral("/api/templates/") + id, "PATCH", QJsonObject{{QStringLiteral("body"), QStringLiteral("{{attributes.city}} }}")}});
        QVERIFY2(r.isError(422, QStringLiteral("invalid_template")), r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("details")).toObject().value(QStringLiteral("position")).toInt(), 20);
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/templates/") + id).json.value(QStringLiteral("template")).toObject().value(QStringLiteral("body")).toString(),
                 QStringLiteral("Hi {{name|there}} in {{attributes.city}}"));
        r = s.call(s.admin, QStringLiteral("/api/templates/") + id, "PATCH", QJsonObject{{QStringLiteral("name"), QStringLiteral("Hello")}});
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("template")).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("Hello"));
        QCOMPARE(r.json.value(QStringLiteral("template")).toObject().value(QStringLiteral("body")).toString(),
                 QStringLiteral("Hi {{name|there}} in {{attributes.city}}"));
        QCOMPARE(s.audits(QStringLiteral("update_template")), 1);

        // Media: the organization's own file.
        const QString media = s.call(s.admin, QStringLiteral("/api/media/upload"), "POST",
                                     QJsonObject{{QStringLiteral("file"), QString::fromLatin1(MediaSamples::pdf().toBase64())},
                                                 {QStringLiteral("filename"), QStringLiteral("menu.pdf")}})
                                  .json.value(QStringLiteral("media")).toObject().value(QStringLiteral("id")).toString();
        QVERIFY(!media.isEmpty());
        r = s.call(s.admin, QStringLiteral("/api/templates"), "POST",
                   QJsonObject{{QStringLiteral("name"), QStringLiteral("Menu")}, {QStringLiteral("body"), QString()}, {QStringLiteral("media_id"), media}});
        QVERIFY2(r.status == 201, r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("template")).toObject().value(QStringLiteral("media_id")).toString(), media);
        const QString menu = r.json.value(QStringLiteral("template")).toObject().value(QStringLiteral("id")).toString();
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/templates"), "POST",
                       QJsonObject{{QStringLiteral("name"), QStringLiteral("Theirs")}, {QStringLiteral("body"), QStringLiteral("x")}, {QStringLiteral("media_id"), media}})
                    .isError(404, QStringLiteral("not_found")));

        const ApiResponse list = s.call(s.admin, QStringLiteral("/api/templates"));
        QCOMPARE(list.json.value(QStringLiteral("total")).toInt(), 2);
        QCOMPARE(list.json.value(QStringLiteral("templates")).toArray().at(0).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("Hello"));

        // RBAC and tenants.
        for (const Account *who : {&s.agent, &s.viewer}) {
            QVERIFY(s.call(*who, QStringLiteral("/api/templates")).isError(403, QStringLiteral("forbidden")));
            QVERIFY(s.call(*who, QStringLiteral("/api/templates"), "POST", templateBody(QStringLiteral("X"), QStringLiteral("x"))).isError(403, QStringLiteral("forbidden")));
            QVERIFY(s.call(*who, QStringLiteral("/api/templates/") + id, "DELETE").isError(403, QStringLiteral("forbidden")));
        }
        QCOMPARE(s.call(s.otherAdmin, QStringLiteral("/api/templates")).json.value(QStringLiteral("total")).toInt(), 0);
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/templates/") + id).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/templates/") + id, "PATCH", QJsonObject{{QStringLiteral("name"), QStringLiteral("Mine")}})
                    .isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/templates/") + id, "DELETE").isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/templates/%1/preview").arg(id), "POST", QJsonObject{{QStringLiteral("phone_number"), QStringLiteral("+14155550101")}})
                    .isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/templates/not-an-id")).isError(404, QStringLiteral("not_found")));

        QCOMPARE(s.call(s.admin, QStringLiteral("/api/templates/") + menu, "DELETE").status, 200);
        QVERIFY(s.call(s.admin, QStringLiteral("/api/templates/") + menu).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/templates/") + menu, "DELETE").isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.audits(QStringLiteral("delete_template")), 1);
    }

    void preview_data() { bothDialects(); }
    void preview()
    {
        WADESK_STAGE(s);
        const ApiResponse created = s.call(s.admin, QStringLiteral("/api/templates"), "POST",
                                           templateBody(QStringLiteral("T"), QStringLiteral("Hi {{name|friend}} from {{attributes.city}} ({{phone_number}})")));
        QCOMPARE(created.status, 201);
        const QString path = QStringLiteral("/api/templates/%1/preview").arg(created.json.value(QStringLiteral("template")).toObject().value(QStringLiteral("id")).toString());
        const QString ana = s.contact(s.admin, QStringLiteral("+14155550101"), QStringLiteral("Ana"), {{QStringLiteral("city"), QStringLiteral("Lisbon")}});
        const QString nameless = s.contact(s.admin, QStringLiteral("+14155550102"), QString(), {});
        const QString theirs = s.contact(s.otherAdmin, QStringLiteral("+14155550103"), QStringLiteral("Bo"), {{QStringLiteral("city"), QStringLiteral("Oslo")}});
        QVERIFY(!ana.isEmpty() && !nameless.isEmpty() && !theirs.isEmpty());

        ApiResponse r = s.call(s.admin, path, "POST", QJsonObject{{QStringLiteral("contact_id"), ana}});
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("text")).toString(), QStringLiteral("Hi Ana from Lisbon (+14155550101)"));
        QVERIFY(r.json.value(QStringLiteral("missing_variable")).isNull());
        r = s.call(s.admin, path, "POST", QJsonObject{{QStringLiteral("contact_id"), nameless}});
        QCOMPARE(r.json.value(QStringLiteral("missing_variable")).toString(), QStringLiteral("attributes.city"));
        QCOMPARE(r.json.value(QStringLiteral("text")).toString(), QStringLiteral("Hi friend from  (+14155550102)"));
        // A number: the contact's values when it is one, else the number alone.
        r = s.call(s.admin, path, "POST", QJsonObject{{QStringLiteral("phone_number"), QStringLiteral("+1 415 555 0101")}});
        QCOMPARE(r.json.value(QStringLiteral("text")).toString(), QStringLiteral("Hi Ana from Lisbon (+14155550101)"));
        r = s.call(s.admin, path, "POST", QJsonObject{{QStringLiteral("phone_number"), QStringLiteral("+14155550103")}});
        QCOMPARE(r.json.value(QStringLiteral("missing_variable")).toString(), QStringLiteral("attributes.city")); // not Org B's Bo
        QVERIFY(s.call(s.admin, path, "POST", QJsonObject{{QStringLiteral("contact_id"), theirs}}).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.admin, path, "POST", QJsonObject{}).isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, path, "POST", QJsonObject{{QStringLiteral("contact_id"), ana}, {QStringLiteral("phone_number"), QStringLiteral("+14155550101")}})
                    .isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, path, "POST", QJsonObject{{QStringLiteral("phone_number"), QStringLiteral("12")}}).isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, path, "POST", QJsonObject{{QStringLiteral("contact_id"), QStringLiteral("contact_") + QChar(0)}}).isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.agent, path, "POST", QJsonObject{{QStringLiteral("contact_id"), ana}}).isError(403, QStringLiteral("forbidden")));
    }

    void campaignWithTemplate_data() { bothDialects(); }
    void campaignWithTemplate()
    {
        WADESK_STAGE(s);
        const QString media = s.call(s.admin, QStringLiteral("/api/media/upload"), "POST",
                                     QJsonObject{{QStringLiteral("file"), QString::fromLatin1(MediaSamples::pdf().toBase64())},
                                                 {QStringLiteral("filename"), QStringLiteral("menu.pdf")}})
                                  .json.value(QStringLiteral("media")).toObject().value(QStringLiteral("id")).toString();
        QVERIFY(!media.isEmpty());
        const QString body = QStringLiteral("Hi {{name|friend}}, our {{attributes.city}} menu");
        const ApiResponse created = s.call(s.admin, QStringLiteral("/api/templates"), "POST",
                                           QJsonObject{{QStringLiteral("name"), QStringLiteral("Menu")}, {QStringLiteral("body"), body}, {QStringLiteral("media_id"), media}});
        QCOMPARE(created.status, 201);
        const QString templateId = created.json.value(QStringLiteral("template")).toObject().value(QStringLiteral("id")).toString();
        const QString ana = s.contact(s.admin, QStringLiteral("+14155550101"), QStringLiteral("Ana"), {{QStringLiteral("city"), QStringLiteral("Lisbon")}});
        const QString nameless = s.contact(s.admin, QStringLiteral("+14155550102"), QString(), {{QStringLiteral("city"), QStringLiteral("Porto")}});
        const QString cityless = s.contact(s.admin, QStringLiteral("+14155550103"), QStringLiteral("Cy"), {});
        const QString stopped = s.contact(s.admin, QStringLiteral("+14155550104"), QStringLiteral("Di"), {{QStringLiteral("city"), QStringLiteral("Faro")}}, true);
        QVERIFY(!ana.isEmpty() && !nameless.isEmpty() && !cityless.isEmpty() && !stopped.isEmpty());

        const QJsonObject campaign{{QStringLiteral("name"), QStringLiteral("Menus")},
                                   {QStringLiteral("client_id"), s.clientA},
                                   {QStringLiteral("template_id"), templateId},
                                   {QStringLiteral("audience"), QJsonObject{{QStringLiteral("contact_ids"), QJsonArray{ana, nameless, cityless, stopped}},
                                                                            {QStringLiteral("numbers"), QJsonArray{QStringLiteral("+14155550105")}}}}};
        // Another organization cannot use the template.
        QJsonObject theirs = campaign;
        theirs.remove(QStringLiteral("audience"));
        theirs.insert(QStringLiteral("client_id"), s.api.createClient(s.otherAdmin, QStringLiteral("Theirs")));
        theirs.insert(QStringLiteral("audience"), QJsonObject{{QStringLiteral("numbers"), QJsonArray{QStringLiteral("+14155550101")}}});
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/campaigns"), "POST", theirs).isError(404, QStringLiteral("not_found")));

        ApiResponse r = s.call(s.admin, QStringLiteral("/api/campaigns"), "POST", campaign);
        QVERIFY2(r.status == 201, r.describe().constData());
        QJsonObject c = r.json.value(QStringLiteral("campaign")).toObject();
        const QString id = c.value(QStringLiteral("id")).toString();
        QCOMPARE(c.value(QStringLiteral("template_id")).toString(), templateId);
        QCOMPARE(c.value(QStringLiteral("message")).toString(), body);
        QCOMPARE(c.value(QStringLiteral("media_id")).toString(), media);
        r = s.call(s.admin, QStringLiteral("/api/campaigns/%1/start").arg(id), "POST");
        QVERIFY2(r.status == 200, r.describe().constData());
        c = r.json.value(QStringLiteral("campaign")).toObject();
        QCOMPARE(c.value(QStringLiteral("total")).toInt(), 5);
        QCOMPARE(c.value(QStringLiteral("pending")).toInt(), 2);
        QCOMPARE(c.value(QStringLiteral("skipped")).toInt(), 3);

        // Frozen: editing the template now changes nothing of this campaign.
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/templates/") + templateId, "PATCH", QJsonObject{{QStringLiteral("body"), QStringLiteral("Changed {{name}}")}}).status, 200);
        const QStringList rows = s.api.rows(QStringLiteral("SELECT phone_number, status, reason, body FROM campaign_recipients WHERE campaign_id = ? ORDER BY phone_number"), {id}, 4);
        QCOMPARE(rows, (QStringList{QStringLiteral("+14155550101|pending|NULL|Hi Ana, our Lisbon menu"),
                                    QStringLiteral("+14155550102|pending|NULL|Hi friend, our Porto menu"),
                                    QStringLiteral("+14155550103|skipped|missing_variable|") + body,
                                    QStringLiteral("+14155550104|skipped|opted_out|") + body,
                                    QStringLiteral("+14155550105|skipped|missing_variable|") + body}));
        const QJsonObject analytics = s.call(s.admin, QStringLiteral("/api/analytics/campaigns/") + id).json;
        QCOMPARE(analytics.value(QStringLiteral("skipped_by_reason")).toObject().value(QStringLiteral("missing_variable")).toInt(), 2);

        // The scheduler queues the rendered text with the template's media.
        CampaignScheduler scheduler(s.api.database(), nullptr, nullptr, MessagingSettings(), CampaignSettings());
        QCOMPARE(scheduler.runOnce(), 1);
        const QStringList queued = s.api.rows(QStringLiteral("SELECT m.body, m.media_id FROM campaign_recipients r JOIN messages m ON m.id = r.message_id "
                                                             "WHERE r.campaign_id = ?"),
                                              {id}, 2);
        QCOMPARE(queued, QStringList{QStringLiteral("Hi Ana, our Lisbon menu|") + media});

        // message and template_id together: 400.
        QJsonObject both = campaign;
        both.insert(QStringLiteral("message"), QStringLiteral("x"));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns"), "POST", both).isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.agent, QStringLiteral("/api/campaigns"), "POST", campaign).isError(403, QStringLiteral("forbidden")));

        // A rendered text longer than a message may be is skipped, not cut.
        const QString longBio = s.contact(s.admin, QStringLiteral("+14155550106"), QStringLiteral("Ed"), {{QStringLiteral("bio"), QString(4097, QLatin1Char('x'))}});
        const QString shortBio = s.contact(s.admin, QStringLiteral("+14155550107"), QStringLiteral("Fi"), {{QStringLiteral("bio"), QStringLiteral("short")}});
        r = s.call(s.admin, QStringLiteral("/api/templates"), "POST", templateBody(QStringLiteral("Bio"), QStringLiteral("{{attributes.bio}}")));
        QCOMPARE(r.status, 201);
        r = s.call(s.admin, QStringLiteral("/api/campaigns"), "POST",
                   QJsonObject{{QStringLiteral("name"), QStringLiteral("Bios")},
                               {QStringLiteral("client_id"), s.clientA},
                               {QStringLiteral("template_id"), r.json.value(QStringLiteral("template")).toObject().value(QStringLiteral("id")).toString()},
                               {QStringLiteral("audience"), QJsonObject{{QStringLiteral("contact_ids"), QJsonArray{longBio, shortBio}}}}});
        QCOMPARE(r.status, 201);
        const QString bios = r.json.value(QStringLiteral("campaign")).toObject().value(QStringLiteral("id")).toString();
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/campaigns/%1/start").arg(bios), "POST").status, 200);
        QCOMPARE(s.api.rows(QStringLiteral("SELECT phone_number, status, reason FROM campaign_recipients WHERE campaign_id = ? ORDER BY phone_number"), {bios}, 3),
                 (QStringList{QStringLiteral("+14155550106|skipped|text_too_long"), QStringLiteral("+14155550107|pending|NULL")}));
    }

    void quickReplies_data() { bothDialects(); }
    void quickReplies()
    {
        WADESK_STAGE(s);
        ApiResponse r = s.call(s.manager, QStringLiteral("/api/quick-replies"), "POST",
                               QJsonObject{{QStringLiteral("shortcut"), QStringLiteral(" Hours ")}, {QStringLiteral("text"), QStringLiteral("We are open 9-18.")}});
        QVERIFY2(r.status == 201, r.describe().constData());
        const QString id = r.json.value(QStringLiteral("quick_reply")).toObject().value(QStringLiteral("id")).toString();
        QCOMPARE(r.json.value(QStringLiteral("quick_reply")).toObject().value(QStringLiteral("shortcut")).toString(), QStringLiteral("hours"));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/quick-replies"), "POST",
                       QJsonObject{{QStringLiteral("shortcut"), QStringLiteral("HOURS")}, {QStringLiteral("text"), QStringLiteral("again")}})
                    .isError(409, QStringLiteral("shortcut_taken")));
        for (const QString &bad : {QStringLiteral(""), QStringLiteral("two words"), QStringLiteral("/slash"), QString(33, QLatin1Char('a'))})
            QVERIFY2(s.call(s.admin, QStringLiteral("/api/quick-replies"), "POST", QJsonObject{{QStringLiteral("shortcut"), bad}, {QStringLiteral("text"), QStringLiteral("x")}})
                         .isError(400, QStringLiteral("validation_failed")),
                     qPrintable(bad));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/quick-replies"), "POST", QJsonObject{{QStringLiteral("shortcut"), QStringLiteral("x")}, {QStringLiteral("text"), QStringLiteral(" ")}})
                    .isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/quick-replies"), "POST", QJsonObject{{QStringLiteral("shortcut"), QStringLiteral("x")}, {QStringLiteral("text"), QStringLiteral("a") + QChar(0) + QStringLiteral("b")}})
                    .isError(400, QStringLiteral("validation_failed")));
        QCOMPARE(s.count(QStringLiteral("quick_replies")), 1);
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/quick-replies"), "POST",
                        QJsonObject{{QStringLiteral("shortcut"), QStringLiteral("addr")}, {QStringLiteral("text"), QStringLiteral("Main St 1")}}).status, 201);

        // Agents read them; viewers do not; only admins and managers change them.
        r = s.call(s.agent, QStringLiteral("/api/quick-replies"));
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("total")).toInt(), 2);
        QCOMPARE(r.json.value(QStringLiteral("quick_replies")).toArray().at(0).toObject().value(QStringLiteral("shortcut")).toString(), QStringLiteral("addr"));
        QVERIFY(s.call(s.viewer, QStringLiteral("/api/quick-replies")).isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.agent, QStringLiteral("/api/quick-replies"), "POST", QJsonObject{{QStringLiteral("shortcut"), QStringLiteral("y")}, {QStringLiteral("text"), QStringLiteral("y")}})
                    .isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.agent, QStringLiteral("/api/quick-replies/") + id, "PATCH", QJsonObject{{QStringLiteral("text"), QStringLiteral("y")}}).isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.agent, QStringLiteral("/api/quick-replies/") + id, "DELETE").isError(403, QStringLiteral("forbidden")));

        r = s.call(s.admin, QStringLiteral("/api/quick-replies/") + id, "PATCH", QJsonObject{{QStringLiteral("text"), QStringLiteral("Open 8-20.")}});
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("quick_reply")).toObject().value(QStringLiteral("text")).toString(), QStringLiteral("Open 8-20."));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/quick-replies/") + id, "PATCH", QJsonObject{{QStringLiteral("shortcut"), QStringLiteral("addr")}})
                    .isError(409, QStringLiteral("shortcut_taken")));

        // Tenants.
        QCOMPARE(s.call(s.otherAdmin, QStringLiteral("/api/quick-replies")).json.value(QStringLiteral("total")).toInt(), 0);
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/quick-replies/") + id, "PATCH", QJsonObject{{QStringLiteral("text"), QStringLiteral("mine")}})
                    .isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/quick-replies/") + id, "DELETE").isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.call(s.otherAdmin, QStringLiteral("/api/quick-replies"), "POST",
                        QJsonObject{{QStringLiteral("shortcut"), QStringLiteral("hours")}, {QStringLiteral("text"), QStringLiteral("theirs")}}).status, 201);

        QCOMPARE(s.call(s.admin, QStringLiteral("/api/quick-replies/") + id, "DELETE").status, 200);
        QVERIFY(s.call(s.admin, QStringLiteral("/api/quick-replies/") + id, "DELETE").isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.audits(QStringLiteral("create_quick_reply")), 2);
        QCOMPARE(s.audits(QStringLiteral("update_quick_reply")), 1);
        QCOMPARE(s.audits(QStringLiteral("delete_quick_reply")), 1);
    }
};

QTEST_GUILESS_MAIN(TestTemplates)
#include "tst_templates.moc"

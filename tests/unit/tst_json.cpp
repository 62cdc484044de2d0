// core/common/Json: the ISO-8601 writer used by every list answer must give exactly what
// QDateTime::toString(Qt::ISODateWithMs) gives for UTC, and parseIsoTime must read it back; the
// direct JSON writer of the client list must give the very bytes QJsonDocument gives for the
// QJsonObject view (escapes, non-ASCII, lone surrogates, nulls included).

#include "core/api/controllers/JsonViews.h"
#include "core/common/Json.h"
#include "core/common/UtcTime.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>
#include <limits>

using namespace wadesk;

class TestJson : public QObject {
    Q_OBJECT
private slots:
    void isoTimeMatchesQDateTime_data()
    {
        QTest::addColumn<qint64>("msecs");
        const auto at = [](const char *iso) { return QDateTime::fromString(QLatin1String(iso), Qt::ISODateWithMs).toMSecsSinceEpoch(); };
        QTest::newRow("epoch + 1 ms") << qint64(1);
        QTest::newRow("1970-01-01T23:59:59.999") << at("1970-01-01T23:59:59.999Z");
        QTest::newRow("1972-02-29 (leap)") << at("1972-02-29T12:00:00.000Z");
        QTest::newRow("1999-12-31 end") << at("1999-12-31T23:59:59.999Z");
        QTest::newRow("2000-02-29 (400-year leap)") << at("2000-02-29T00:00:00.001Z");
        QTest::newRow("2000-03-01") << at("2000-03-01T00:00:00.000Z");
        QTest::newRow("2024-01-15T10:30:00Z (the guide)") << at("2024-01-15T10:30:00.000Z");
        QTest::newRow("2100-02-28 (no leap)") << at("2100-02-28T23:59:59.999Z");
        QTest::newRow("2100-03-01") << at("2100-03-01T00:00:00.000Z");
        QTest::newRow("9999-12-31 last ms") << at("9999-12-31T23:59:59.999Z");
        QTest::newRow("year 10000 (slow path)") << at("9999-12-31T23:59:59.999Z") + 1;
        QTest::newRow("now") << QDateTime::currentMSecsSinceEpoch();
        QRandomGenerator rng(20240115);
        for (int i = 0; i < 200; ++i) {
            const qint64 v = qint64(rng.bounded(quint64(253402300800000ULL))) + 1;
            QTest::newRow(qPrintable(QStringLiteral("random %1").arg(v))) << v;
        }
    }

    void isoTimeMatchesQDateTime()
    {
        QFETCH(qint64, msecs);
        const QString expected = UtcTime::fromMSecs(msecs).toString(Qt::ISODateWithMs);
        QCOMPARE(Json::isoTime(msecs).toString(), expected);
        if (msecs < 253402300800000LL) // the API's times end in Z on every Qt (6.8 writes a UTC zone as +00:00)
            QVERIFY2(expected.endsWith(QLatin1Char('Z')), qPrintable(expected));
        if (msecs < 253402300800000LL) // QDateTime writes no ISO text beyond year 9999
            QCOMPARE(Json::parseIsoTime(expected), std::optional<qint64>(msecs));
        // The writer's own formatting (lists use it) writes the same string.
        Json::Writer written;
        written.beginArray().time(msecs).endArray();
        QCOMPARE(written.take(), QJsonDocument(QJsonArray{expected}).toJson(QJsonDocument::Compact));
    }

    void writerMatchesQJsonDocument_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("plain") << QStringLiteral("Sales Team");
        QTest::newRow("empty") << QString();
        QTest::newRow("quotes and backslashes") << QStringLiteral("a \"quoted\" \\ path\\");
        QTest::newRow("control characters") << QString::fromUtf16(u"tab\tnl\ncr\rbs\bff\f\x01\x1f\x7f end");
        QTest::newRow("nul") << QString(QChar(0)) + QStringLiteral("x");
        QTest::newRow("latin-1 and cjk") << QString::fromUtf16(u"Caf\u00e9 \u00fc\u00df \u4f60\u597d \u20ac");
        QTest::newRow("emoji (surrogate pair)") << QString::fromUtf16(u"hi \U0001F600 \U0001F469\u200D\U0001F4BB");
        QTest::newRow("lone high surrogate") << QString::fromUtf16(u"a\xD800" u"b");
        QTest::newRow("lone low surrogate at end") << QString::fromUtf16(u"a\xDC00");
        QTest::newRow("reversed pair") << QString::fromUtf16(u"\xDC00\xD800");
        QTest::newRow("html") << QStringLiteral("</script><b>&amp;</b>");
    }

    void writerMatchesQJsonDocument()
    {
        QFETCH(QString, text);
        QList<ClientRecord> rows;
        for (int i = 0; i < 3; ++i) {
            ClientRecord c;
            c.id = QStringLiteral("client_%1").arg(i);
            c.organizationId = QStringLiteral("org_1");
            c.name = text;
            c.phoneNumber = i == 1 ? QString() : QStringLiteral("+14155552671");
            c.status = i == 2 ? text : QStringLiteral("initializing");
            c.createdAt = i == 0 ? 0 : 1705314600000 + i;
            rows << c;
        }
        QJsonArray items;
        Json::Writer out;
        out.beginObject().key(QLatin1String("clients")).beginArray();
        for (const ClientRecord &c : rows) {
            items.append(JsonViews::client(c));
            JsonViews::writeClient(out, c);
        }
        out.endArray().key(QLatin1String("count")).value(qint64(rows.size())).key(QLatin1String("flag")).value(true);
        out.key(QLatin1String("nothing")).null().key(QLatin1String("total")).value(-42).endObject();
        const QByteArray expected = QJsonDocument(QJsonObject{{QStringLiteral("clients"), items},
                                                              {QStringLiteral("count"), rows.size()},
                                                              {QStringLiteral("flag"), true},
                                                              {QStringLiteral("nothing"), QJsonValue::Null},
                                                              {QStringLiteral("total"), -42}})
                                        .toJson(QJsonDocument::Compact);
        const QByteArray written = out.take();
        QCOMPARE(written, expected);
        QJsonParseError error;
        QJsonDocument::fromJson(written, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
    }

    void messageWriterMatchesMessageView_data() { writerMatchesQJsonDocument_data(); }
    void messageWriterMatchesMessageView()
    {
        QFETCH(QString, text);
        QList<MessageRecord> rows;
        for (int i = 0; i < 4; ++i) {
            MessageRecord m;
            m.id = QStringLiteral("msg_%1").arg(i);
            m.clientId = QStringLiteral("client_1");
            m.contactId = QStringLiteral("contact_%1").arg(i);
            m.contactPhone = QStringLiteral("+1415555267%1").arg(i);
            m.body = text;
            m.type = i == 0 ? QString() : QStringLiteral("image");
            m.caption = i == 1 ? text : QString();
            m.filename = i == 2 ? text : QString();
            m.mediaId = i == 1 ? QStringLiteral("med_1") : QString();
            m.mediaStatus = i == 3 ? QStringLiteral("failed") : QString();
            m.mediaError = i == 3 ? text : QString();
            m.direction = i % 2 ? MessageDirection::Inbound : MessageDirection::Outbound;
            m.status = i % 2 ? MessageStatus::Received : MessageStatus::Read;
            m.failureReason = i == 2 ? text : QString();
            m.waMessageId = i == 0 ? QString() : QStringLiteral("true_%1@c.us_ABC").arg(i);
            m.createdAt = 1705314600000 + i;
            m.sendingAt = i == 0 ? 1705314600100 : 0;
            m.sentAt = 1705314601000 + i;
            m.deliveredAt = i == 2 ? 1705314602000 : 0;
            m.readAt = i == 0 ? 1705314603000 : 0;
            m.failedAt = i == 3 ? 1705314604000 : 0;
            m.editedAt = i == 1 ? 1705314605000 : 0;
            m.revokedAt = i == 3 ? 1705314606000 : 0;
            if (i == 1)
                m.details.insert(QStringLiteral("location"), QJsonObject{{QStringLiteral("latitude"), 52.5}, {QStringLiteral("name"), text}});
            if (i == 3)
                m.details.insert(QStringLiteral("contacts"),
                                 QJsonArray{QJsonObject{{QStringLiteral("name"), text}, {QStringLiteral("vcard"), QStringLiteral("BEGIN:VCARD")}}});
            rows << m;
        }
        for (const MessageRecord &m : rows) {
            Json::Writer out;
            JsonViews::writeMessage(out, m);
            QCOMPARE(out.take(), QJsonDocument(JsonViews::message(m)).toJson(QJsonDocument::Compact));
        }
    }

    void writerEmptyContainers()
    {
        Json::Writer out;
        out.beginObject().key(QLatin1String("a")).beginArray().endArray().key(QLatin1String("b")).beginObject().endObject();
        out.key(QLatin1String("c")).beginArray().beginObject().endObject().beginArray().endArray().endArray().endObject();
        QCOMPARE(out.take(), QByteArray(R"({"a":[],"b":{},"c":[{},[]]})"));
        Json::Writer numbers;
        numbers.beginArray().value(std::numeric_limits<qint64>::min()).value(std::numeric_limits<qint64>::max()).value(0).value(-7);
        numbers.value(false).endArray();
        QCOMPARE(numbers.take(), QByteArray("[-9223372036854775808,9223372036854775807,0,-7,false]"));
    }

    void isoTimeOfNothingIsNull()
    {
        QVERIFY(Json::isoTime(0).isNull());
        QVERIFY(Json::isoTime(-5).isNull());
        Json::Writer written;
        written.beginArray().time(0).time(-5).endArray();
        QCOMPARE(written.take(), QByteArray("[null,null]"));
    }
};

QTEST_GUILESS_MAIN(TestJson)
#include "tst_json.moc"

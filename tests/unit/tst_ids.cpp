#include "core/common/Ids.h"

#include <QSet>
#include <QTest>

using namespace wadesk;

class TestIds : public QObject {
    Q_OBJECT
private slots:
    void hasPrefixAndFixedShape()
    {
        const QString id = Ids::make("org");
        QVERIFY(id.startsWith(QLatin1String("org_")));
        QCOMPARE(id.size(), 4 + 26);
        QVERIFY(Ids::looksValid(id, "org"));
        QVERIFY(!Ids::looksValid(id, "user"));
        QVERIFY(!Ids::looksValid(QStringLiteral("org_") + QString(26, QLatin1Char('U')), "org"));
        QVERIFY(!Ids::looksValid(QStringLiteral("org_1"), "org"));
    }

    void sortsByCreationTime()
    {
        const QString earlier = Ids::makeAt("msg", 1700000000000);
        const QString later = Ids::makeAt("msg", 1700000000001);
        QVERIFY(earlier < later);
        QVERIFY(Ids::makeAt("msg", 1) < Ids::makeAt("msg", 0xFFFFFFFFFFFF));
    }

    void monotonicWithinOneMillisecond()
    {
        QString previous;
        for (int i = 0; i < 1000; ++i) {
            const QString id = Ids::makeAt("msg", 1800000000000);
            if (!previous.isEmpty())
                QVERIFY2(previous < id, qPrintable(previous + QLatin1String(" !< ") + id));
            previous = id;
        }
    }

    void uniqueAcrossManyCalls()
    {
        QSet<QString> seen;
        for (int i = 0; i < 20000; ++i)
            seen.insert(Ids::make("key"));
        QCOMPARE(seen.size(), 20000);
    }
};

QTEST_GUILESS_MAIN(TestIds)
#include "tst_ids.moc"

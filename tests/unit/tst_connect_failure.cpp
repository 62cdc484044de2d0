#include "core/db/ConnectFailure.h"

#include <QTest>

using namespace wadesk;

Q_DECLARE_METATYPE(wadesk::ConnectFailure)

// libpq's messages as QPSQL reports them ("<libpq text> QPSQL: Unable to connect"). The ones a
// test cluster cannot produce (it trusts local users) are copied from PostgreSQL's sources:
// src/backend/libpq/auth.c and src/interfaces/libpq/fe-auth.c, fe-connect.c.
class TestConnectFailure : public QObject {
    Q_OBJECT
private slots:
    void classifiesLibpqMessages_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<ConnectFailure>("expected");
        QTest::newRow("password") << QStringLiteral("connection to server at \"10.0.0.5\", port 5432 failed: FATAL:  password "
                                                    "authentication failed for user \"wadesk\"\nQPSQL: Unable to connect")
                                  << ConnectFailure::Authentication;
        QTest::newRow("no password") << QStringLiteral("fe_sendauth: no password supplied\nQPSQL: Unable to connect")
                                     << ConnectFailure::Authentication;
        QTest::newRow("role") << QStringLiteral("connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  role \"nobody\" "
                                                "does not exist\nQPSQL: Unable to connect")
                              << ConnectFailure::RoleMissing;
        QTest::newRow("database") << QStringLiteral("FATAL:  database \"shop\" does not exist\nQPSQL: Unable to connect")
                                  << ConnectFailure::DatabaseMissing;
        QTest::newRow("hba") << QStringLiteral("FATAL:  no pg_hba.conf entry for host \"10.1.2.3\", user \"wadesk\", database "
                                               "\"wadesk\", no encryption\nQPSQL: Unable to connect")
                             << ConnectFailure::HostNotAllowed;
        QTest::newRow("dns") << QStringLiteral("could not translate host name \"db.example\" to address: Name or service not "
                                               "known\nQPSQL: Unable to connect")
                             << ConnectFailure::HostUnknown;
        QTest::newRow("refused (libpq 14+)") << QStringLiteral("connection to server at \"127.0.0.1\", port 1 failed: Connection "
                                                               "refused\n\tIs the server running on that host and accepting "
                                                               "TCP/IP connections?\nQPSQL: Unable to connect")
                                             << ConnectFailure::Refused;
        QTest::newRow("timeout") << QStringLiteral("connection to server at \"10.255.255.1\", port 5432 failed: timeout "
                                                   "expired\nQPSQL: Unable to connect")
                                 << ConnectFailure::Timeout;
        QTest::newRow("unrecognised") << QStringLiteral("SSL SYSCALL error: EOF detected\nQPSQL: Unable to connect")
                                      << ConnectFailure::Other;
        QTest::newRow("empty") << QString() << ConnectFailure::None;
    }

    void classifiesLibpqMessages()
    {
        QFETCH(QString, text);
        QFETCH(ConnectFailure, expected);
        QCOMPARE(classifyConnectFailure(text), expected);
    }
};

QTEST_GUILESS_MAIN(TestConnectFailure)
#include "tst_connect_failure.moc"

// ClientStatus (issue 14, defect 4): the one place that says what state a client is in, for the
// client list, the client, /status and the desktop. Each case is a stored row and what the engine
// knows of the client (nothing, or its snapshot).

#include "core/sessions/ClientRepository.h"
#include "core/sessions/ClientStatus.h"
#include "core/sessions/SessionControl.h"

#include <QTest>

using namespace wadesk;

Q_DECLARE_METATYPE(wadesk::SessionState)
Q_DECLARE_METATYPE(wadesk::ClientRecord)
Q_DECLARE_METATYPE(wadesk::SessionSnapshot)

namespace {
ClientRecord stored(const QString &status, const QString &phone, const QString &error = QString())
{
    ClientRecord c;
    c.id = QStringLiteral("client_1");
    c.status = status;
    c.phoneNumber = phone;
    c.lastError = error;
    c.stateSince = 1000;
    return c;
}

SessionSnapshot live(SessionState state, const QString &phone, const QString &error = QString())
{
    SessionSnapshot s;
    s.clientId = QStringLiteral("client_1");
    s.state = state;
    s.phoneNumber = phone;
    s.lastError = error;
    s.stateSince = 2000;
    return s;
}
} // namespace

class TestClientStatus : public QObject {
    Q_OBJECT
private slots:
    void of_data()
    {
        QTest::addColumn<ClientRecord>("record");
        QTest::addColumn<bool>("hasLive");
        QTest::addColumn<SessionSnapshot>("snapshot");
        QTest::addColumn<SessionState>("state");
        QTest::addColumn<QString>("phone");
        QTest::addColumn<QString>("error");
        QTest::addColumn<qint64>("since");
        const QString typed = QStringLiteral("+14155552671");
        const QString linked = QStringLiteral("+14155550000");
        // Never started in this run: stopped, whatever the row last said (the row of an old
        // database says "initializing"; one from before a restart says "ready").
        QTest::newRow("new client") << stored(QStringLiteral("stopped"), typed) << false << SessionSnapshot() << SessionState::Stopped << typed << QString() << qint64(1000);
        QTest::newRow("old initializing row") << stored(QStringLiteral("initializing"), typed) << false << SessionSnapshot() << SessionState::Stopped << typed << QString() << qint64(1000);
        QTest::newRow("ready before a restart") << stored(QStringLiteral("ready"), linked, QStringLiteral("old")) << false << SessionSnapshot()
                                                << SessionState::Stopped << linked << QString() << qint64(1000);
        // What is worth saying outlives the session: failed with its reason, logged out.
        QTest::newRow("failed") << stored(QStringLiteral("failed"), linked, QStringLiteral("number taken")) << false << SessionSnapshot()
                                << SessionState::Failed << linked << QStringLiteral("number taken") << qint64(1000);
        QTest::newRow("logged out row") << stored(QStringLiteral("logged_out"), linked) << false << SessionSnapshot() << SessionState::LoggedOut
                                        << QString() << QString() << qint64(1000);
        // A session known to the engine speaks for itself.
        QTest::newRow("running") << stored(QStringLiteral("stopped"), typed) << true << live(SessionState::Ready, linked) << SessionState::Ready
                                 << linked << QString() << qint64(2000);
        QTest::newRow("qr keeps the typed number") << stored(QStringLiteral("stopped"), typed) << true << live(SessionState::Qr, QString())
                                                   << SessionState::Qr << typed << QString() << qint64(2000);
        QTest::newRow("stopped by an operator") << stored(QStringLiteral("ready"), linked) << true << live(SessionState::Stopped, linked)
                                                << SessionState::Stopped << linked << QString() << qint64(2000);
        QTest::newRow("logged out now") << stored(QStringLiteral("ready"), linked) << true << live(SessionState::LoggedOut, QString())
                                        << SessionState::LoggedOut << QString() << QString() << qint64(2000);
        QTest::newRow("disconnected with reason") << stored(QStringLiteral("ready"), linked) << true
                                                  << live(SessionState::Disconnected, linked, QStringLiteral("proxy down"))
                                                  << SessionState::Disconnected << linked << QStringLiteral("proxy down") << qint64(2000);
    }
    void of()
    {
        QFETCH(ClientRecord, record);
        QFETCH(bool, hasLive);
        QFETCH(SessionSnapshot, snapshot);
        QFETCH(SessionState, state);
        QFETCH(QString, phone);
        QFETCH(QString, error);
        QFETCH(qint64, since);
        const ClientStatus status = ClientStatus::of(record, hasLive ? std::optional<SessionSnapshot>(snapshot) : std::nullopt);
        QCOMPARE(SessionStates::name(status.state), SessionStates::name(state));
        QCOMPARE(status.phoneNumber, phone);
        QCOMPARE(status.lastError, error);
        QCOMPARE(status.since, since);
    }

    // A paused client is linked and its page ready: counted as ready everywhere.
    void readyCounts()
    {
        QVERIFY(ClientStatus::isReady(SessionState::Ready));
        QVERIFY(ClientStatus::isReady(SessionState::Paused));
        for (SessionState s : {SessionState::Stopped, SessionState::Initializing, SessionState::Qr, SessionState::Authenticating,
                               SessionState::Disconnected, SessionState::LoggedOut, SessionState::Failed})
            QVERIFY2(!ClientStatus::isReady(s), qPrintable(SessionStates::name(s)));
    }
};

QTEST_GUILESS_MAIN(TestClientStatus)
#include "tst_client_status.moc"

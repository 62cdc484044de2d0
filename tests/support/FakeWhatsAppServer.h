#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace wadesk::test {

// Serves the fake WhatsApp Web page (tests/fixtures/fake-whatsapp) over loopback HTTP together
// with its remote-control endpoint, so a page loaded in another process (the real `wadesk`
// binary) can be driven by a test. One origin for both: a page loaded from file:// may not fetch
// http URLs in QtWebEngine.
//
//   GET  /, /index.html, /fake-wpp.js   the fixture files (no-store)
//   GET  /next?session=<s>               the commands queued for <s> as a JSON array ("[]" when none)
//   POST /result?session=<s>             the page's results for the commands it ran (JSON array)
//   POST /received?session=<s>           one message WhatsApp took (page option reportSends=1)
//   anything else (/favicon.ico, ...)    404
//
// Lives on the thread that creates it and runs on its event loop (QTest::qWaitFor keeps it
// turning). No QtWebEngine here.
class FakeWhatsAppServer final : public QObject {
    Q_OBJECT
public:
    // `fixtureDirectory` empty: <WADESK_SOURCE_DIR or the source tree>/tests/fixtures/fake-whatsapp.
    explicit FakeWhatsAppServer(QString fixtureDirectory = QString(), QObject *parent = nullptr);
    ~FakeWhatsAppServer() override;

    static QString defaultFixtureDirectory();

    // `address`: another loopback address (127.0.0.2, ...) lets two fakes share a port, so one
    // name can lead to either, depending on which proxy resolves it.
    bool start(quint16 port = 0, const QHostAddress &address = QHostAddress(QHostAddress::LocalHost));
    void stop();
    quint16 port() const { return m_server.serverPort(); }
    QString baseUrl() const;

    // The page with remote control on for `session`, plus the given query items (the fake's
    // timings: qrFirstMs, syncMs, ...).
    QUrl pageUrl(const QString &session, const QList<QPair<QString, QString>> &options = {}) const;

    // Queues one command for the next poll of `session`: {"cmd": cmd, "args": args}.
    void enqueue(const QString &session, const QString &cmd, const QJsonArray &args = {});
    int queued(const QString &session) const { return m_queues.value(session).size(); }
    // Every result the pages of `session` posted, in arrival order (one object per command).
    QList<QJsonObject> results(const QString &session) const { return m_results.value(session); }
    // What the pages of `session` reported WhatsApp took (page option reportSends=1), in
    // arrival order: {id, to, kind, body}. Kept across page loads and restarts of the app.
    QList<QJsonObject> received(const QString &session) const { return m_received.value(session); }
    // Polls of /next seen for `session`.
    int polls(const QString &session) const { return m_polls.value(session); }
    // "METHOD /target" of every request, in arrival order.
    QStringList requestLog() const { return m_log; }
    int count(const QString &prefix) const;

signals:
    void resultPosted(const QString &session, const QJsonObject &result);

private:
    void onReadyRead(QTcpSocket *socket);
    void respond(QTcpSocket *socket, const QByteArray &status, const QByteArray &contentType, const QByteArray &body);

    QString m_directory;
    QTcpServer m_server;
    QHash<QString, QJsonArray> m_queues;
    QHash<QString, QList<QJsonObject>> m_results;
    QHash<QString, QList<QJsonObject>> m_received;
    QHash<QString, int> m_polls;
    QStringList m_log;
};

} // namespace wadesk::test

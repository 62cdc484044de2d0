#pragma once

#include "core/common/Clock.h"
#include "core/sessions/EngineSettings.h"
#include "core/sessions/BrowserIdentity.h"
#include "core/sessions/SessionState.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QQueue>
#include <QSet>
#include <QTimer>
#include <functional>
#include <memory>

class QAuthenticator;
class QLockFile;
class QWebEngineProfile;
class QWebEnginePage;

namespace wadesk {

class SessionBridge;

// One WhatsApp Web session: a named QWebEngineProfile with its own storage under the data
// directory (locked against other processes), a QWebEnginePage on it, the injected identity,
// wa-js and bridge scripts, the state machine of docs/DESIGN.md §4, and the recovery ladder. Lives on the
// main thread. The page is always deleted before its profile.
class WaSession final : public QObject {
    Q_OBJECT
public:
    struct Config {
        EngineSettings settings;
        QString clientId;
        QString clientName;
        BrowserIdentity identity;
        QString waJsSource;       // the bundle to inject; empty when injection is off
        const Clock *clock = &Clock::system(); // when a QR code expires
        // WaDesk's forwarding proxy (Chromium's one proxy for every page) learns which client a
        // connection belongs to from these Basic credentials, answered only to that proxy. Empty
        // host: the page has no egress credentials and any proxy challenge is refused.
        struct Egress {
            QString proxyHost;  // "127.0.0.1"
            quint16 proxyPort = 0;
            QString user;       // the client id
            QByteArray token;   // random per start
        } egress;
    };
    using Callback = std::function<void(bool ok, const QJsonValue &result, const QString &error)>;

    explicit WaSession(Config config, QObject *parent = nullptr);
    ~WaSession() override;

    static QString sessionDirectory(const QString &dataDir, const QString &clientId);

    // Locks the profile and loads the page. False (with the reason) when another process holds
    // the profile or the directory cannot be made.
    bool start(QString *error);
    void stop();
    bool isRunning() const { return m_page != nullptr; }

    void logout();
    void refreshQr();
    // Calls a bridge method (sendText, sendFile, markComposing, markRead, queryExists, recentMessages,
    // refreshQR, logout, state; downloadMedia, mediaChunk, mediaRelease for received files). The callback runs on the main thread exactly once.
    void call(const QString &method, const QJsonArray &args, Callback done, int timeoutMs = 60000);

    SessionState state() const { return m_state; }
    QString lastError() const { return m_lastError; }
    QString qrText() const { return m_qrText; }
    qint64 qrExpiresAt() const { return m_qrExpiresAt; }
    bool qrIdle() const { return m_qrIdle; }
    QString phoneNumber() const { return m_phone; }
    QJsonObject deviceInfo() const { return m_deviceInfo; }
    QString waJsVersion() const { return m_waJsVersion; }
    QWebEnginePage *page() const { return m_page; }
    const QString &clientId() const { return m_config.clientId; }
    int recoveryAttempts() const { return m_attempts; }

signals:
    void stateChanged(wadesk::SessionState state, const QString &reason);
    void qrChanged(const QString &text, qint64 expiresAt);
    void messageReceived(const QJsonObject &message);
    // Changes to a message reported earlier (InboundProcessor::onEdit / onRevoke / onReaction).
    void messageEdited(const QJsonObject &edit);
    void messageRevoked(const QJsonObject &revoke);
    void reactionReceived(const QJsonObject &reaction);
    void ackReceived(const QJsonObject &ack);
    void accountKnown(const QString &phoneNumber, const QJsonObject &deviceInfo);
    void waJsVersionKnown(const QString &version);

private:
    // Gives the egress credentials to WaDesk's own forwarding proxy and to nothing else (another
    // host asking is an attempt to learn them: refused, the load fails).
    void answerProxyChallenge(QAuthenticator *authenticator, const QString &proxyHost);
    QUrl firstUrl() const;
    void installScripts();
    void onBridgeEvent(const QString &json);
    void onBridgeReply(const QString &id, const QString &json);
    void applyConnState(const QJsonObject &data);
    void setState(SessionState state, const QString &reason = QString());
    void setQr(const QString &text);
    void recover(const QString &why);
    // The heartbeat stopped: asks the renderer a trivial script first (see rendererProbeMs).
    void probeRenderer(const QString &why);
    // The last rung (or the first, for a renderer that answers nothing): kills the page's renderer
    // process so that the next load gets a new one. False when there is no renderer to replace.
    bool replaceRenderer(const QString &why);
    void failPending(const QString &why);
    void touchHeartbeat();

    Config m_config;
    std::unique_ptr<QLockFile> m_lock;
    QWebEngineProfile *m_profile = nullptr;
    QWebEnginePage *m_page = nullptr;
    QPointer<QWebEnginePage> m_retiredPage; // given up on after the recovery ladder, deleted later
    SessionBridge *m_bridge = nullptr;

    SessionState m_state = SessionState::Stopped;
    QString m_lastError;
    QString m_qrText;
    qint64 m_qrExpiresAt = 0;
    int m_qrCount = 0;
    bool m_qrIdle = false;
    QString m_phone;
    QJsonObject m_deviceInfo;
    QString m_waJsVersion;
    bool m_bridgeReady = false;

    QTimer m_heartbeat;     // silence → recover
    QTimer m_readyDeadline; // loaded but wa-js never ready → recover
    QTimer m_recoveryTimer;
    QElapsedTimer m_healthySince;
    int m_attempts = 0;
    bool m_rendererReplaced = false; // the replacement rung was used since the last healthy period
    qint64 m_killedRenderer = 0;     // the renderer this session killed, until Chromium reports it gone
    quint64 m_probe = 0;             // the probe under way (0: none)
    quint64 m_probeSerial = 0;

    struct Pending {
        Callback done;
        QTimer *timer = nullptr;
    };
    QHash<QString, Pending> m_pending;
    quint64 m_nextCallId = 1;
    QSet<QString> m_seenMessages;   // WhatsApp may deliver a message twice
    QQueue<QString> m_seenOrder;
};

} // namespace wadesk

#include "core/engine/WaSession.h"

#include "core/common/RuntimeMetrics.h"
#include "core/engine/SessionBridge.h"
#include "core/network/EgressProxy.h"

#include <QAuthenticator>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLockFile>
#include <QWebChannel>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineScript>
#include <QWebEngineScriptCollection>
#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>

#ifdef Q_OS_UNIX
#include <signal.h>
#endif

namespace wadesk {

namespace {
constexpr int kFirstQrLifetimeMs = 60000; // WhatsApp's first code lives about a minute,
constexpr int kNextQrLifetimeMs = 20000;  // the following ones about twenty seconds
constexpr int kSeenMessagesKept = 2000;

QString jsString(const QString &s)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

QWebEngineScript makeScript(const QString &name, const QString &source, QWebEngineScript::InjectionPoint point)
{
    QWebEngineScript script;
    script.setName(name);
    script.setSourceCode(source);
    script.setInjectionPoint(point);
    script.setWorldId(QWebEngineScript::MainWorld);
    script.setRunsOnSubFrames(false);
    return script;
}

QString readResource(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

QString phoneFromWid(const QString &wid)
{
    const QString user = wid.section(QLatin1Char('@'), 0, 0).section(QLatin1Char(':'), 0, 0);
    if (user.isEmpty())
        return {};
    for (const QChar c : user) {
        if (!c.isDigit())
            return {};
    }
    return QLatin1Char('+') + user;
}
} // namespace

QString WaSession::sessionDirectory(const QString &dataDir, const QString &clientId)
{
    return QDir(dataDir).filePath(QStringLiteral("sessions/") + clientId);
}

WaSession::WaSession(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
    m_heartbeat.setSingleShot(true);
    connect(&m_heartbeat, &QTimer::timeout, this,
            [this]() {
                probeRenderer(QStringLiteral("the page stopped answering (no heartbeat for %1 s)")
                                  .arg(QString::number(m_config.settings.heartbeatTimeoutMs / 1000.0, 'g', 4)));
            });
    m_readyDeadline.setSingleShot(true);
    connect(&m_readyDeadline, &QTimer::timeout, this, [this]() { recover(QStringLiteral("WhatsApp Web did not become ready")); });
    m_recoveryTimer.setSingleShot(true);
}

WaSession::~WaSession()
{
    stop();
}

bool WaSession::start(QString *error)
{
    if (m_page)
        return true;
    const QString dir = sessionDirectory(m_config.settings.dataDir, m_config.clientId);
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create the session directory %1").arg(dir);
        return false;
    }
    m_lock = std::make_unique<QLockFile>(dir + QStringLiteral("/profile.lock"));
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        m_lock->getLockInfo(&pid, &host, &app);
        m_lock.reset();
        *error = QStringLiteral("the browser profile of this client is in use by another process (pid %1)").arg(pid);
        return false;
    }

    // A named profile keeps the WhatsApp login (IndexedDB, local storage, cookies) across runs.
    m_profile = new QWebEngineProfile(QStringLiteral("wadesk-") + m_config.clientId, this);
    m_profile->setPersistentStoragePath(dir + QStringLiteral("/storage"));
    m_profile->setCachePath(dir + QStringLiteral("/cache"));
    m_profile->setPersistentCookiesPolicy(QWebEngineProfile::ForcePersistentCookies);
    m_profile->setHttpCacheType(QWebEngineProfile::DiskHttpCache);
    m_profile->setHttpUserAgent(m_config.identity.userAgent);
    m_profile->setHttpAcceptLanguage(m_config.identity.acceptLanguage());

    m_page = new QWebEnginePage(m_profile, this);
    m_bridge = new SessionBridge(m_page);
    auto *channel = new QWebChannel(m_page);
    channel->registerObject(QStringLiteral("wadesk"), m_bridge);
    m_page->setWebChannel(channel, QWebEngineScript::MainWorld);
    connect(m_bridge, &SessionBridge::eventReceived, this, &WaSession::onBridgeEvent);
    connect(m_bridge, &SessionBridge::replyReceived, this, &WaSession::onBridgeReply);
    connect(m_page, &QWebEnginePage::loadStarted, this, [this]() {
        m_bridgeReady = false;
        failPending(QStringLiteral("the page reloaded"));
        // No heartbeat can come while a document loads (the bridge is injected once it has
        // loaded, and a first load of WhatsApp Web can take long): the ready deadline watches
        // loads, the heartbeat watches a page whose bridge runs.
        m_heartbeat.stop();
        if (!m_readyDeadline.isActive() && !m_recoveryTimer.isActive())
            m_readyDeadline.start(m_config.settings.readyTimeoutMs);
    });
    connect(m_page, &QWebEnginePage::proxyAuthenticationRequired, this,
            [this](const QUrl &, QAuthenticator *authenticator, const QString &proxyHost) { answerProxyChallenge(authenticator, proxyHost); });
    connect(m_page, &QWebEnginePage::loadFinished, this, [this](bool ok) {
        if (!ok && m_state != SessionState::Stopped)
            recover(QStringLiteral("the page failed to load"));
    });
    connect(m_page, &QWebEnginePage::renderProcessTerminated, this,
            [this](QWebEnginePage::RenderProcessTerminationStatus status, int exitCode) {
                if (m_killedRenderer != 0) {
                    // The replacement rung's own kill: a load now starts in a new renderer.
                    m_killedRenderer = 0;
                    m_page->load(firstUrl());
                    return;
                }
                if (status == QWebEnginePage::NormalTerminationStatus)
                    return;
                recover(QStringLiteral("the page's renderer ended (status %1, exit code %2)").arg(int(status)).arg(exitCode));
            });
    installScripts();

    m_attempts = 0;
    m_rendererReplaced = false;
    m_killedRenderer = 0;
    m_probe = 0;
    setState(SessionState::Initializing);
    m_page->load(m_config.settings.url);
    m_readyDeadline.start(m_config.settings.readyTimeoutMs);
    RuntimeMetrics::instance().setSessionRunning(m_config.clientId, true);
    spdlog::info("session {}: started ({})", m_config.clientId.toStdString(), m_config.settings.url.toString().toStdString());
    return true;
}

void WaSession::installScripts()
{
    QWebEngineScriptCollection &scripts = m_page->scripts();
    const QJsonObject wppConfig{
        {QStringLiteral("disableGoogleAnalytics"), true},
        {QStringLiteral("googleAnalyticsId"), QJsonValue::Null},
        {QStringLiteral("linkPreviewApiServers"), QJsonArray()},
        {QStringLiteral("poweredBy"), QJsonValue::Null},
        {QStringLiteral("deviceName"), QStringLiteral("WaDesk – ") + m_config.clientName},
    };
    const QJsonObject bridgeSettings{{QStringLiteral("heartbeatMs"), m_config.settings.heartbeatIntervalMs}};
    const QString early = m_config.identity.injectionScript()
        + QStringLiteral("\nwindow.WPPConfig = %1;\nwindow.__wadeskSettings = %2;\n")
              .arg(QString::fromUtf8(QJsonDocument(wppConfig).toJson(QJsonDocument::Compact)),
                   QString::fromUtf8(QJsonDocument(bridgeSettings).toJson(QJsonDocument::Compact)));
    scripts.insert(makeScript(QStringLiteral("wadesk-identity"), early, QWebEngineScript::DocumentCreation));
    if (!m_config.waJsSource.isEmpty())
        scripts.insert(makeScript(QStringLiteral("wadesk-wajs"), m_config.waJsSource, QWebEngineScript::Deferred));
    const QString bridge = readResource(QStringLiteral(":/qtwebchannel/qwebchannel.js")) + QLatin1Char('\n')
        + readResource(QStringLiteral(":/engine/bridge.js"));
    scripts.insert(makeScript(QStringLiteral("wadesk-bridge"), bridge, QWebEngineScript::Deferred));
}

QUrl WaSession::firstUrl() const
{
    // Through WaDesk's forwarding proxy, the first navigation answers its challenge from the main
    // frame (EgressProxy::warmUpUrl), so a service worker of the page never meets one.
    const QUrl &url = m_config.settings.url;
    if (m_config.egress.proxyHost.isEmpty() || m_config.egress.token.isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return url; // a file:// page (tests) needs no network
    return EgressProxy::warmUpUrl(url);
}

void WaSession::answerProxyChallenge(QAuthenticator *authenticator, const QString &proxyHost)
{
    const Config::Egress &egress = m_config.egress;
    if (egress.proxyHost.isEmpty() || egress.token.isEmpty() || proxyHost != egress.proxyHost) {
        spdlog::warn("client {}: proxy {} asked for credentials; refused (not WaDesk's forwarding proxy)",
                     m_config.clientId.toStdString(), proxyHost.toStdString());
        *authenticator = QAuthenticator(); // a null authenticator cancels the request
        return;
    }
    authenticator->setUser(egress.user);
    authenticator->setPassword(QString::fromLatin1(egress.token));
}

void WaSession::stop()
{
    m_heartbeat.stop();
    m_readyDeadline.stop();
    m_recoveryTimer.stop();
    failPending(QStringLiteral("the session stopped"));
    if (m_page) {
        // The page goes first: a profile deleted under a live page crashes QtWebEngine.
        delete m_page;
        m_page = nullptr;
        m_bridge = nullptr;
    }
    delete m_retiredPage.data(); // a page given up on, if its deferred deletion has not run yet
    if (m_profile) {
        delete m_profile;
        m_profile = nullptr;
    }
    m_lock.reset();
    RuntimeMetrics::instance().setSessionRunning(m_config.clientId, false);
    if (m_state != SessionState::Stopped)
        setState(SessionState::Stopped);
}

void WaSession::touchHeartbeat()
{
    if (m_page)
        m_heartbeat.start(m_config.settings.heartbeatTimeoutMs);
}

void WaSession::setState(SessionState state, const QString &reason)
{
    if (state == SessionState::Qr || state == SessionState::Ready)
        m_healthySince.start();
    if (state == m_state && reason == m_lastError)
        return;
    const bool changed = state != m_state;
    m_state = state;
    if (!reason.isEmpty() || state == SessionState::Ready)
        m_lastError = reason;
    if (changed) {
        spdlog::info("session {}: {}{}", m_config.clientId.toStdString(), SessionStates::name(state).toStdString(),
                     reason.isEmpty() ? std::string() : " (" + reason.toStdString() + ")");
        emit stateChanged(state, reason);
    }
}

void WaSession::setQr(const QString &text)
{
    if (text == m_qrText)
        return;
    m_qrText = text;
    if (text.isEmpty()) {
        m_qrExpiresAt = 0;
    } else {
        ++m_qrCount;
        m_qrIdle = false;
        m_qrExpiresAt = m_config.clock->nowMs() + (m_qrCount == 1 ? kFirstQrLifetimeMs : kNextQrLifetimeMs);
    }
    emit qrChanged(m_qrText, m_qrExpiresAt);
}

void WaSession::applyConnState(const QJsonObject &data)
{
    const QString mode = data.value(QStringLiteral("mode")).toString();
    const bool authenticated = data.value(QStringLiteral("authenticated")).toBool();
    if (authenticated && mode == QLatin1String("MAIN")) {
        // Ready is stream mode MAIN plus isAuthenticated(), never conn.main_ready alone.
        setQr(QString());
        m_qrCount = 0;
        setState(SessionState::Ready);
    } else if (mode == QLatin1String("OFFLINE") || mode == QLatin1String("CONFLICT")) {
        if (m_state == SessionState::Ready || m_state == SessionState::Disconnected)
            setState(SessionState::Disconnected, mode == QLatin1String("CONFLICT")
                                                     ? QStringLiteral("WhatsApp is open on another computer")
                                                     : QStringLiteral("the phone or the network is offline"));
    } else if (mode == QLatin1String("TOS_BLOCK") || mode == QLatin1String("SMB_TOS_BLOCK") || mode == QLatin1String("PROXYBLOCK")) {
        setState(SessionState::Failed, QStringLiteral("WhatsApp blocked this session (%1)").arg(mode));
    } else if (mode == QLatin1String("DEPRECATED_VERSION")) {
        setState(SessionState::Failed, QStringLiteral("WhatsApp Web reports this version as deprecated: update wa-js"));
    } else if (mode == QLatin1String("QR") && !authenticated) {
        setState(SessionState::Qr);
    } else if (authenticated) {
        setState(SessionState::Authenticating);
    }
    // Otherwise (opening, SYNCING before any login is known) the state stays as it is.
}


void WaSession::onBridgeEvent(const QString &json)
{
    touchHeartbeat();
    const QJsonObject event = QJsonDocument::fromJson(json.toUtf8()).object();
    const QString type = event.value(QStringLiteral("type")).toString();
    const QJsonValue data = event.value(QStringLiteral("data"));

    if (type == QLatin1String("heartbeat")) {
        if (data.isObject())
            applyConnState(data.toObject());
        if ((m_attempts > 0 || m_rendererReplaced) && m_healthySince.isValid()
            && m_healthySince.elapsed() > m_config.settings.stableAfterMs) {
            m_attempts = 0;
            m_rendererReplaced = false;
        }
    } else if (type == QLatin1String("bridge_ready")) {
        m_bridgeReady = true;
        m_readyDeadline.stop();
        const QString version = data.toObject().value(QStringLiteral("version")).toString();
        if (!version.isEmpty() && version != m_waJsVersion) {
            m_waJsVersion = version;
            emit waJsVersionKnown(version);
        }
    } else if (type == QLatin1String("conn_state")) {
        applyConnState(data.toObject());
    } else if (type == QLatin1String("qr")) {
        const QString code = data.toObject().value(QStringLiteral("code")).toString();
        setQr(code);
        if (!code.isEmpty() && m_state != SessionState::Ready && m_state != SessionState::Authenticating)
            setState(SessionState::Qr);
    } else if (type == QLatin1String("qr_idle")) {
        m_qrIdle = true;
        setQr(QString());
        emit qrChanged(QString(), 0);
    } else if (type == QLatin1String("authenticated")) {
        setQr(QString());
        setState(SessionState::Authenticating);
    } else if (type == QLatin1String("logout")) {
        m_qrCount = 0;
        setQr(QString());
        setState(SessionState::LoggedOut, QStringLiteral("logged out"));
    } else if (type == QLatin1String("account")) {
        const QJsonObject account = data.toObject();
        const QString phone = phoneFromWid(account.value(QStringLiteral("wid")).toString());
        QJsonObject info{{QStringLiteral("wid"), account.value(QStringLiteral("wid"))},
                         {QStringLiteral("platform"), account.value(QStringLiteral("platform"))}};
        if (phone != m_phone || info != m_deviceInfo) {
            m_phone = phone;
            m_deviceInfo = info;
            emit accountKnown(phone, info);
        }
    } else if (type == QLatin1String("message")) {
        const QJsonObject message = data.toObject();
        const QString id = message.value(QStringLiteral("id")).toString();
        if (id.isEmpty() || m_seenMessages.contains(id))
            return;
        // A message reported as `ciphertext` (not decrypted yet) comes again with the same id
        // once it is: only a report with its content counts as seen.
        if (message.value(QStringLiteral("type")).toString() != QLatin1String("ciphertext")) {
            m_seenMessages.insert(id);
            m_seenOrder.enqueue(id);
            while (m_seenOrder.size() > kSeenMessagesKept)
                m_seenMessages.remove(m_seenOrder.dequeue());
        }
        emit messageReceived(message);
    } else if (type == QLatin1String("message_edit")) {
        emit messageEdited(data.toObject());
    } else if (type == QLatin1String("message_revoke")) {
        emit messageRevoked(data.toObject());
    } else if (type == QLatin1String("reaction")) {
        emit reactionReceived(data.toObject());
    } else if (type == QLatin1String("ack")) {
        emit ackReceived(data.toObject());
    }
}

void WaSession::onBridgeReply(const QString &id, const QString &json)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return; // timed out already
    Pending pending = it.value();
    m_pending.erase(it);
    delete pending.timer;
    const QJsonObject reply = QJsonDocument::fromJson(json.toUtf8()).object();
    if (reply.value(QStringLiteral("ok")).toBool())
        pending.done(true, reply.value(QStringLiteral("result")), QString());
    else
        pending.done(false, QJsonValue(), reply.value(QStringLiteral("error")).toString(QStringLiteral("unknown error")));
}

void WaSession::call(const QString &method, const QJsonArray &args, Callback done, int timeoutMs)
{
    if (!m_page || !m_bridgeReady) {
        done(false, QJsonValue(), QStringLiteral("the session is not ready"));
        return;
    }
    const QString id = QString::number(m_nextCallId++);
    Pending pending;
    pending.done = std::move(done);
    pending.timer = new QTimer(this);
    pending.timer->setSingleShot(true);
    connect(pending.timer, &QTimer::timeout, this, [this, id]() {
        auto it = m_pending.find(id);
        if (it == m_pending.end())
            return;
        Pending p = it.value();
        m_pending.erase(it);
        p.timer->deleteLater();
        p.done(false, QJsonValue(), QStringLiteral("the page did not answer in time"));
    });
    pending.timer->start(timeoutMs);
    m_pending.insert(id, pending);
    const QString script = QStringLiteral("window.__wadeskCall && window.__wadeskCall(%1, %2, %3);")
                               .arg(jsString(id), jsString(method),
                                    QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact)));
    m_page->runJavaScript(script, QWebEngineScript::MainWorld);
}

void WaSession::failPending(const QString &why)
{
    const auto pending = m_pending;
    m_pending.clear();
    for (const Pending &p : pending) {
        delete p.timer;
        p.done(false, QJsonValue(), why);
    }
}

void WaSession::logout()
{
    call(QStringLiteral("logout"), {}, [this](bool ok, const QJsonValue &, const QString &error) {
        if (!ok)
            spdlog::warn("session {}: logout failed: {}", m_config.clientId.toStdString(), error.toStdString());
    });
}

void WaSession::refreshQr()
{
    m_qrIdle = false;
    call(QStringLiteral("refreshQR"), {}, [this](bool ok, const QJsonValue &code, const QString &error) {
        if (!ok) {
            spdlog::warn("session {}: QR refresh failed: {}", m_config.clientId.toStdString(), error.toStdString());
            return;
        }
        if (code.isString() && m_state != SessionState::Ready)
            setQr(code.toString());
    });
}

void WaSession::probeRenderer(const QString &why)
{
    if (!m_page || m_recoveryTimer.isActive() || m_probe != 0)
        return;
    const quint64 probe = ++m_probeSerial;
    m_probe = probe;
    QPointer<WaSession> self(this);
    m_page->runJavaScript(QStringLiteral("0"), QWebEngineScript::ApplicationWorld, [self, probe, why](const QVariant &) {
        if (!self || self->m_probe != probe)
            return;
        self->m_probe = 0;
        self->recover(why); // the renderer runs scripts: the page itself broke, the ladder can help
    });
    QTimer::singleShot(m_config.settings.rendererProbeMs, this, [this, probe, why]() {
        if (m_probe != probe)
            return;
        m_probe = 0;
        if (!replaceRenderer(why + QStringLiteral("; its renderer does not answer at all")))
            recover(why);
    });
}

bool WaSession::replaceRenderer(const QString &why)
{
#ifdef Q_OS_UNIX
    const qint64 pid = m_page ? m_page->renderProcessPid() : 0;
    if (pid <= 0)
        return false;
    m_heartbeat.stop();
    m_readyDeadline.stop();
    m_recoveryTimer.stop();
    failPending(why);
    spdlog::warn("session {}: {}; replacing its renderer (process {})", m_config.clientId.toStdString(), why.toStdString(), pid);
    if (::kill(pid_t(pid), SIGKILL) != 0) {
        spdlog::warn("session {}: cannot end renderer process {}: {}", m_config.clientId.toStdString(), pid, std::strerror(errno));
        return false;
    }
    m_rendererReplaced = true;
    m_killedRenderer = pid;
    if (m_state == SessionState::Ready)
        setState(SessionState::Disconnected, why);
    else
        m_lastError = why;
    // If the new renderer's page never becomes ready either, the ladder goes on from here.
    m_readyDeadline.start(m_config.settings.readyTimeoutMs);
    return true;
#else
    // Elsewhere the renderer is not this process's to end; the ladder goes on to `failed`.
    Q_UNUSED(why)
    return false;
#endif
}

void WaSession::recover(const QString &why)
{
    if (!m_page || m_recoveryTimer.isActive())
        return;
    m_probe = 0;
    m_heartbeat.stop();
    m_readyDeadline.stop();
    failPending(why);
    const QList<int> &backoff = m_config.settings.recoveryBackoffMs;
    if (m_attempts >= backoff.size() && !m_rendererReplaced && replaceRenderer(why))
        return; // a renderer stuck in a loop survives every reload: a new one gets a last chance
    if (m_attempts >= backoff.size()) {
        spdlog::error("session {}: giving up after {} recovery attempts: {}", m_config.clientId.toStdString(), m_attempts,
                      why.toStdString());
        // The page is dead: let it go (a hung renderer would keep a core busy, and a page that
        // comes back by itself would flip the state back and forth). The profile and its lock
        // stay; an explicit start (init) opens a new page.
        // (Deferred: we may be inside one of the page's own signals.)
        m_bridgeReady = false;
        m_page->disconnect(this);
        m_page->deleteLater();
        m_retiredPage = m_page;
        m_page = nullptr;
        m_bridge = nullptr;
        setState(SessionState::Failed, why);
        return;
    }
    const int attempt = ++m_attempts;
    spdlog::warn("session {}: {}; recovery attempt {} in {} ms", m_config.clientId.toStdString(), why.toStdString(), attempt,
                 backoff.at(attempt - 1));
    if (m_state == SessionState::Ready)
        setState(SessionState::Disconnected, why);
    else
        m_lastError = why;
    disconnect(&m_recoveryTimer, nullptr, this, nullptr);
    connect(&m_recoveryTimer, &QTimer::timeout, this, [this, attempt]() {
        if (!m_page)
            return;
        switch (attempt) {
        case 1:
            m_page->triggerAction(QWebEnginePage::Reload);
            break;
        case 2:
            m_page->triggerAction(QWebEnginePage::ReloadAndBypassCache);
            break;
        default:
            // A broken service worker can keep serving a dead app: drop them, then load afresh.
            m_page->runJavaScript(QStringLiteral("navigator.serviceWorker && navigator.serviceWorker.getRegistrations()"
                                                 ".then(rs => rs.forEach(r => r.unregister()));"),
                                  QWebEngineScript::MainWorld);
            QTimer::singleShot(500, this, [this]() {
                if (m_page)
                    m_page->load(firstUrl());
            });
            break;
        }
        m_readyDeadline.start(m_config.settings.readyTimeoutMs);
    });
    m_recoveryTimer.start(backoff.at(attempt - 1));
}

} // namespace wadesk

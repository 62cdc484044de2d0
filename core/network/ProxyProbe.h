#pragma once

#include "core/network/ProxyCheck.h"
#include "core/network/ProxyEndpoint.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QTcpSocket;

namespace wadesk {

class UpstreamConnector;

// Asynchronous health check of one upstream proxy. Opens a tunnel through it to the target
// (latency = time until the tunnel is open); when an exit-address URL (plain http://) is given,
// also GETs it through the proxy and takes the trimmed body, if it is an IP address, as the
// address the internet sees. A failed exit-address lookup does not make the proxy unhealthy
// (the tunnel worked); it only leaves exitAddress empty. Emits finished exactly once, within
// `timeoutMs`. One check per object.
class ProxyProbe final : public QObject {
    Q_OBJECT
public:
    explicit ProxyProbe(QObject *parent = nullptr);
    ~ProxyProbe() override;

    void start(const ProxyEndpoint &proxy, const QString &targetHost = QStringLiteral("web.whatsapp.com"),
               quint16 targetPort = 443, const QUrl &exitAddressUrl = {}, int timeoutMs = 15000);

signals:
    void finished(const wadesk::ProxyCheck &result);

private:
    void onTargetOpen();
    void onTargetFailed(const QString &error);
    void askExitAddress();
    void onExitTunnelOpen();
    void onExitBytes();
    void onExitClosed();
    void onTimeout();
    void finish();
    int remainingMs() const;

    ProxyEndpoint m_proxy;
    QUrl m_exitUrl;
    int m_timeoutMs = 0;
    QElapsedTimer m_clock;
    QTimer m_deadline;
    UpstreamConnector *m_connector = nullptr;
    QPointer<QTcpSocket> m_exitSocket;
    QByteArray m_exitReply;
    ProxyCheck m_result;
    bool m_started = false;
    bool m_done = false;
};

} // namespace wadesk

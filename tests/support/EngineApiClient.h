#pragma once

#include "tests/support/ApiTestHarness.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QString>
#include <QStringList>
#include <memory>

namespace wadesk::test {

// A synchronous client of a WaDesk REST API on a loopback port, for the engine tests: the API of
// an in-process ApiService wired to a SessionRegistry, or of the real binary. While a request
// waits, the calling thread's event loop keeps running (the engine and fake page servers live
// there). No QtWebEngine here.
class EngineApiClient {
public:
    explicit EngineApiClient(quint16 port = 0);
    ~EngineApiClient();

    void setPort(quint16 port) { m_port = port; }
    quint16 port() const { return m_port; }

    // `body`: undefined sends no body; an object is sent as application/json.
    ApiResponse request(const QByteArray &method, const QString &pathAndQuery,
                        const QJsonValue &body = QJsonValue(QJsonValue::Undefined), const HeaderList &headers = {},
                        int timeoutMs = 20000);

    Account registerOrganization(const QString &email, const QString &organizationName,
                                 const QString &password = QStringLiteral("correct-horse-1"));
    Account login(const QString &email, const QString &password);
    // A member with role `role`, created by `by`, logged in and given an API key of its own.
    Account createMember(const Account &by, const QString &role, const QString &email,
                         const QString &password = QStringLiteral("member-pass-1"));
    QString createClient(const Account &by, const QString &name);
    bool assign(const Account &by, const QString &userId, const QString &clientId);

    // GET /api/clients/:id/status as `by`.
    ApiResponse status(const Account &by, const QString &clientId);
    // Polls the status until its "status" is one of `wanted`; returns the last body read (empty
    // object when no answer came) and sets `reached`.
    QJsonObject waitForStatus(const Account &by, const QString &clientId, const QStringList &wanted, int timeoutMs,
                              bool *reached);

private:
    quint16 m_port = 0;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

} // namespace wadesk::test

#pragma once

#include "core/api/ApiRoutes.h"

#include <QHash>
#include <QStringList>

namespace wadesk {

class ClientActionService;
class Database;
class ClientService;
class InstanceService;
class ProxyService;
class SessionControl;
struct ClientRecord;

// /api/clients: the records, and their live WhatsApp sessions: actions through
// ClientActionService, reads through SessionControl (null when the engine does not run in this
// process; session routes then answer 503). A client's proxy is set through ProxyService (null
// without the master key's cipher: then changing it answers 503). Answers that wait for the
// page (a pairing code) come back on `threadContext`'s thread (the API thread's server). A
// client is pinned to an instance (PATCH `instance`) through InstanceService (null: refused).
class ClientController {
public:
    // `database`: where the live owners of the clients' leases are read (several instances);
    // without it no client names one.
    ClientController(ClientService &clients, ClientActionService &actions, SessionControl *sessions, ProxyService *proxies = nullptr,
                     QObject *threadContext = nullptr, InstanceService *instances = nullptr, Database *database = nullptr)
        : m_clients(clients), m_actions(actions), m_sessions(sessions), m_proxies(proxies), m_context(threadContext), m_instances(instances),
          m_database(database) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> init(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> status(ApiRequest &request, const AuthContext &ctx);
    void qr(ApiRequest &request, const AuthContext &ctx, Reply reply);
    Result<HttpResponse> stop(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> logout(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> update(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> pause(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> resume(ApiRequest &request, const AuthContext &ctx);
    void pairingCode(ApiRequest &request, const AuthContext &ctx, Reply reply);
    // The record with its state, number and error as ClientStatus says they are now.
    // `owner`: the live owner of its lease; a client another instance runs shows what that
    // instance stored.
    ClientRecord current(ClientRecord c, const QString &owner = QString()) const;
    // Several instances: the live owners of these clients' leases (empty without any).
    QHash<QString, QString> owners(const QStringList &clientIds) const;
    QString ownerOf(const QString &clientId) const { return owners({clientId}).value(clientId); }
    ClientService &m_clients;
    ClientActionService &m_actions;
    SessionControl *m_sessions;
    ProxyService *m_proxies;
    QObject *m_context;
    InstanceService *m_instances;
    Database *m_database;
    Result<HttpResponse> create(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> remove(ApiRequest &request, const AuthContext &ctx);
};

} // namespace wadesk

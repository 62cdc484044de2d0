#include "core/api/ApiService.h"

#include "core/api/ApiRoutes.h"
#include "core/api/ApiThread.h"
#include "core/api/controllers/ApiKeyController.h"
#include "core/api/controllers/AuditController.h"
#include "core/api/controllers/AuthController.h"
#include "core/api/controllers/ClientController.h"
#include "core/api/controllers/MessageController.h"
#include "core/api/controllers/WebhookController.h"
#include "core/api/controllers/TeamController.h"
#include "core/auth/AccountService.h"
#include "core/auth/ApiKeyService.h"
#include "core/auth/Authenticator.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/TeamService.h"
#include "core/db/Database.h"

#include <QFile>
#include "core/messaging/ContactService.h"
#include "core/messaging/MessageService.h"
#include "core/sessions/ClientActionService.h"
#include "core/sessions/ClientService.h"
#include "core/webhooks/WebhookService.h"

namespace wadesk {

// Created and destroyed on the API thread, in this order.
struct ApiService::OnApiThread {
    mutable QMutex routesMutex;
    QList<QPair<QByteArray, QString>> routeTable;
    std::unique_ptr<PasswordHasher> hasher;
    std::unique_ptr<JwtCodec> jwt;
    std::unique_ptr<Authenticator> authenticator;
    std::unique_ptr<AccountService> accounts;
    std::unique_ptr<TeamService> team;
    std::unique_ptr<ApiKeyService> keys;
    std::unique_ptr<ClientService> clients;
    std::unique_ptr<ClientActionService> clientActions;
    std::unique_ptr<MessageService> messages;
    std::unique_ptr<ContactService> contacts;
    std::unique_ptr<WebhookService> webhooks;
    std::unique_ptr<ApiRoutes> routes;
    std::unique_ptr<HealthController> health;
    std::unique_ptr<AuthController> auth;
    std::unique_ptr<ApiKeyController> apiKeys;
    std::unique_ptr<TeamController> teamController;
    std::unique_ptr<ClientController> clientController;
    std::unique_ptr<AuditController> audit;
    std::unique_ptr<MessageController> messageController;
    std::unique_ptr<WebhookController> webhookController;

    void clear()
    {
        webhookController.reset();
        messageController.reset();
        audit.reset();
        clientController.reset();
        teamController.reset();
        apiKeys.reset();
        auth.reset();
        health.reset();
        routes.reset();
        webhooks.reset();
        contacts.reset();
        messages.reset();
        clientActions.reset();
        clients.reset();
        keys.reset();
        team.reset();
        accounts.reset();
        authenticator.reset();
        jwt.reset();
        hasher.reset();
    }
};

ApiService::ApiService(Database &database, QByteArray jwtKey, Options options)
    : m_database(database)
    , m_jwtKey(std::move(jwtKey))
    , m_options(std::move(options))
    , m_parts(std::make_shared<OnApiThread>())
{
}

ApiService::~ApiService()
{
    stop(0);
}

Result<quint16> ApiService::start()
{
    auto parts = m_parts;
    Database *database = &m_database;
    const QByteArray jwtKey = m_jwtKey;
    const Options options = m_options;
    auto setup = [parts, database, jwtKey, options](HttpServer &server) {
        OnApiThread &p = *parts;
        p.hasher = std::make_unique<PasswordHasher>(options.passwordCost);
        p.jwt = std::make_unique<JwtCodec>(jwtKey, options.jwtLifetimeSeconds);
        p.authenticator = std::make_unique<Authenticator>(*database, *p.jwt, options.authCacheMs);
        p.accounts = std::make_unique<AccountService>(*database, *p.jwt);
        p.team = std::make_unique<TeamService>(*database, *p.authenticator);
        p.keys = std::make_unique<ApiKeyService>(*database, *p.authenticator);
        p.clients = std::make_unique<ClientService>(*database);
        p.clientActions = std::make_unique<ClientActionService>(*database, *p.clients, options.sessions);
        p.messages = std::make_unique<MessageService>(*database, *p.clients, options.sessions, options.messaging);
        p.contacts = std::make_unique<ContactService>(*database);
        if (options.cipher)
            p.webhooks = std::make_unique<WebhookService>(*database, *options.cipher, options.events, options.allowPrivateWebhookTargets,
                                                          options.operatorOrganization);
        p.routes = std::make_unique<ApiRoutes>(server.router(), *p.authenticator, &server);

        p.health = std::make_unique<HealthController>(*database, options.health, options.healthCacheMs);
        p.health->registerRoutes(server.router());
        p.auth = std::make_unique<AuthController>(*p.accounts, *p.hasher);
        p.auth->registerRoutes(*p.routes);
        p.apiKeys = std::make_unique<ApiKeyController>(*p.keys);
        p.apiKeys->registerRoutes(*p.routes);
        p.teamController = std::make_unique<TeamController>(*p.team, *p.hasher);
        p.teamController->registerRoutes(*p.routes);
        p.clientController = std::make_unique<ClientController>(*p.clients, *p.clientActions, options.sessions);
        p.clientController->registerRoutes(*p.routes);
        p.audit = std::make_unique<AuditController>(*database);
        p.audit->registerRoutes(*p.routes);
        p.messageController = std::make_unique<MessageController>(*p.messages, *p.contacts);
        p.messageController->registerRoutes(*p.routes);
        if (p.webhooks) {
            p.webhookController = std::make_unique<WebhookController>(*p.webhooks, &server);
            p.webhookController->registerRoutes(*p.routes);
        }

        // The OpenAPI document is embedded; it is public, like /health.
        server.router().add("GET", QStringLiteral("/api/openapi.json"), [](ApiRequest &) {
            static const QByteArray document = []() {
                QFile file(QStringLiteral(":/openapi.json"));
                return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
            }();
            return HttpResponse::raw(document, "application/json");
        });

        QMutexLocker lock(&p.routesMutex);
        p.routeTable.clear();
        for (const auto &route : server.router().routes())
            p.routeTable.append({route->method, route->pattern});
    };
    auto teardown = [parts, database]() {
        parts->clear();
        database->closeThreadConnection();
    };
    m_thread = std::make_unique<ApiThread>(m_options.limits, m_options.address, m_options.port, setup, teardown);
    return m_thread->startAndListen();
}

void ApiService::stop(int graceMs)
{
    if (m_thread) {
        m_thread->shutdown(graceMs);
        m_thread.reset();
    }
}

QList<QPair<QByteArray, QString>> ApiService::routeTable() const
{
    QMutexLocker lock(&m_parts->routesMutex);
    return m_parts->routeTable;
}

quint16 ApiService::port() const
{
    return m_thread ? m_thread->port() : 0;
}

} // namespace wadesk

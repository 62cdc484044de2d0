#include "core/api/ApiService.h"

#include "core/api/ApiRoutes.h"
#include "core/api/ApiThread.h"
#include "core/api/MetricsController.h"
#include "core/api/controllers/AnalyticsController.h"
#include "core/api/controllers/ApiKeyController.h"
#include "core/api/controllers/AuditController.h"
#include "core/api/controllers/AuthController.h"
#include "core/api/controllers/MediaController.h"
#include "core/api/controllers/ClientController.h"
#include "core/api/controllers/MessageController.h"
#include "core/api/controllers/OrganizationController.h"
#include "core/api/controllers/ProxyController.h"
#include "core/api/controllers/WebhookController.h"
#include "core/api/controllers/TeamController.h"
#include "core/api/controllers/CampaignController.h"
#include "core/api/controllers/ContactController.h"
#include "core/api/controllers/SegmentController.h"
#include "core/contacts/ContactImport.h"
#include "core/api/controllers/QuickReplyController.h"
#include "core/api/controllers/TemplateController.h"
#include "core/api/controllers/AutoReplyController.h"
#include "core/api/controllers/InstanceController.h"
#include "core/db/Database.h"
#include "core/services/ServiceGraph.h"

#include <QFile>

namespace wadesk {

// Created and destroyed on the API thread, in this order.
struct ApiService::OnApiThread {
    mutable QMutex routesMutex;
    QList<QPair<QByteArray, QString>> routeTable;
    std::unique_ptr<ServiceGraph> services;
    std::unique_ptr<ApiRoutes> routes;
    std::unique_ptr<HealthController> health;
    std::unique_ptr<MetricsController> metrics;
    std::unique_ptr<AuthController> auth;
    std::unique_ptr<ApiKeyController> apiKeys;
    std::unique_ptr<TeamController> teamController;
    std::unique_ptr<ClientController> clientController;
    std::unique_ptr<AuditController> audit;
    std::unique_ptr<MessageController> messageController;
    std::unique_ptr<WebhookController> webhookController;
    std::unique_ptr<ProxyController> proxyController;
    std::unique_ptr<MediaController> mediaController;
    std::unique_ptr<OrganizationController> organizationController;
    std::unique_ptr<AnalyticsController> analyticsController;
    std::unique_ptr<CampaignController> campaignController;
    std::unique_ptr<ContactController> contactController;
    std::unique_ptr<SegmentController> segmentController;
    std::unique_ptr<TemplateController> templateController;
    std::unique_ptr<QuickReplyController> quickReplyController;
    std::unique_ptr<AutoReplyController> autoReplyController;
    std::unique_ptr<InstanceController> instanceController;

    void clear()
    {
        instanceController.reset();
        autoReplyController.reset();
        quickReplyController.reset();
        templateController.reset();
        segmentController.reset();
        contactController.reset();
        campaignController.reset();
        analyticsController.reset();
        organizationController.reset();
        mediaController.reset();
        proxyController.reset();
        webhookController.reset();
        messageController.reset();
        audit.reset();
        clientController.reset();
        teamController.reset();
        apiKeys.reset();
        auth.reset();
        metrics.reset();
        health.reset();
        routes.reset();
        services.reset();
    }
};

ApiService::ApiService(Options options)
    : m_options(std::move(options))
    , m_parts(std::make_shared<OnApiThread>())
{
    Q_ASSERT(m_options.shared.database);
}

ApiService::~ApiService()
{
    stop(0);
}

Result<quint16> ApiService::start()
{
    auto parts = m_parts;
    const Options options = m_options;
    auto setup = [parts, options](HttpServer &server) {
        OnApiThread &p = *parts;
        Database &database = *options.shared.database;
        p.services = std::make_unique<ServiceGraph>(options.shared, options.services);
        ServiceGraph &s = *p.services;
        const Clock &clock = options.shared.clock ? *options.shared.clock : Clock::system();
        p.routes = std::make_unique<ApiRoutes>(server.router(), s.authenticator());

        p.health = std::make_unique<HealthController>(database, options.health, options.api.healthCacheMs, clock);
        p.health->registerRoutes(server.router());
        p.metrics = std::make_unique<MetricsController>(
            database, MetricsController::Settings{options.api.metricsEnabled, options.api.metricsToken},
            MetricsController::Info{options.health.databaseKind, options.health.waJsVersion, options.instanceId,
                                    options.chromiumVersion});
        p.metrics->registerRoutes(server.router());
        p.auth = std::make_unique<AuthController>(s.accounts(), s.hasher());
        p.auth->registerRoutes(*p.routes);
        p.apiKeys = std::make_unique<ApiKeyController>(s.apiKeys(), clock);
        p.apiKeys->registerRoutes(*p.routes);
        p.teamController = std::make_unique<TeamController>(s.team(), s.hasher());
        p.teamController->registerRoutes(*p.routes);
        p.clientController = std::make_unique<ClientController>(s.clients(), s.clientActions(), options.shared.sessions, s.proxies(), &server,
                                                                   &s.instances(), &database);
        p.clientController->registerRoutes(*p.routes);
        p.audit = std::make_unique<AuditController>(s.audit());
        p.audit->registerRoutes(*p.routes);
        // Before MessageController: /api/contacts/import and /export are not contact ids.
        p.contactController = std::make_unique<ContactController>(database);
        p.contactController->registerRoutes(*p.routes);
        p.segmentController = std::make_unique<SegmentController>(database, clock);
        p.segmentController->registerRoutes(*p.routes);
        p.messageController = std::make_unique<MessageController>(s.messages(), s.contacts());
        p.messageController->registerRoutes(*p.routes);
        if (s.webhooks()) {
            p.webhookController = std::make_unique<WebhookController>(*s.webhooks(), &server, clock);
            p.webhookController->registerRoutes(*p.routes);
        }
        if (s.proxies()) {
            p.proxyController = std::make_unique<ProxyController>(*s.proxies());
            p.proxyController->registerRoutes(*p.routes);
        }
        p.mediaController = std::make_unique<MediaController>(s.media());
        p.mediaController->registerRoutes(*p.routes);
        p.organizationController = std::make_unique<OrganizationController>(s.organizations());
        p.organizationController->registerRoutes(*p.routes);
        p.analyticsController = std::make_unique<AnalyticsController>(s.analytics());
        p.analyticsController->registerRoutes(*p.routes);
        p.campaignController = std::make_unique<CampaignController>(s.campaigns());
        p.campaignController->registerRoutes(*p.routes);
        p.templateController = std::make_unique<TemplateController>(s.templates());
        p.templateController->registerRoutes(*p.routes);
        p.quickReplyController = std::make_unique<QuickReplyController>(s.templates());
        p.quickReplyController->registerRoutes(*p.routes);
        p.autoReplyController = std::make_unique<AutoReplyController>(s.autoReplies());
        p.autoReplyController->registerRoutes(*p.routes);
        p.instanceController = std::make_unique<InstanceController>(s.instances());
        p.instanceController->registerRoutes(*p.routes);

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
    Database *database = m_options.shared.database;
    auto teardown = [parts, database]() {
        parts->clear();
        database->closeThreadConnection();
    };
    // The routes that carry a file (base64 in JSON, multipart or raw) take a body for up to
    // media/maxBytes of it; every other route keeps http/maxBodyBytes. Refused with 413 before
    // the body is read.
    ServerLimits limits = m_options.api.limits;
    const qint64 fileBody = m_options.services.media.uploadBodyLimit();
    limits.bodyLimitFor = [fileBody](const QByteArray &method, const QByteArray &path) -> qint64 {
        if (method != "POST")
            return 0;
        if (path == "/api/media/upload" || (path.startsWith("/api/clients/") && path.endsWith("/send-message")))
            return fileBody;
        if (path == "/api/contacts/import")
            return ContactImport::kMaxBodyBytes;
        return 0;
    };
    limits.largestRouteBodyBytes = std::max(fileBody, ContactImport::kMaxBodyBytes);
    m_thread = std::make_unique<ApiThread>(limits, m_options.api.listenAddress(),
                                           quint16(m_options.api.port), setup, teardown);
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

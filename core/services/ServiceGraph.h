#pragma once

#include "core/common/Clock.h"
#include "core/services/ServiceSettings.h"

#include <QByteArray>
#include <memory>

namespace wadesk {

class AccountService;
class AnalyticsService;
class AuditService;
class CampaignService;
class AesGcm;
class ApiKeyService;
class Authenticator;
class ClientActionService;
class ClientService;
class ContactService;
class InstanceService;
class Database;
class EventBus;
class JwtCodec;
class MediaLibrary;
class MediaService;
class MessageService;
class OrganizationService;
class PasswordHasher;
class ProxyService;
class SessionControl;
class TeamService;
class TemplateService;
class AutoReplyService;
class WebhookService;

// What every thread's services share: owned by the application, outliving every graph.
struct SharedServices {
    Database *database = nullptr;
    QByteArray jwtKey;
    const AesGcm *cipher = nullptr;      // seals webhook secrets and proxy passwords; without it there is no WebhookService or ProxyService
    EventBus *events = nullptr;
    SessionControl *sessions = nullptr;  // the engine; null where sessions do not run (some tests)
    const Clock *clock = &Clock::system(); // business time for every service (tests: a ManualClock)
    // Null (the application): sends with a file use this graph's own MediaService. Component
    // tests of messaging may put another library here (it must be thread-safe).
    MediaLibrary *media = nullptr;
};

// The core services of one thread, built in one place (the API thread's and the desktop's are two
// instances of this class; a service is added here and both have it). Services hold per-thread
// state (database connections, caches), so a graph is created, used and destroyed on one thread,
// and destroys its services in the reverse order of their creation.
class ServiceGraph {
public:
    ServiceGraph(const SharedServices &shared, const ServiceSettings &settings);
    ~ServiceGraph();
    ServiceGraph(const ServiceGraph &) = delete;
    ServiceGraph &operator=(const ServiceGraph &) = delete;

    const ServiceSettings &settings() const { return m_settings; }
    const SharedServices &shared() const { return m_shared; }

    PasswordHasher &hasher() { return *m_hasher; }
    JwtCodec &jwt() { return *m_jwt; }
    Authenticator &authenticator() { return *m_authenticator; }
    AccountService &accounts() { return *m_accounts; }
    TeamService &team() { return *m_team; }
    ApiKeyService &apiKeys() { return *m_apiKeys; }
    AuditService &audit() { return *m_audit; }
    ClientService &clients() { return *m_clients; }
    ClientActionService &clientActions() { return *m_clientActions; }
    MessageService &messages() { return *m_messages; }
    ContactService &contacts() { return *m_contacts; }
    MediaService &media() { return *m_media; }
    WebhookService *webhooks() { return m_webhooks.get(); } // null without SharedServices::cipher
    ProxyService *proxies() { return m_proxies.get(); }     // null without SharedServices::cipher
    OrganizationService &organizations() { return *m_organizations; }
    AnalyticsService &analytics() { return *m_analytics; }
    CampaignService &campaigns() { return *m_campaigns; }
    TemplateService &templates() { return *m_templates; }
    AutoReplyService &autoReplies() { return *m_autoReplies; }
    InstanceService &instances() { return *m_instances; }

private:
    SharedServices m_shared;
    ServiceSettings m_settings;
    // Declaration order is creation order: later services use earlier ones.
    std::unique_ptr<PasswordHasher> m_hasher;
    std::unique_ptr<JwtCodec> m_jwt;
    std::unique_ptr<Authenticator> m_authenticator;
    std::unique_ptr<AccountService> m_accounts;
    std::unique_ptr<TeamService> m_team;
    std::unique_ptr<ApiKeyService> m_apiKeys;
    std::unique_ptr<AuditService> m_audit;
    std::unique_ptr<ClientService> m_clients;
    std::unique_ptr<ClientActionService> m_clientActions;
    std::unique_ptr<MediaService> m_media;
    std::unique_ptr<MessageService> m_messages;
    std::unique_ptr<ContactService> m_contacts;
    std::unique_ptr<WebhookService> m_webhooks;
    std::unique_ptr<EventBus> m_ownEvents; // where SharedServices::events is null: events are stored, not announced
    std::unique_ptr<ProxyService> m_proxies;
    std::unique_ptr<OrganizationService> m_organizations;
    std::unique_ptr<AnalyticsService> m_analytics;
    std::unique_ptr<CampaignService> m_campaigns;
    std::unique_ptr<TemplateService> m_templates;
    std::unique_ptr<AutoReplyService> m_autoReplies;
    std::unique_ptr<InstanceService> m_instances;
};

} // namespace wadesk

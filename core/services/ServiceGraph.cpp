#include "core/services/ServiceGraph.h"

#include "core/analytics/AnalyticsService.h"
#include "core/audit/AuditService.h"
#include "core/campaigns/CampaignService.h"
#include "core/templates/TemplateService.h"
#include "core/autoreplies/AutoReplyService.h"
#include "core/auth/AccountService.h"
#include "core/auth/ApiKeyService.h"
#include "core/auth/Authenticator.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/OrganizationService.h"
#include "core/auth/PasswordHasher.h"
#include "core/cluster/InstanceService.h"
#include "core/auth/TeamService.h"
#include "core/messaging/ContactService.h"
#include "core/events/EventBus.h"
#include "core/media/MediaService.h"
#include "core/messaging/MessageService.h"
#include "core/proxies/ProxyService.h"
#include "core/sessions/ClientActionService.h"
#include "core/sessions/ClientService.h"
#include "core/webhooks/WebhookService.h"

namespace wadesk {

ServiceGraph::ServiceGraph(const SharedServices &shared, const ServiceSettings &settings)
    : m_shared(shared)
    , m_settings(settings)
{
    Q_ASSERT(shared.database);
    Database &db = *shared.database;
    const AuthSettings &auth = settings.auth;
    const Clock &clock = shared.clock ? *shared.clock : Clock::system();
    m_hasher = std::make_unique<PasswordHasher>(auth.passwordCost);
    m_jwt = std::make_unique<JwtCodec>(shared.jwtKey, auth.jwtLifetimeSeconds);
    m_authenticator = std::make_unique<Authenticator>(db, *m_jwt, auth.authCacheMs, clock);
    m_accounts = std::make_unique<AccountService>(db, *m_jwt, clock);
    m_team = std::make_unique<TeamService>(db, *m_authenticator, clock);
    m_apiKeys = std::make_unique<ApiKeyService>(db, *m_authenticator, clock);
    m_audit = std::make_unique<AuditService>(db);
    m_clients = std::make_unique<ClientService>(db, clock);
    m_clientActions = std::make_unique<ClientActionService>(db, *m_clients, shared.sessions, clock);
    m_media = std::make_unique<MediaService>(db, settings.media, shared.events, clock);
    m_messages = std::make_unique<MessageService>(db, *m_clients, shared.sessions, settings.messaging, clock);
    m_messages->setMediaLibrary(shared.media ? shared.media : m_media.get());
    m_contacts = std::make_unique<ContactService>(db, clock);
    if (shared.cipher)
        m_webhooks = std::make_unique<WebhookService>(db, *shared.cipher, shared.events,
                                                      settings.webhooks.delivery.allowPrivateTargets,
                                                      settings.webhooks.operatorOrganization, clock);
    if (shared.cipher) {
        EventBus *events = shared.events;
        if (!events) {
            m_ownEvents = std::make_unique<EventBus>();
            events = m_ownEvents.get();
        }
        m_proxies = std::make_unique<ProxyService>(db, *shared.cipher, *events, clock);
        m_proxies->setSessions(shared.sessions);
    }
    m_organizations = std::make_unique<OrganizationService>(db, clock);
    m_analytics = std::make_unique<AnalyticsService>(db, *m_organizations, clock);
    m_campaigns = std::make_unique<CampaignService>(db, *m_clients, shared.events, settings.messaging, settings.campaigns, clock);
    m_campaigns->setMediaLibrary(shared.media ? shared.media : m_media.get());
    m_templates = std::make_unique<TemplateService>(db, settings.messaging.maxTextLength, clock);
    m_templates->setMediaLibrary(shared.media ? shared.media : m_media.get());
    m_autoReplies = std::make_unique<AutoReplyService>(db, settings.messaging.maxTextLength, clock);
    m_instances = std::make_unique<InstanceService>(db, *m_clients, settings.instanceLeaseSeconds, clock);
}

ServiceGraph::~ServiceGraph()
{
    // Reverse order of creation, spelled out: members would be destroyed in this order anyway,
    // but a reordering of the declarations must not change it silently.
    m_instances.reset();
    m_autoReplies.reset();
    m_templates.reset();
    m_campaigns.reset();
    m_analytics.reset();
    m_organizations.reset();
    m_proxies.reset();
    m_ownEvents.reset();
    m_webhooks.reset();
    m_contacts.reset();
    m_messages.reset();
    m_media.reset();
    m_clientActions.reset();
    m_clients.reset();
    m_audit.reset();
    m_apiKeys.reset();
    m_team.reset();
    m_accounts.reset();
    m_authenticator.reset();
    m_jwt.reset();
    m_hasher.reset();
}

} // namespace wadesk

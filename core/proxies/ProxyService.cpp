#include "core/proxies/ProxyService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/proxies/ProxyRepository.h"
#include "core/proxies/ProxyRules.h"
#include "core/secrets/AesGcm.h"
#include "core/sessions/ClientRepository.h"
#include "core/sessions/SessionControl.h"

#include <QJsonArray>
#include <QJsonObject>
#include <algorithm>

namespace wadesk {

const QString ProxyService::kAuto = QStringLiteral("auto");

namespace {
const QString kResource = QStringLiteral("proxies");
const QString kClientResource = QStringLiteral("whatsapp_clients");

// Malformed ids (a NUL, another prefix, the wrong length) are answered before any SQL.
bool validProxyId(const QString &id)
{
    return Ids::looksValid(id, "px");
}

// Any organization's pool entry, for the engine's calls (no actor): 404 for a malformed or
// unknown id.
Result<ProxyRecord> anyOrganizationsProxy(ProxyRepository &repo, const QString &proxyId)
{
    if (!validProxyId(proxyId))
        return DomainError::notFound(QStringLiteral("Proxy"));
    Result<std::optional<ProxyRecord>> row = repo.findAnywhere(proxyId);
    if (!row)
        return row.error();
    if (!row.value())
        return DomainError::notFound(QStringLiteral("Proxy"));
    return *row.value();
}

AuditEntry systemAudit(const QString &organizationId, const QString &action, const QString &resource, const QString &resourceId,
                       const QJsonObject &details)
{
    AuditEntry e;
    e.organizationId = organizationId;
    e.action = action;
    e.resource = resource;
    e.resourceId = resourceId;
    e.details = details;
    e.details.insert(QStringLiteral("actor"), QStringLiteral("system"));
    return e;
}

QJsonValue healthJson(const std::optional<bool> &healthy)
{
    return healthy ? QJsonValue(*healthy) : QJsonValue(QJsonValue::Null);
}

// What the audit log keeps of an entry: everything but the password (only whether there is one).
QJsonObject auditView(const ProxyRecord &p)
{
    return QJsonObject{{QStringLiteral("type"), ProxyEndpoint::typeName(p.type)},
                       {QStringLiteral("host"), p.host},
                       {QStringLiteral("port"), int(p.port)},
                       {QStringLiteral("username"), p.username},
                       {QStringLiteral("has_password"), p.hasPassword},
                       {QStringLiteral("label"), p.label},
                       {QStringLiteral("country"), p.country},
                       {QStringLiteral("max_clients"), p.maxClients}};
}

// The entry `clientId` should use: healthy (or, with `allowUnchecked`, not checked yet), under
// its maximum (not counting the client itself), fewest clients first, then the oldest; never
// `excludeProxyId`. Empty when none.
Result<QString> pickFor(ProxyRepository &repo, const QString &organizationId, const QString &clientId, bool allowUnchecked,
                        const QString &excludeProxyId)
{
    Result<QList<ProxyRecord>> pool = repo.list(organizationId);
    if (!pool)
        return pool.error();
    QString best;
    int bestClients = 0;
    for (const ProxyRecord &p : pool.value()) {
        if (p.id == excludeProxyId)
            continue;
        if (p.healthy ? !*p.healthy : !allowUnchecked)
            continue;
        Result<int> others = repo.clientCount(organizationId, p.id, clientId);
        if (!others)
            return others.error();
        if (others.value() >= p.maxClients)
            continue;
        if (best.isEmpty() || others.value() < bestClients) { // the pool is listed oldest first
            best = p.id;
            bestClients = others.value();
        }
    }
    return best;
}

DomainError noProxyAvailable()
{
    return DomainError::conflict(QStringLiteral("No proxy of the organization is healthy and below its maximum of clients"),
                                 QStringLiteral("no_proxy_available"));
}
} // namespace

ProxyService::ProxyService(Database &database, const AesGcm &cipher, EventBus &events, const Clock &clock)
    : m_database(database)
    , m_cipher(cipher)
    , m_events(events)
    , m_clock(clock)
{
}

QByteArray ProxyService::sealingContext(const QString &proxyId)
{
    return "proxies.password:" + proxyId.toUtf8();
}

QString ProxyService::seal(const QString &proxyId, const QString &password) const
{
    if (password.isEmpty())
        return QString();
    return QString::fromLatin1(m_cipher.seal(password.toUtf8(), sealingContext(proxyId)));
}

Result<ProxyRecord> ProxyService::found(const QString &organizationId, const QString &proxyId)
{
    if (!validProxyId(proxyId))
        return DomainError::notFound(QStringLiteral("Proxy"));
    SqlRunner sql(m_database);
    Result<std::optional<ProxyRecord>> row = ProxyRepository(sql).find(organizationId, proxyId);
    if (!row)
        return row.error();
    if (!row.value())
        return DomainError::notFound(QStringLiteral("Proxy"));
    return *row.value();
}

Result<QList<ProxyRecord>> ProxyService::list(const AuthContext &actor)
{
    if (Status s = actor.require(Permission::ManageClients); !s)
        return s.error();
    SqlRunner sql(m_database);
    return ProxyRepository(sql).list(actor.organizationId);
}

Result<ProxyRecord> ProxyService::get(const AuthContext &actor, const QString &proxyId)
{
    if (Status s = actor.require(Permission::ManageClients); !s)
        return s.error();
    return found(actor.organizationId, proxyId);
}

Result<ProxyRecord> ProxyService::create(const AuthContext &actor, const ProxyInput &input)
{
    if (Status s = actor.require(Permission::ManageOrganization); !s)
        return s.error();
    ProxyRecord p;
    Result<ProxyEndpoint::Type> type = ProxyRules::type(input.type);
    if (!type)
        return type.error();
    p.type = type.value();
    Result<QString> host = ProxyRules::host(input.host);
    if (!host)
        return host.error();
    p.host = host.value();
    if (Status s = ProxyRules::port(input.port); !s)
        return s.error();
    p.port = quint16(input.port);
    if (Status s = ProxyRules::credentials(p.type, input.username, !input.password.isEmpty(), input.password); !s)
        return s.error();
    p.username = input.username;
    p.hasPassword = !input.password.isEmpty();
    Result<QString> label = ProxyRules::label(input.label.isEmpty() ? ProxyRules::defaultLabel(p.host, p.port) : input.label);
    if (!label)
        return label.error();
    p.label = label.value();
    Result<QString> country = ProxyRules::country(input.country);
    if (!country)
        return country.error();
    p.country = country.value();
    p.maxClients = input.maxClients.value_or(ProxyRules::kDefaultMaxClients);
    if (Status s = ProxyRules::maxClients(p.maxClients); !s)
        return s.error();

    p.id = Ids::make("px");
    p.organizationId = actor.organizationId;
    p.createdAt = p.updatedAt = m_clock.nowMs();
    const QString sealed = seal(p.id, input.password);
    Status stored = runAudited(m_database, &m_events, [&](AuditedWrite &write) -> Status {
        ProxyRepository repo(write.sql);
        Result<bool> taken = repo.duplicate(p.organizationId, p.host, p.port, p.username, QString());
        if (!taken)
            return taken.error();
        if (taken.value())
            return DomainError::conflict(QStringLiteral("The organization already has this proxy (same host, port and username)"),
                                         QStringLiteral("proxy_exists"));
        if (Status s = repo.insert(p, sealed); !s)
            return s;
        return write.audit.append(auditBy(actor, QStringLiteral("create_proxy"), kResource, p.id, auditView(p)));
    }, m_clock);
    if (!stored)
        return stored.error();
    return p;
}

Result<ProxyRecord> ProxyService::update(const AuthContext &actor, const QString &proxyId, const ProxyPatch &patch)
{
    if (Status s = actor.require(Permission::ManageOrganization); !s)
        return s.error();
    if (patch.isEmpty())
        return DomainError::badRequest(QStringLiteral("Nothing to change"), QStringLiteral("empty_change"));
    Result<ProxyRecord> current = found(actor.organizationId, proxyId);
    if (!current)
        return current;
    const ProxyRecord before = current.value();
    ProxyRecord p = before;
    QJsonObject changed;
    if (patch.type) {
        Result<ProxyEndpoint::Type> type = ProxyRules::type(*patch.type);
        if (!type)
            return type.error();
        p.type = type.value();
    }
    if (patch.host) {
        Result<QString> host = ProxyRules::host(*patch.host);
        if (!host)
            return host.error();
        p.host = host.value();
    }
    if (patch.port) {
        if (Status s = ProxyRules::port(*patch.port); !s)
            return s.error();
        p.port = quint16(*patch.port);
    }
    if (patch.username)
        p.username = *patch.username;
    std::optional<QString> sealed; // unset: the password column stays
    if (patch.clearPassword) {
        p.hasPassword = false;
        sealed = QString();
    } else if (patch.password) {
        p.hasPassword = !patch.password->isEmpty();
        sealed = seal(p.id, *patch.password);
    }
    if (Status s = ProxyRules::credentials(p.type, p.username, p.hasPassword, patch.password.value_or(QString())); !s)
        return s.error();
    if (patch.label) {
        Result<QString> label = ProxyRules::label(patch.label->isEmpty() ? ProxyRules::defaultLabel(p.host, p.port) : *patch.label);
        if (!label)
            return label.error();
        p.label = label.value();
    } else if (before.label == ProxyRules::defaultLabel(before.host, before.port)) {
        p.label = ProxyRules::defaultLabel(p.host, p.port); // a default label follows its address
    }
    if (patch.country) {
        Result<QString> country = ProxyRules::country(*patch.country);
        if (!country)
            return country.error();
        p.country = country.value();
    }
    if (patch.maxClients) {
        if (Status s = ProxyRules::maxClients(*patch.maxClients); !s)
            return s.error();
        p.maxClients = *patch.maxClients;
    }

    const bool endpointChanged = p.type != before.type || p.host != before.host || p.port != before.port
                                 || p.username != before.username || sealed.has_value();
    if (endpointChanged) {
        // What was measured belongs to the old endpoint: unknown until checked again.
        p.healthy.reset();
        p.latencyMs = -1;
        p.exitAddress.clear();
        p.lastCheckedAt = 0;
    }
    p.updatedAt = std::max(m_clock.nowMs(), before.updatedAt + 1);
    const QJsonObject was = auditView(before);
    const QJsonObject now = auditView(p);
    for (auto it = now.begin(); it != now.end(); ++it) {
        if (was.value(it.key()) != it.value())
            changed.insert(it.key(), it.value());
    }
    if (sealed && !patch.clearPassword)
        changed.insert(QStringLiteral("password"), QStringLiteral("changed")); // never the value
    if (endpointChanged)
        changed.insert(QStringLiteral("health_reset"), true);

    Status stored = runAudited(m_database, &m_events, [&](AuditedWrite &write) -> Status {
        ProxyRepository repo(write.sql);
        Result<bool> taken = repo.duplicate(p.organizationId, p.host, p.port, p.username, p.id);
        if (!taken)
            return taken.error();
        if (taken.value())
            return DomainError::conflict(QStringLiteral("The organization already has this proxy (same host, port and username)"),
                                         QStringLiteral("proxy_exists"));
        if (p.maxClients < before.maxClients) {
            // Lowering the maximum below the clients it already has would leave it over-full.
            Result<int> using_ = repo.clientCount(p.organizationId, p.id, QString());
            if (!using_)
                return using_.error();
            if (using_.value() > p.maxClients) {
                DomainError e = DomainError::validation(QStringLiteral("max_clients"),
                                                        QStringLiteral("max_clients cannot go below the %1 clients using the proxy").arg(using_.value()));
                e.details.insert(QStringLiteral("clients"), using_.value());
                return e;
            }
        }
        if (Status s = repo.update(p, sealed); !s)
            return s;
        return write.audit.append(auditBy(actor, QStringLiteral("update_proxy"), kResource, p.id, changed));
    }, m_clock);
    if (!stored)
        return stored.error();
    if (endpointChanged && m_sessions) {
        if (Result<QStringList> using_ = clientsOf(p.id); using_) {
            for (const QString &clientId : using_.value())
                m_sessions->requestReloadSettings(clientId);
        }
    }
    return found(actor.organizationId, p.id);
}

Status ProxyService::remove(const AuthContext &actor, const QString &proxyId)
{
    if (Status s = actor.require(Permission::ManageOrganization); !s)
        return s;
    Result<ProxyRecord> current = found(actor.organizationId, proxyId);
    if (!current)
        return current.error();
    return runAudited(m_database, &m_events, [&](AuditedWrite &write) -> Status {
        ProxyRepository repo(write.sql);
        Result<int> using_ = repo.clientCount(actor.organizationId, proxyId, QString());
        if (!using_)
            return using_.error();
        if (using_.value() > 0) {
            DomainError e = DomainError::conflict(
                QStringLiteral("%1 client(s) use this proxy: assign them another proxy (or none) first").arg(using_.value()),
                QStringLiteral("proxy_in_use"));
            e.details.insert(QStringLiteral("clients"), using_.value());
            return e;
        }
        Result<bool> removed = repo.remove(actor.organizationId, proxyId);
        if (!removed)
            return removed.error();
        if (!removed.value())
            return DomainError::notFound(QStringLiteral("Proxy"));
        return write.audit.append(auditBy(actor, QStringLiteral("delete_proxy"), kResource, proxyId, auditView(current.value())));
    }, m_clock);
}

Result<QString> ProxyService::assign(const AuthContext &actor, const QString &clientId, const QString &proxyIdOrAuto)
{
    if (Status s = actor.require(Permission::ManageClients); !s)
        return s.error();
    const bool automatic = proxyIdOrAuto == kAuto;
    if (!automatic && !proxyIdOrAuto.isEmpty() && !validProxyId(proxyIdOrAuto))
        return DomainError::notFound(QStringLiteral("Proxy"));
    QString chosen;
    Status stored = runAudited(m_database, &m_events, [&](AuditedWrite &write) -> Status {
        Result<std::optional<ClientRecord>> client = ClientRepository(write.sql).find(actor.organizationId, clientId, ClientScope::of(actor));
        if (!client)
            return client.error();
        if (!client.value())
            return DomainError::notFound(QStringLiteral("Client"));
        ProxyRepository repo(write.sql);
        const QString previous = client.value()->proxyId;
        if (automatic) {
            Result<QString> picked = pickFor(repo, actor.organizationId, clientId, true, QString());
            if (!picked)
                return picked.error();
            if (picked.value().isEmpty())
                return noProxyAvailable();
            chosen = picked.value();
        } else {
            chosen = proxyIdOrAuto;
        }
        if (!chosen.isEmpty()) {
            Result<bool> locked = repo.lock(actor.organizationId, chosen);
            if (!locked)
                return locked.error();
            if (!locked.value())
                return DomainError::notFound(QStringLiteral("Proxy"));
            Result<std::optional<ProxyRecord>> proxy = repo.find(actor.organizationId, chosen);
            if (!proxy)
                return proxy.error();
            Result<int> others = repo.clientCount(actor.organizationId, chosen, clientId);
            if (!others)
                return others.error();
            if (!proxy.value() || others.value() >= proxy.value()->maxClients) {
                DomainError e = DomainError::conflict(QStringLiteral("The proxy already serves its maximum of clients"),
                                                      QStringLiteral("proxy_full"));
                e.details.insert(QStringLiteral("max_clients"), proxy.value() ? proxy.value()->maxClients : 0);
                return e;
            }
        }
        if (chosen == previous)
            return {}; // nothing changes, nothing to audit
        if (Status s = repo.setClientProxy(actor.organizationId, clientId, chosen, m_clock.nowMs()); !s)
            return s;
        return write.audit.append(auditBy(actor, QStringLiteral("assign_proxy"), kClientResource, clientId,
                                          {{QStringLiteral("clientId"), clientId},
                                           {QStringLiteral("proxy_id"), chosen.isEmpty() ? QJsonValue() : QJsonValue(chosen)},
                                           {QStringLiteral("previous_proxy_id"), previous.isEmpty() ? QJsonValue() : QJsonValue(previous)},
                                           {QStringLiteral("automatic"), automatic}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    if (m_sessions)
        m_sessions->requestReloadSettings(clientId); // its running session moves to the new route
    return chosen;
}

Status ProxyService::setFailover(const AuthContext &actor, const QString &clientId, bool allowed)
{
    if (Status s = actor.require(Permission::ManageClients); !s)
        return s;
    return runAudited(m_database, &m_events, [&](AuditedWrite &write) -> Status {
        Result<std::optional<ClientRecord>> client = ClientRepository(write.sql).find(actor.organizationId, clientId, ClientScope::of(actor));
        if (!client)
            return client.error();
        if (!client.value())
            return DomainError::notFound(QStringLiteral("Client"));
        if (client.value()->proxyFailover == allowed)
            return {};
        if (Status s = ProxyRepository(write.sql).setClientFailover(actor.organizationId, clientId, allowed, m_clock.nowMs()); !s)
            return s;
        return write.audit.append(auditBy(actor, QStringLiteral("set_proxy_failover"), kClientResource, clientId,
                                          {{QStringLiteral("clientId"), clientId}, {QStringLiteral("proxy_failover"), allowed}}));
    }, m_clock);
}

Result<std::optional<ProxyService::ClientProxy>> ProxyService::proxyOfClient(const QString &organizationId, const QString &clientId)
{
    SqlRunner sql(m_database);
    ProxyRepository repo(sql);
    Result<std::optional<ProxyRepository::ClientProxyColumns>> columns = repo.clientColumns(organizationId, clientId);
    if (!columns)
        return columns.error();
    if (!columns.value())
        return DomainError::notFound(QStringLiteral("Client"));
    if (columns.value()->proxyId.isEmpty())
        return std::optional<ClientProxy>();
    Result<std::optional<ProxyRecord>> proxy = repo.find(organizationId, columns.value()->proxyId);
    if (!proxy)
        return proxy.error();
    if (!proxy.value())
        return std::optional<ClientProxy>(); // removed meanwhile (the column is cleared with it)
    Result<ProxyEndpoint> endpoint = endpointOf(proxy.value()->id);
    if (!endpoint)
        return endpoint.error();
    ClientProxy out;
    out.proxyId = proxy.value()->id;
    out.label = proxy.value()->label;
    out.country = proxy.value()->country;
    out.endpoint = endpoint.value();
    out.healthy = proxy.value()->healthy;
    out.lastError = proxy.value()->lastError;
    out.failover = columns.value()->failover;
    return std::optional<ClientProxy>(out);
}

Result<QList<ProxyRecord>> ProxyService::allForChecks()
{
    SqlRunner sql(m_database);
    return ProxyRepository(sql).allProxies();
}

Result<ProxyEndpoint> ProxyService::endpointOf(const QString &proxyId)
{
    SqlRunner sql(m_database);
    ProxyRepository repo(sql);
    Result<ProxyRecord> proxy = anyOrganizationsProxy(repo, proxyId);
    if (!proxy)
        return proxy.error();
    ProxyEndpoint e;
    e.type = proxy.value().type;
    e.host = proxy.value().host;
    e.port = proxy.value().port;
    e.username = proxy.value().username;
    if (proxy.value().hasPassword) {
        Result<QString> sealed = repo.sealedPassword(proxyId);
        if (!sealed)
            return sealed.error();
        const std::optional<QByteArray> plain = m_cipher.open(sealed.value().toLatin1(), sealingContext(proxyId));
        if (!plain)
            return DomainError::internal(QStringLiteral("The proxy's password cannot be opened with this master key"));
        e.password = QString::fromUtf8(*plain);
    }
    return e;
}

Result<bool> ProxyService::recordCheck(const QString &proxyId, const ProxyCheck &check)
{
    bool changed = false;
    Status stored = runAudited(m_database, &m_events, [&](AuditedWrite &write) -> Status {
        ProxyRepository repo(write.sql);
        Result<ProxyRecord> row = anyOrganizationsProxy(repo, proxyId);
        if (!row)
            return row.error();
        const ProxyRecord before = row.value();
        ProxyRecord h = before;
        const qint64 now = write.clock.nowMs();
        h.healthy = check.ok;
        h.lastCheckedAt = now;
        if (check.ok) {
            h.latencyMs = check.latencyMs;
            if (!check.exitAddress.isEmpty())
                h.exitAddress = check.exitAddress;
        } else {
            h.latencyMs = -1;
            h.lastError = check.error.isEmpty() ? QStringLiteral("the proxy check failed") : check.error.left(500);
            h.lastErrorAt = now;
        }
        if (Status s = repo.recordHealth(proxyId, h); !s)
            return s;
        changed = before.healthy != h.healthy;
        if (!changed)
            return {};
        const QString org = before.organizationId;
        if (!check.ok) {
            Result<QStringList> clients = repo.clientsOf(org, proxyId);
            if (!clients)
                return clients.error();
            for (const QString &clientId : clients.value()) {
                if (Status s = write.events.record(ClientEvents::proxyFailed(org, clientId, proxyId, h.lastError, write.clock)); !s)
                    return s;
            }
            return write.audit.append(systemAudit(org, QStringLiteral("proxy_failed"), kResource, proxyId,
                                                  {{QStringLiteral("error"), h.lastError},
                                                   {QStringLiteral("was_healthy"), healthJson(before.healthy)},
                                                   {QStringLiteral("clients"), QJsonArray::fromStringList(clients.value())}}));
        }
        return write.audit.append(systemAudit(org, QStringLiteral("proxy_healthy"), kResource, proxyId,
                                              {{QStringLiteral("latency_ms"), h.latencyMs},
                                               {QStringLiteral("was_healthy"), healthJson(before.healthy)}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return changed;
}

Result<QStringList> ProxyService::clientsOf(const QString &proxyId)
{
    SqlRunner sql(m_database);
    ProxyRepository repo(sql);
    Result<ProxyRecord> proxy = anyOrganizationsProxy(repo, proxyId);
    if (!proxy)
        return proxy.error();
    return repo.clientsOf(proxy.value().organizationId, proxyId);
}

Result<QString> ProxyService::failOver(const QString &organizationId, const QString &clientId)
{
    QString chosen;
    Status stored = runAudited(m_database, &m_events, [&](AuditedWrite &write) -> Status {
        ProxyRepository repo(write.sql);
        Result<std::optional<ProxyRepository::ClientProxyColumns>> columns = repo.clientColumns(organizationId, clientId);
        if (!columns)
            return columns.error();
        if (!columns.value())
            return DomainError::notFound(QStringLiteral("Client"));
        if (!columns.value()->failover)
            return DomainError::conflict(QStringLiteral("The client does not allow moving it to another proxy"),
                                         QStringLiteral("failover_not_allowed"));
        const QString previous = columns.value()->proxyId;
        Result<QString> picked = pickFor(repo, organizationId, clientId, false, previous);
        if (!picked)
            return picked.error();
        if (picked.value().isEmpty())
            return noProxyAvailable();
        chosen = picked.value();
        Result<bool> locked = repo.lock(organizationId, chosen);
        if (!locked)
            return locked.error();
        if (Status s = repo.setClientProxy(organizationId, clientId, chosen, write.clock.nowMs()); !s)
            return s;
        return write.audit.append(systemAudit(organizationId, QStringLiteral("proxy_failover"), kClientResource, clientId,
                                              {{QStringLiteral("clientId"), clientId},
                                               {QStringLiteral("proxy_id"), chosen},
                                               {QStringLiteral("previous_proxy_id"), previous.isEmpty() ? QJsonValue() : QJsonValue(previous)}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return chosen;
}

} // namespace wadesk

#pragma once

#include "core/network/ProxyEndpoint.h"

#include <QString>
#include <optional>

namespace wadesk {

// One upstream proxy of an organization's pool, as stored (the password stays sealed in the
// database: a record only says whether there is one) and with how many clients use it.
struct ProxyRecord {
    QString id; // px_…
    QString organizationId;
    ProxyEndpoint::Type type = ProxyEndpoint::Type::Http;
    QString host;
    quint16 port = 0;
    QString username; // empty: no authentication
    bool hasPassword = false;
    QString label;
    QString country;  // ISO 3166 alpha-2, upper case; empty when not given
    int maxClients = 5;
    int clients = 0;  // clients assigned to it now
    std::optional<bool> healthy; // nullopt: not checked since it was added or its endpoint changed
    int latencyMs = -1;          // -1: unknown
    QString exitAddress;
    qint64 lastCheckedAt = 0;
    QString lastError;
    qint64 lastErrorAt = 0;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

// A new pool entry as an operator gives it. `port` and `maxClients` are ints so that an out of
// range value reaches validation instead of wrapping.
struct ProxyInput {
    QString type; // "http" | "socks5"
    QString host;
    int port = 0;
    QString username;
    QString password; // only with a username
    QString label;    // default "host:port"
    QString country;
    std::optional<int> maxClients; // default 5
};

// A change to a pool entry: what is set changes, the rest stays.
struct ProxyPatch {
    std::optional<QString> type;
    std::optional<QString> host;
    std::optional<int> port;
    std::optional<QString> username; // empty: no authentication (then the password must go too)
    std::optional<QString> password; // a new password, sealed afresh
    bool clearPassword = false;      // `password: null`: remove it
    std::optional<QString> label;
    std::optional<QString> country;  // empty: none
    std::optional<int> maxClients;

    bool isEmpty() const
    {
        return !type && !host && !port && !username && !password && !clearPassword && !label && !country && !maxClients;
    }
};

} // namespace wadesk

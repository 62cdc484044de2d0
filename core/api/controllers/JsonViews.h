#pragma once

#include "audit/AuditLog.h"
#include "auth/ApiKeyRepository.h"
#include "auth/UserRepository.h"
#include "common/Json.h"
#include "sessions/ClientRepository.h"

#include <QJsonObject>

namespace wadesk {

// How records look in API answers (field names as in the integration guide).
namespace JsonViews {
QJsonObject user(const UserRecord &user);
QJsonObject client(const ClientRecord &client);
// The same view written straight into `out` (the client list, a hot route); keep both in step.
void writeClient(Json::Writer &out, const ClientRecord &client);
QJsonObject apiKey(const ApiKeyRecord &key);
QJsonObject auditEntry(const AuditEntry &entry);
} // namespace JsonViews

} // namespace wadesk

#pragma once

#include "core/audit/AuditLog.h"
#include "core/auth/ApiKeyRepository.h"
#include "core/auth/UserRepository.h"
#include "core/common/Json.h"
#include "core/common/Paging.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/RateLimitStatus.h"
#include "core/proxies/ProxyRecord.h"
#include "core/sessions/ClientRepository.h"

#include <QJsonObject>

namespace wadesk {

struct MediaInfo;

// How records look in API answers (field names as in the integration guide).
namespace JsonViews {
QJsonObject user(const UserRecord &user);
// `instance`: the live owner of its lease (several instances), shown as null when empty.
QJsonObject client(const ClientRecord &client, const QString &instance = QString());
// The same view written straight into `out` (the client list, a hot route); keep both in step.
void writeClient(Json::Writer &out, const ClientRecord &client, const QString &instance = QString());
// message() written straight into `out` (the history page); keep both in step.
void writeMessage(Json::Writer &out, const MessageRecord &message);
QJsonObject apiKey(const ApiKeyRecord &key, qint64 now); // "active" as of `now` (epoch ms)
QJsonObject auditEntry(const AuditEntry &entry);
// A pool entry: never its password, only has_password; healthy and latency_ms null while unknown.
QJsonObject proxy(const ProxyRecord &proxy);
// A message as history and GET /api/messages/:id show it: the guide's contact_id (the number),
// message_text (a file's caption), direction, status, created_at, and WaDesk's additions: type,
// media_id, caption and filename (null for a text), the failure reason and every step's time.
// A stored file as the media routes show it (the guide's upload answer plus kind).
QJsonObject media(const MediaInfo &media);
QJsonObject message(const MessageRecord &message);
// The guide's tiers (perMinute, perHour, perDay: {used, limit, remaining}) and WaDesk's additions.
QJsonObject rateLimits(const RateLimitStatus &status);
// A contact with its tags and custom attributes.
QJsonObject contact(const ContactRecord &contact);
// Adds a list page's has_more, next_before and (when known) total to its response.
void addPageInfo(QJsonObject &response, const PageInfo &page);
} // namespace JsonViews

} // namespace wadesk

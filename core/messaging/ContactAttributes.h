#pragma once

#include "core/common/DomainError.h"

#include <QJsonObject>
#include <QString>

namespace wadesk {

// A contact's custom attributes: a JSON object of string values under keys like "city" or
// "plan_2024" ([a-z0-9_]{1,40}), stored as compact JSON text in contacts.attributes. The text
// is always written by toText() (Qt's compact form, keys sorted), which is what lets segments
// find "key":"value" in it exactly (SegmentRules).
namespace ContactAttributes {
constexpr int kMaxKeys = 50;
constexpr int kMaxKeyLength = 40;
constexpr int kMaxValueLength = 500;

bool validKey(const QString &key);
// Column names of the contact itself (and of the export): never attribute keys, so that an
// exported file imports again without them turning into attributes.
bool reservedKey(const QString &key);
// A header cell as an attribute key: lower case, every run of other characters as "_"
// ("Customer ID" -> "customer_id"); empty when nothing is left.
QString keyFromHeader(const QString &header);
// A change from the API: an object whose values are strings (set) or null (remove). 400 naming
// `field` otherwise.
Result<QJsonObject> changeFromJson(const QJsonValue &value, const QString &field);
// `current` with `change` applied (null removes); 400 when the result has too many keys.
Result<QJsonObject> apply(const QJsonObject &current, const QJsonObject &change, const QString &field);
QJsonObject parse(const QString &stored);
QString toText(const QJsonObject &attributes);
} // namespace ContactAttributes

} // namespace wadesk

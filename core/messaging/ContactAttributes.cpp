#include "core/messaging/ContactAttributes.h"

#include <QJsonDocument>

namespace wadesk::ContactAttributes {

bool validKey(const QString &key)
{
    if (key.isEmpty() || key.size() > kMaxKeyLength)
        return false;
    for (const QChar c : key) {
        const char16_t u = c.unicode();
        if (!((u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'_'))
            return false;
    }
    return true;
}

bool reservedKey(const QString &key)
{
    static const QStringList reserved{QStringLiteral("id"),         QStringLiteral("phone"),        QStringLiteral("phone_number"),
                                      QStringLiteral("wa_id"),      QStringLiteral("name"),         QStringLiteral("tags"),
                                      QStringLiteral("opted_out"),  QStringLiteral("opted_out_at"), QStringLiteral("created_at"),
                                      QStringLiteral("updated_at"), QStringLiteral("attributes")};
    return reserved.contains(key);
}

QString keyFromHeader(const QString &header)
{
    QString key;
    bool gap = false;
    for (const QChar c : header.trimmed().toLower()) {
        const char16_t u = c.unicode();
        if ((u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9')) {
            if (gap && !key.isEmpty())
                key += QLatin1Char('_');
            key += c;
            gap = false;
        } else {
            gap = true;
        }
    }
    return key.left(kMaxKeyLength);
}

Result<QJsonObject> changeFromJson(const QJsonValue &value, const QString &field)
{
    if (!value.isObject())
        return DomainError::validation(field, QStringLiteral("%1 must be an object of strings").arg(field));
    const QJsonObject o = value.toObject();
    if (o.size() > kMaxKeys)
        return DomainError::validation(field, QStringLiteral("%1 may hold at most %2 keys").arg(field).arg(kMaxKeys));
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!validKey(it.key()) || reservedKey(it.key()))
            return DomainError::validation(field, QStringLiteral("%1 keys must match [a-z0-9_]{1,%2} and not name a contact field (%3)")
                                                      .arg(field)
                                                      .arg(kMaxKeyLength)
                                                      .arg(it.key().left(60)));
        if (it.value().isNull())
            continue;
        if (!it.value().isString() || it.value().toString().size() > kMaxValueLength || it.value().toString().contains(QChar(0)))
            return DomainError::validation(field, QStringLiteral("%1.%2 must be a string of at most %3 characters (or null to remove it)")
                                                      .arg(field, it.key())
                                                      .arg(kMaxValueLength));
    }
    return o;
}

Result<QJsonObject> apply(const QJsonObject &current, const QJsonObject &change, const QString &field)
{
    QJsonObject out = current;
    for (auto it = change.begin(); it != change.end(); ++it) {
        if (it.value().isNull() || it.value().toString().isEmpty())
            out.remove(it.key());
        else
            out.insert(it.key(), it.value().toString());
    }
    if (out.size() > kMaxKeys)
        return DomainError::validation(field, QStringLiteral("a contact may have at most %1 attributes").arg(kMaxKeys));
    return out;
}

QJsonObject parse(const QString &stored)
{
    return QJsonDocument::fromJson(stored.toUtf8()).object();
}

QString toText(const QJsonObject &attributes)
{
    return QString::fromUtf8(QJsonDocument(attributes).toJson(QJsonDocument::Compact));
}

} // namespace wadesk::ContactAttributes

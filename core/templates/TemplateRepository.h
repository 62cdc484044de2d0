#pragma once

#include "core/common/DomainError.h"
#include "core/templates/MessageTemplate.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace wadesk {

class SqlRunner;

struct TemplateRecord {
    QString id;
    QString organizationId;
    QString name;
    QString body;
    QString mediaId;
    QString createdBy;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

struct QuickReplyRecord {
    QString id;
    QString organizationId;
    QString shortcut;
    QString text;
    QString createdBy;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

// message_templates and quick_replies, always within one organization; and the contact fields
// a template reads (name, number, attributes).
class TemplateRepository {
public:
    explicit TemplateRepository(SqlRunner &sql) : m_sql(sql) {}

    Status insert(const TemplateRecord &t);
    Status update(const TemplateRecord &t);
    Result<bool> remove(const QString &organizationId, const QString &templateId);
    Result<std::optional<TemplateRecord>> find(const QString &organizationId, const QString &templateId);
    // The template of that name other than `exceptId`, if any.
    Result<bool> nameTaken(const QString &organizationId, const QString &name, const QString &exceptId);
    Result<QList<TemplateRecord>> list(const QString &organizationId, int limit, int offset);
    Result<int> count(const QString &organizationId);

    Status insert(const QuickReplyRecord &r);
    Status update(const QuickReplyRecord &r);
    Result<bool> removeQuickReply(const QString &organizationId, const QString &quickReplyId);
    Result<std::optional<QuickReplyRecord>> findQuickReply(const QString &organizationId, const QString &quickReplyId);
    Result<bool> shortcutTaken(const QString &organizationId, const QString &shortcut, const QString &exceptId);
    // In shortcut order.
    Result<QList<QuickReplyRecord>> quickReplies(const QString &organizationId);

    // The values of the contact with this id; none when the organization has no such contact.
    Result<std::optional<TemplateValues>> contactValues(const QString &organizationId, const QString &contactId);
    // The values of the organization's contacts among `phoneNumbers`, by number.
    Result<QHash<QString, TemplateValues>> valuesByPhones(const QString &organizationId, const QStringList &phoneNumbers);

private:
    SqlRunner &m_sql;
};

} // namespace wadesk

#include "core/templates/TemplateRepository.h"

#include "core/db/SqlRunner.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>

namespace wadesk {

namespace {
const QString kTemplateColumns = QStringLiteral("id, organization_id, name, body, media_id, created_by, created_at, updated_at");
const QString kQuickReplyColumns = QStringLiteral("id, organization_id, shortcut, text, created_by, created_at, updated_at");

TemplateRecord templateFromRow(const QSqlQuery &q)
{
    return TemplateRecord{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),   q.value(3).toString(),
                          q.value(4).toString(), q.value(5).toString(), q.value(6).toLongLong(), q.value(7).toLongLong()};
}

QuickReplyRecord quickReplyFromRow(const QSqlQuery &q)
{
    return QuickReplyRecord{q.value(0).toString(), q.value(1).toString(),   q.value(2).toString(),  q.value(3).toString(),
                            q.value(4).toString(), q.value(5).toLongLong(), q.value(6).toLongLong()};
}

// SELECT phone_number, name, attributes
TemplateValues valuesFromRow(const QSqlQuery &q)
{
    TemplateValues v;
    v.phoneNumber = q.value(0).toString();
    v.name = q.value(1).toString();
    const QJsonObject attributes = QJsonDocument::fromJson(q.value(2).toString().toUtf8()).object();
    for (auto it = attributes.constBegin(); it != attributes.constEnd(); ++it) {
        if (it.value().isString())
            v.attributes.insert(it.key(), it.value().toString());
    }
    return v;
}
} // namespace

Status TemplateRepository::insert(const TemplateRecord &t)
{
    Result<int> r = m_sql.change(QStringLiteral("INSERT INTO message_templates (") + kTemplateColumns
                                     + QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                                 {t.id, t.organizationId, t.name, t.body, textOrNull(t.mediaId), textOrNull(t.createdBy), t.createdAt, t.updatedAt},
                                 "message_templates.insert");
    if (!r)
        return r.error();
    return {};
}

Status TemplateRepository::update(const TemplateRecord &t)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE message_templates SET name = ?, body = ?, media_id = ?, updated_at = ? WHERE organization_id = ? AND id = ?"),
        {t.name, t.body, textOrNull(t.mediaId), t.updatedAt, t.organizationId, t.id}, "message_templates.update");
    if (!r)
        return r.error();
    return {};
}

Result<bool> TemplateRepository::remove(const QString &organizationId, const QString &templateId)
{
    Result<int> r = m_sql.change(QStringLiteral("DELETE FROM message_templates WHERE organization_id = ? AND id = ?"), {organizationId, templateId},
                                 "message_templates.remove");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Result<std::optional<TemplateRecord>> TemplateRepository::find(const QString &organizationId, const QString &templateId)
{
    return m_sql.query(QStringLiteral("SELECT ") + kTemplateColumns + QStringLiteral(" FROM message_templates WHERE organization_id = ? AND id = ?"),
                       {organizationId, templateId}, "message_templates.find", [](QSqlQuery &q) -> std::optional<TemplateRecord> {
                           if (!q.next())
                               return std::nullopt;
                           return templateFromRow(q);
                       });
}

Result<bool> TemplateRepository::nameTaken(const QString &organizationId, const QString &name, const QString &exceptId)
{
    return m_sql.query(QStringLiteral("SELECT 1 FROM message_templates WHERE organization_id = ? AND name = ? AND id <> ?"),
                       {organizationId, name, exceptId}, "message_templates.nameTaken", [](QSqlQuery &q) { return q.next(); });
}

Result<QList<TemplateRecord>> TemplateRepository::list(const QString &organizationId, int limit, int offset)
{
    return m_sql.query(QStringLiteral("SELECT ") + kTemplateColumns
                           + QStringLiteral(" FROM message_templates WHERE organization_id = ? ORDER BY name, id LIMIT ? OFFSET ?"),
                       {organizationId, limit, offset}, "message_templates.list", [](QSqlQuery &q) {
                           QList<TemplateRecord> out;
                           while (q.next())
                               out << templateFromRow(q);
                           return out;
                       });
}

Result<int> TemplateRepository::count(const QString &organizationId)
{
    return m_sql.query(QStringLiteral("SELECT COUNT(*) FROM message_templates WHERE organization_id = ?"), {organizationId},
                       "message_templates.count", [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
}

Status TemplateRepository::insert(const QuickReplyRecord &r)
{
    Result<int> done = m_sql.change(QStringLiteral("INSERT INTO quick_replies (") + kQuickReplyColumns + QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?)"),
                                    {r.id, r.organizationId, r.shortcut, r.text, textOrNull(r.createdBy), r.createdAt, r.updatedAt},
                                    "quick_replies.insert");
    if (!done)
        return done.error();
    return {};
}

Status TemplateRepository::update(const QuickReplyRecord &r)
{
    Result<int> done = m_sql.change(QStringLiteral("UPDATE quick_replies SET shortcut = ?, text = ?, updated_at = ? WHERE organization_id = ? AND id = ?"),
                                    {r.shortcut, r.text, r.updatedAt, r.organizationId, r.id}, "quick_replies.update");
    if (!done)
        return done.error();
    return {};
}

Result<bool> TemplateRepository::removeQuickReply(const QString &organizationId, const QString &quickReplyId)
{
    Result<int> r = m_sql.change(QStringLiteral("DELETE FROM quick_replies WHERE organization_id = ? AND id = ?"), {organizationId, quickReplyId},
                                 "quick_replies.remove");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Result<std::optional<QuickReplyRecord>> TemplateRepository::findQuickReply(const QString &organizationId, const QString &quickReplyId)
{
    return m_sql.query(QStringLiteral("SELECT ") + kQuickReplyColumns + QStringLiteral(" FROM quick_replies WHERE organization_id = ? AND id = ?"),
                       {organizationId, quickReplyId}, "quick_replies.find", [](QSqlQuery &q) -> std::optional<QuickReplyRecord> {
                           if (!q.next())
                               return std::nullopt;
                           return quickReplyFromRow(q);
                       });
}

Result<bool> TemplateRepository::shortcutTaken(const QString &organizationId, const QString &shortcut, const QString &exceptId)
{
    return m_sql.query(QStringLiteral("SELECT 1 FROM quick_replies WHERE organization_id = ? AND shortcut = ? AND id <> ?"),
                       {organizationId, shortcut, exceptId}, "quick_replies.shortcutTaken", [](QSqlQuery &q) { return q.next(); });
}

Result<QList<QuickReplyRecord>> TemplateRepository::quickReplies(const QString &organizationId)
{
    return m_sql.query(QStringLiteral("SELECT ") + kQuickReplyColumns + QStringLiteral(" FROM quick_replies WHERE organization_id = ? ORDER BY shortcut"),
                       {organizationId}, "quick_replies.list", [](QSqlQuery &q) {
                           QList<QuickReplyRecord> out;
                           while (q.next())
                               out << quickReplyFromRow(q);
                           return out;
                       });
}

Result<std::optional<TemplateValues>> TemplateRepository::contactValues(const QString &organizationId, const QString &contactId)
{
    return m_sql.query(QStringLiteral("SELECT phone_number, name, attributes FROM contacts WHERE organization_id = ? AND id = ?"),
                       {organizationId, contactId}, "contacts.templateValues", [](QSqlQuery &q) -> std::optional<TemplateValues> {
                           if (!q.next())
                               return std::nullopt;
                           return valuesFromRow(q);
                       });
}

Result<QHash<QString, TemplateValues>> TemplateRepository::valuesByPhones(const QString &organizationId, const QStringList &phoneNumbers)
{
    // In chunks of SqlRunner::nextChunk(), as ContactRepository::findByPhones.
    QHash<QString, TemplateValues> found;
    int done = 0;
    while (done < phoneNumbers.size()) {
        const int chunk = SqlRunner::nextChunk(int(phoneNumbers.size()) - done);
        QString sql = QStringLiteral("SELECT phone_number, name, attributes FROM contacts WHERE organization_id = ? AND phone_number IN (?");
        QVariantList bind{organizationId};
        for (int i = 0; i < chunk; ++i) {
            if (i > 0)
                sql += QStringLiteral(", ?");
            bind << phoneNumbers.at(done + i);
        }
        sql += QLatin1Char(')');
        Result<bool> read = m_sql.query(sql, bind, "contacts.templateValuesByPhones", [&found](QSqlQuery &q) {
            while (q.next()) {
                TemplateValues v = valuesFromRow(q);
                found.insert(v.phoneNumber, v);
            }
            return true;
        });
        if (!read)
            return read.error();
        done += chunk;
    }
    return found;
}

} // namespace wadesk

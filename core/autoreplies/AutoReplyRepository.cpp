#include "core/autoreplies/AutoReplyRepository.h"

#include "core/db/SqlRunner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

namespace wadesk {

namespace {
const QString kColumns = QStringLiteral("id, organization_id, client_id, name, kind, match_mode, keywords_json, schedule_json, reply_text, "
                                        "template_id, cooldown_seconds, priority, enabled, created_by, created_at, updated_at");
const QString kOrder = QStringLiteral(" ORDER BY priority, CASE WHEN client_id IS NULL THEN 1 ELSE 0 END, created_at, id");

AutoReplyRule ruleFromRow(const QSqlQuery &q)
{
    AutoReplyRule r;
    r.id = q.value(0).toString();
    r.organizationId = q.value(1).toString();
    r.clientId = q.value(2).toString();
    r.name = q.value(3).toString();
    r.kind = AutoReplyRule::parseKind(q.value(4).toString()).value_or(AutoReplyKind::Keyword);
    r.match = AutoReplyRule::parseMatch(q.value(5).toString()).value_or(KeywordMatch::Contains);
    for (const QJsonValue &k : QJsonDocument::fromJson(q.value(6).toString().toUtf8()).array())
        r.keywords.append(k.toString());
    if (!q.value(7).isNull()) {
        if (Result<BusinessHours> b = BusinessHours::fromJson(QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object()))
            r.schedule = b.value();
    }
    r.replyText = q.value(8).toString();
    r.templateId = q.value(9).toString();
    r.cooldownSeconds = q.value(10).toLongLong();
    r.priority = q.value(11).toInt();
    r.enabled = q.value(12).toInt() != 0;
    r.createdBy = q.value(13).toString();
    r.createdAt = q.value(14).toLongLong();
    r.updatedAt = q.value(15).toLongLong();
    return r;
}

QString compact(const QJsonDocument &doc)
{
    return QString::fromUtf8(doc.toJson(QJsonDocument::Compact));
}

QVariantList values(const AutoReplyRule &r)
{
    return {r.name,
            AutoReplyRule::kindName(r.kind),
            r.kind == AutoReplyKind::Keyword ? QVariant(AutoReplyRule::matchName(r.match)) : textOrNull(QString()),
            compact(QJsonDocument(QJsonArray::fromStringList(r.keywords))),
            r.kind == AutoReplyKind::Away ? QVariant(compact(QJsonDocument(r.schedule.toJson()))) : textOrNull(QString()),
            r.replyText.isNull() ? QStringLiteral("") : r.replyText,
            textOrNull(r.templateId),
            r.cooldownSeconds,
            r.priority,
            r.enabled ? 1 : 0};
}

QList<AutoReplyRule> readRules(QSqlQuery &q)
{
    QList<AutoReplyRule> out;
    while (q.next())
        out.append(ruleFromRow(q));
    return out;
}
} // namespace

Status AutoReplyRepository::insert(const AutoReplyRule &r)
{
    QVariantList bind{r.id, r.organizationId, textOrNull(r.clientId)};
    bind << values(r) << textOrNull(r.createdBy) << r.createdAt << r.updatedAt;
    Result<int> done = m_sql.change(QStringLiteral("INSERT INTO auto_reply_rules (") + kColumns
                                        + QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                                    bind, "auto_reply_rules.insert");
    if (!done)
        return done.error();
    return {};
}

Status AutoReplyRepository::update(const AutoReplyRule &r)
{
    QVariantList bind{textOrNull(r.clientId)};
    bind << values(r) << r.updatedAt << r.organizationId << r.id;
    Result<int> done = m_sql.change(QStringLiteral("UPDATE auto_reply_rules SET client_id = ?, name = ?, kind = ?, match_mode = ?, keywords_json = ?, "
                                                   "schedule_json = ?, reply_text = ?, template_id = ?, cooldown_seconds = ?, priority = ?, "
                                                   "enabled = ?, updated_at = ? WHERE organization_id = ? AND id = ?"),
                                    bind, "auto_reply_rules.update");
    if (!done)
        return done.error();
    return {};
}

Result<bool> AutoReplyRepository::remove(const QString &organizationId, const QString &ruleId)
{
    // The guard rows go with the rule (also by the foreign key where SQLite enforces it).
    if (Result<int> g = m_sql.change(QStringLiteral("DELETE FROM auto_reply_guard WHERE organization_id = ? AND rule_id = ?"), {organizationId, ruleId},
                                     "auto_reply_guard.remove");
        !g)
        return g.error();
    Result<int> done = m_sql.change(QStringLiteral("DELETE FROM auto_reply_rules WHERE organization_id = ? AND id = ?"), {organizationId, ruleId},
                                    "auto_reply_rules.remove");
    if (!done)
        return done.error();
    return done.value() > 0;
}

Result<std::optional<AutoReplyRule>> AutoReplyRepository::find(const QString &organizationId, const QString &ruleId)
{
    return m_sql.query(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM auto_reply_rules WHERE organization_id = ? AND id = ?"),
                       {organizationId, ruleId}, "auto_reply_rules.find", [](QSqlQuery &q) -> std::optional<AutoReplyRule> {
                           if (!q.next())
                               return std::nullopt;
                           return ruleFromRow(q);
                       });
}

Result<QList<AutoReplyRule>> AutoReplyRepository::list(const QString &organizationId, int limit, int offset)
{
    return m_sql.query(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM auto_reply_rules WHERE organization_id = ?") + kOrder
                           + QStringLiteral(" LIMIT ? OFFSET ?"),
                       {organizationId, limit, offset}, "auto_reply_rules.list", readRules);
}

Result<int> AutoReplyRepository::count(const QString &organizationId)
{
    return m_sql.query(QStringLiteral("SELECT COUNT(*) FROM auto_reply_rules WHERE organization_id = ?"), {organizationId}, "auto_reply_rules.count",
                       [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
}

Result<QList<AutoReplyRule>> AutoReplyRepository::applicable(const QString &organizationId, const QString &clientId)
{
    return m_sql.query(QStringLiteral("SELECT ") + kColumns
                           + QStringLiteral(" FROM auto_reply_rules WHERE organization_id = ? AND enabled = 1 AND (client_id IS NULL OR client_id = ?)")
                           + kOrder,
                       {organizationId, clientId}, "auto_reply_rules.applicable", readRules);
}

Result<bool> AutoReplyRepository::anyApplicable(const QString &organizationId, const QString &clientId)
{
    return m_sql.query(QStringLiteral("SELECT 1 FROM auto_reply_rules WHERE organization_id = ? AND enabled = 1 AND (client_id IS NULL OR client_id = ?) LIMIT 1"),
                       {organizationId, clientId}, "auto_reply_rules.any", [](QSqlQuery &q) { return q.next(); });
}

Result<bool> AutoReplyRepository::claimGuard(const QString &organizationId, const QString &ruleId, const QString &contactId, qint64 now,
                                             qint64 cooldownMs)
{
    Result<int> written = m_sql.change(
        QStringLiteral("INSERT INTO auto_reply_guard (rule_id, contact_id, organization_id, last_reply_at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (rule_id, contact_id) DO UPDATE SET last_reply_at = excluded.last_reply_at "
                       "WHERE auto_reply_guard.last_reply_at <= ?"),
        {ruleId, contactId, organizationId, now, now - cooldownMs}, "auto_reply_guard.claim");
    if (!written)
        return written.error();
    return written.value() > 0;
}

Result<bool> AutoReplyRepository::hasOtherMessage(const QString &clientId, const QString &contactId, const QString &exceptMessageId)
{
    return m_sql.query(QStringLiteral("SELECT 1 FROM messages WHERE client_id = ? AND contact_id = ? AND id <> ? LIMIT 1"),
                       {clientId, contactId, exceptMessageId}, "auto_replies.earlierMessage", [](QSqlQuery &q) { return q.next(); });
}

Result<bool> AutoReplyRepository::clientExists(const QString &organizationId, const QString &clientId)
{
    return m_sql.query(QStringLiteral("SELECT 1 FROM clients WHERE organization_id = ? AND id = ?"), {organizationId, clientId},
                       "auto_replies.client", [](QSqlQuery &q) { return q.next(); });
}

Result<QString> AutoReplyRepository::timeZoneOf(const QString &organizationId)
{
    return m_sql.query(QStringLiteral("SELECT time_zone FROM organizations WHERE id = ?"), {organizationId}, "auto_replies.timeZone",
                       [](QSqlQuery &q) { return q.next() && !q.value(0).toString().isEmpty() ? q.value(0).toString() : QStringLiteral("UTC"); });
}

} // namespace wadesk

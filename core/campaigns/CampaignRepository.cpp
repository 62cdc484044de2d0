#include "core/campaigns/CampaignRepository.h"

#include "core/db/SqlRunner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <limits>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
const QString kColumns = QStringLiteral(
    "c.id, c.organization_id, c.name, c.status, c.message, c.media_id, c.media_type, c.media_filename, c.audience, c.schedule_at, "
    "c.send_window, c.daily_cap, c.paused_reason, c.created_by, c.created_at, c.updated_at, c.started_at, c.completed_at, c.template_id");

CampaignRecord fromRow(const QSqlQuery &q)
{
    CampaignRecord c;
    c.id = q.value(0).toString();
    c.organizationId = q.value(1).toString();
    c.name = q.value(2).toString();
    const std::optional<CampaignStatus> status = CampaignStatuses::parse(q.value(3).toString());
    c.status = status.value_or(CampaignStatus::Cancelled);
    c.message = q.value(4).toString();
    c.mediaId = q.value(5).toString();
    c.mediaType = q.value(6).toString();
    c.mediaFilename = q.value(7).toString();
    c.audience = QJsonDocument::fromJson(q.value(8).toString().toUtf8()).object();
    c.scheduleAt = q.value(9).toLongLong();
    const QString window = q.value(10).toString();
    if (!window.isEmpty()) {
        Result<SendWindow> w = SendWindow::fromJson(QJsonDocument::fromJson(window.toUtf8()).object());
        if (w)
            c.window = w.value();
        else
            spdlog::warn("campaign {}: unreadable send window ignored", c.id.toStdString());
    }
    c.dailyCap = q.value(11).toInt();
    c.pausedReason = q.value(12).toString();
    c.createdBy = q.value(13).toString();
    c.createdAt = q.value(14).toLongLong();
    c.updatedAt = q.value(15).toLongLong();
    c.startedAt = q.value(16).toLongLong();
    c.completedAt = q.value(17).toLongLong();
    c.templateId = q.value(18).toString();
    return c;
}

// Limits a campaign query to what `scope` sees (alias c); appends its binding.
QString scopeClause(const ClientScope &scope, QVariantList &bind)
{
    if (scope.seesAll())
        return QString();
    bind << scope.userId();
    return QStringLiteral(" AND NOT EXISTS (SELECT 1 FROM campaign_clients cc WHERE cc.campaign_id = c.id AND NOT EXISTS "
                          "(SELECT 1 FROM client_assignments a WHERE a.client_id = cc.client_id AND a.user_id = ?))");
}

// A recipient's status as the API shows it: its own until queued, then its message's.
const QString kRecipientStatus =
    QStringLiteral("(CASE WHEN r.message_id IS NULL OR m.status IS NULL THEN r.status ELSE m.status END)");

QString repliedExpression()
{
    return QStringLiteral("(CASE WHEN m.sent_at IS NOT NULL AND EXISTS (SELECT 1 FROM messages i WHERE i.contact_id = m.contact_id "
                          "AND i.client_id = m.client_id AND i.direction = 'inbound' AND i.created_at >= m.sent_at "
                          "AND i.created_at <= m.sent_at + ?) THEN 1 ELSE 0 END)");
}
} // namespace

Status CampaignRepository::insert(const CampaignRecord &c)
{
    const QVariant window = c.window ? QVariant(QString::fromUtf8(QJsonDocument(c.window->toJson()).toJson(QJsonDocument::Compact)))
                                     : nullText();
    Result<int> r = m_sql.change(
        QStringLiteral("INSERT INTO campaigns (id, organization_id, name, status, message, media_id, media_type, media_filename, audience, "
                       "schedule_at, send_window, daily_cap, created_by, created_at, updated_at, template_id) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {c.id, c.organizationId, c.name, CampaignStatuses::name(c.status), c.message, textOrNull(c.mediaId), textOrNull(c.mediaType),
         textOrNull(c.mediaFilename), QString::fromUtf8(QJsonDocument(c.audience).toJson(QJsonDocument::Compact)), timeOrNull(c.scheduleAt),
         window, c.dailyCap > 0 ? QVariant(c.dailyCap) : nullInt(), textOrNull(c.createdBy), c.createdAt, c.updatedAt, textOrNull(c.templateId)},
        "campaigns.insert");
    if (!r)
        return r.error();
    QVariantList rows;
    for (int i = 0; i < c.clientIds.size(); ++i)
        rows << c.id << c.clientIds.at(i) << i;
    Result<int> clients = m_sql.insertRows(QStringLiteral("INSERT INTO campaign_clients (campaign_id, client_id, position) VALUES"), 3, rows,
                                           "campaign_clients.insert");
    if (!clients)
        return clients.error();
    return {};
}

namespace {
Status loadClients(SqlRunner &sql, QList<CampaignRecord> &campaigns)
{
    for (CampaignRecord &c : campaigns) {
        Result<QStringList> ids = sql.query(QStringLiteral("SELECT client_id FROM campaign_clients WHERE campaign_id = ? ORDER BY position"),
                                            {c.id}, "campaign_clients.of", [](QSqlQuery &q) {
                                                QStringList out;
                                                while (q.next())
                                                    out << q.value(0).toString();
                                                return out;
                                            });
        if (!ids)
            return ids.error();
        c.clientIds = ids.value();
    }
    return {};
}

QList<CampaignRecord> allRows(QSqlQuery &q)
{
    QList<CampaignRecord> out;
    while (q.next())
        out << fromRow(q);
    return out;
}
} // namespace

Result<std::optional<CampaignRecord>> CampaignRepository::find(const QString &organizationId, const QString &campaignId,
                                                               const ClientScope &scope)
{
    if (scope.seesNothing())
        return std::optional<CampaignRecord>();
    QVariantList bind{organizationId, campaignId};
    const QString sql = QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM campaigns c WHERE c.organization_id = ? AND c.id = ?")
        + scopeClause(scope, bind);
    Result<QList<CampaignRecord>> rows = m_sql.query(sql, bind, "campaigns.find", allRows);
    if (!rows)
        return rows.error();
    if (rows.value().isEmpty())
        return std::optional<CampaignRecord>();
    if (Status s = loadClients(m_sql, rows.value()); !s)
        return s.error();
    return std::optional<CampaignRecord>(rows.value().first());
}

Result<QList<CampaignRecord>> CampaignRepository::list(const QString &organizationId, const ClientScope &scope, const CampaignQuery &query)
{
    if (scope.seesNothing())
        return QList<CampaignRecord>();
    QVariantList bind{organizationId};
    QString sql = QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM campaigns c WHERE c.organization_id = ?");
    if (query.status) {
        sql += QStringLiteral(" AND c.status = ?");
        bind << CampaignStatuses::name(*query.status);
    }
    sql += scopeClause(scope, bind) + QStringLiteral(" ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?");
    bind << query.limit << query.offset;
    Result<QList<CampaignRecord>> rows = m_sql.query(sql, bind, "campaigns.list", allRows);
    if (!rows)
        return rows;
    if (Status s = loadClients(m_sql, rows.value()); !s)
        return s.error();
    return rows;
}

Result<int> CampaignRepository::count(const QString &organizationId, const ClientScope &scope, const CampaignQuery &query)
{
    if (scope.seesNothing())
        return 0;
    QVariantList bind{organizationId};
    QString sql = QStringLiteral("SELECT COUNT(*) FROM campaigns c WHERE c.organization_id = ?");
    if (query.status) {
        sql += QStringLiteral(" AND c.status = ?");
        bind << CampaignStatuses::name(*query.status);
    }
    sql += scopeClause(scope, bind);
    return m_sql.query(sql, bind, "campaigns.count", [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
}

Result<int> CampaignRepository::activeCount(const QString &organizationId, const ClientScope &scope)
{
    if (scope.seesNothing())
        return 0;
    QVariantList bind{organizationId};
    const QString sql = QStringLiteral("SELECT COUNT(*) FROM campaigns c WHERE c.organization_id = ? AND c.status IN ('running', 'scheduled')")
        + scopeClause(scope, bind);
    return m_sql.query(sql, bind, "campaigns.active", [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
}

Result<bool> CampaignRepository::transition(const QString &organizationId, const QString &campaignId, const QList<CampaignStatus> &from,
                                            CampaignStatus to, qint64 at, const QString &pausedReason)
{
    QStringList marks;
    QVariantList bind{CampaignStatuses::name(to), at, textOrNull(pausedReason)};
    QString sets = QStringLiteral("status = ?, updated_at = ?, paused_reason = ?");
    if (to == CampaignStatus::Running) {
        sets += QStringLiteral(", started_at = COALESCE(started_at, ?)");
        bind << at;
    }
    if (to == CampaignStatus::Completed || to == CampaignStatus::Cancelled) {
        sets += QStringLiteral(", completed_at = ?");
        bind << at;
    }
    bind << organizationId << campaignId;
    for (CampaignStatus s : from) {
        marks << QStringLiteral("?");
        bind << CampaignStatuses::name(s);
    }
    Result<int> r = m_sql.change(QStringLiteral("UPDATE campaigns SET %1 WHERE organization_id = ? AND id = ? AND status IN (%2)")
                                     .arg(sets, marks.join(QLatin1Char(','))),
                                 bind, "campaigns.transition");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Status CampaignRepository::insertRecipients(const QString &organizationId, const QString &campaignId,
                                            const QList<CampaignRecipient> &recipients)
{
    QVariantList rows;
    rows.reserve(recipients.size() * 9);
    for (const CampaignRecipient &r : recipients)
        rows << campaignId << r.seq << organizationId << r.phoneNumber << textOrNull(r.contactId) << textOrNull(r.clientId) << r.body
             << r.status << textOrNull(r.reason);
    Result<int> r = m_sql.insertRows(QStringLiteral("INSERT INTO campaign_recipients (campaign_id, seq, organization_id, phone_number, "
                                                    "contact_id, client_id, body, status, reason) VALUES"),
                                     9, rows, "campaign_recipients.insert");
    if (!r)
        return r.error();
    return {};
}

Result<CampaignCounts> CampaignRepository::counts(const QString &organizationId, const QString &campaignId, qint64 startedAt,
                                                  qint64 replyWindowMs)
{
    const QString sql = QStringLiteral(
        "SELECT COUNT(*), "
        "COALESCE(SUM(CASE WHEN r.status = 'pending' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN m.status IN ('queued', 'sending') THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN m.status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN m.status IN ('delivered', 'read') THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN m.status = 'read' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN m.status = 'failed' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN r.status = 'skipped' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN r.status = 'cancelled' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(") + repliedExpression() + QStringLiteral("), 0), "
        "COALESCE(SUM(CASE WHEN k.opted_out = 1 AND k.opted_out_at >= ? THEN 1 ELSE 0 END), 0) "
        "FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id LEFT JOIN contacts k ON k.id = r.contact_id "
        "WHERE r.organization_id = ? AND r.campaign_id = ?");
    return m_sql.query(sql, {replyWindowMs, startedAt > 0 ? startedAt : std::numeric_limits<qint64>::max(), organizationId, campaignId},
                       "campaigns.counts", [](QSqlQuery &q) {
                           CampaignCounts c;
                           if (!q.next())
                               return c;
                           c.total = q.value(0).toLongLong();
                           c.pending = q.value(1).toLongLong();
                           c.queued = q.value(2).toLongLong();
                           c.sent = q.value(3).toLongLong();
                           c.delivered = q.value(4).toLongLong();
                           c.read = q.value(5).toLongLong();
                           c.failed = q.value(6).toLongLong();
                           c.skipped = q.value(7).toLongLong();
                           c.cancelled = q.value(8).toLongLong();
                           c.replied = q.value(9).toLongLong();
                           c.optedOut = q.value(10).toLongLong();
                           return c;
                       });
}

Result<QHash<QString, int>> CampaignRepository::remainingByClient(const QString &organizationId, const QString &campaignId)
{
    return m_sql.query(QStringLiteral("SELECT r.client_id, COUNT(*) FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id "
                                      "WHERE r.organization_id = ? AND r.campaign_id = ? AND (r.status = 'pending' "
                                      "OR m.status IN ('queued', 'sending')) GROUP BY r.client_id"),
                       {organizationId, campaignId}, "campaigns.remaining", [](QSqlQuery &q) {
                           QHash<QString, int> out;
                           while (q.next())
                               out.insert(q.value(0).toString(), q.value(1).toInt());
                           return out;
                       });
}

Result<QList<CampaignRecipient>> CampaignRepository::recipients(const QString &organizationId, const QString &campaignId,
                                                                const QString &status, qint64 replyWindowMs, int limit, int offset)
{
    QVariantList bind{replyWindowMs, organizationId, campaignId};
    QString sql = QStringLiteral("SELECT r.seq, r.phone_number, COALESCE(r.contact_id, m.contact_id), r.client_id, r.body, ") + kRecipientStatus
        + QStringLiteral(", COALESCE(r.reason, m.failure_reason), r.message_id, r.queued_at, m.sent_at, m.delivered_at, m.read_at, m.failed_at, ")
        + repliedExpression()
        + QStringLiteral(" FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id WHERE r.organization_id = ? AND r.campaign_id = ?");
    if (!status.isEmpty()) {
        sql += QStringLiteral(" AND ") + kRecipientStatus + QStringLiteral(" = ?");
        bind << status;
    }
    sql += QStringLiteral(" ORDER BY r.seq LIMIT ? OFFSET ?");
    bind << limit << offset;
    return m_sql.query(sql, bind, "campaigns.recipients", [](QSqlQuery &q) {
        QList<CampaignRecipient> out;
        while (q.next()) {
            CampaignRecipient r;
            r.seq = q.value(0).toLongLong();
            r.phoneNumber = q.value(1).toString();
            r.contactId = q.value(2).toString();
            r.clientId = q.value(3).toString();
            r.body = q.value(4).toString();
            r.status = q.value(5).toString();
            r.reason = q.value(6).toString();
            r.messageId = q.value(7).toString();
            r.queuedAt = q.value(8).toLongLong();
            r.sentAt = q.value(9).toLongLong();
            r.deliveredAt = q.value(10).toLongLong();
            r.readAt = q.value(11).toLongLong();
            r.failedAt = q.value(12).toLongLong();
            r.replied = q.value(13).toInt() > 0;
            out << r;
        }
        return out;
    });
}

Result<int> CampaignRepository::recipientCount(const QString &organizationId, const QString &campaignId, const QString &status)
{
    QVariantList bind{organizationId, campaignId};
    QString sql = QStringLiteral("SELECT COUNT(*) FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id "
                                 "WHERE r.organization_id = ? AND r.campaign_id = ?");
    if (!status.isEmpty()) {
        sql += QStringLiteral(" AND ") + kRecipientStatus + QStringLiteral(" = ?");
        bind << status;
    }
    return m_sql.query(sql, bind, "campaigns.recipientCount", [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
}

namespace {
QHash<QString, int> reasonCounts(QSqlQuery &q)
{
    QHash<QString, int> out;
    while (q.next())
        out.insert(q.value(0).toString(), q.value(1).toInt());
    return out;
}
} // namespace

Result<QHash<QString, int>> CampaignRepository::failureReasons(const QString &organizationId, const QString &campaignId)
{
    return m_sql.query(QStringLiteral("SELECT COALESCE(m.failure_reason, 'unknown'), COUNT(*) FROM campaign_recipients r JOIN messages m ON m.id = r.message_id "
                                      "WHERE r.organization_id = ? AND r.campaign_id = ? AND m.status = 'failed' GROUP BY COALESCE(m.failure_reason, 'unknown')"),
                       {organizationId, campaignId}, "campaigns.failures", reasonCounts);
}

Result<QHash<QString, int>> CampaignRepository::skipReasons(const QString &organizationId, const QString &campaignId)
{
    return m_sql.query(QStringLiteral("SELECT COALESCE(r.reason, 'unknown'), COUNT(*) FROM campaign_recipients r "
                                      "WHERE r.organization_id = ? AND r.campaign_id = ? AND r.status = 'skipped' GROUP BY COALESCE(r.reason, 'unknown')"),
                       {organizationId, campaignId}, "campaigns.skips", reasonCounts);
}

Result<QList<CampaignRecord>> CampaignRepository::withStatus(CampaignStatus status)
{
    Result<QList<CampaignRecord>> rows =
        m_sql.query(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM campaigns c WHERE c.status = ? ORDER BY c.created_at, c.id"),
                    {CampaignStatuses::name(status)}, "campaigns.withStatus", allRows);
    if (!rows)
        return rows;
    if (Status s = loadClients(m_sql, rows.value()); !s)
        return s.error();
    return rows;
}

Result<QString> CampaignRepository::timeZoneOf(const QString &organizationId)
{
    return m_sql.query(QStringLiteral("SELECT time_zone FROM organizations WHERE id = ?"), {organizationId}, "campaigns.timeZone",
                       [](QSqlQuery &q) { return q.next() ? q.value(0).toString() : QStringLiteral("UTC"); });
}

Result<std::optional<PendingRecipient>> CampaignRepository::nextPending(const QString &campaignId, const QString &clientId)
{
    return m_sql.query(QStringLiteral("SELECT seq, phone_number, contact_id, body FROM campaign_recipients "
                                      "WHERE campaign_id = ? AND client_id = ? AND status = 'pending' ORDER BY seq LIMIT 1"),
                       {campaignId, clientId}, "campaigns.nextPending", [&campaignId](QSqlQuery &q) {
                           if (!q.next())
                               return std::optional<PendingRecipient>();
                           PendingRecipient p;
                           p.campaignId = campaignId;
                           p.seq = q.value(0).toLongLong();
                           p.phoneNumber = q.value(1).toString();
                           p.contactId = q.value(2).toString();
                           p.body = q.value(3).toString();
                           return std::optional<PendingRecipient>(p);
                       });
}

Result<bool> CampaignRepository::markQueued(const QString &campaignId, qint64 seq, const QString &messageId, const QString &contactId,
                                            qint64 at)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE campaign_recipients SET status = 'queued', message_id = ?, contact_id = ?, queued_at = ? "
                                                "WHERE campaign_id = ? AND seq = ? AND status = 'pending'"),
                                 {messageId, contactId, at, campaignId, seq}, "campaigns.markQueued");
    if (!r)
        return r.error();
    return r.value() == 1;
}

Result<bool> CampaignRepository::markSkipped(const QString &campaignId, qint64 seq, const QString &reason, const QString &contactId)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE campaign_recipients SET status = 'skipped', reason = ?, contact_id = COALESCE(?, contact_id) "
                                                "WHERE campaign_id = ? AND seq = ? AND status = 'pending'"),
                                 {reason, textOrNull(contactId), campaignId, seq}, "campaigns.markSkipped");
    if (!r)
        return r.error();
    return r.value() == 1;
}

Result<int> CampaignRepository::queuedForClient(const QString &clientId)
{
    return m_sql.query(QStringLiteral("SELECT COUNT(*) FROM outbox WHERE client_id = ? AND priority = 1"), {clientId}, "campaigns.inQueue",
                       [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
}

Result<int> CampaignRepository::queuedSince(const QString &campaignId, qint64 since)
{
    return m_sql.query(QStringLiteral("SELECT COUNT(*) FROM campaign_recipients WHERE campaign_id = ? AND status = 'queued' AND queued_at >= ?"),
                       {campaignId, since}, "campaigns.queuedSince", [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
}

Result<int> CampaignRepository::unfinished(const QString &campaignId)
{
    return m_sql.query(QStringLiteral("SELECT COUNT(*) FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id "
                                      "WHERE r.campaign_id = ? AND (r.status = 'pending' OR m.status IN ('queued', 'sending'))"),
                       {campaignId}, "campaigns.unfinished", [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
}

Result<int> CampaignRepository::withdrawQueued(const QString &campaignId)
{
    Result<QList<QPair<qint64, QString>>> waiting = m_sql.query(
        QStringLiteral("SELECT r.seq, r.message_id FROM campaign_recipients r JOIN outbox o ON o.message_id = r.message_id "
                       "WHERE r.campaign_id = ? AND r.status = 'queued'"),
        {campaignId}, "campaigns.waiting", [](QSqlQuery &q) {
            QList<QPair<qint64, QString>> out;
            while (q.next())
                out << qMakePair(q.value(0).toLongLong(), q.value(1).toString());
            return out;
        });
    if (!waiting)
        return waiting.error();
    int withdrawn = 0;
    for (const auto &[seq, messageId] : waiting.value()) {
        // The outbox row is the claim: whoever deletes it owns the message. The sender may have
        // taken it meanwhile; then it goes out and the recipient stays queued.
        Result<int> taken = m_sql.change(QStringLiteral("DELETE FROM outbox WHERE message_id = ?"), {messageId}, "campaigns.withdraw");
        if (!taken)
            return taken.error();
        if (taken.value() == 0)
            continue;
        if (Result<int> r = m_sql.change(QStringLiteral("DELETE FROM messages WHERE id = ? AND status = 'queued'"), {messageId},
                                         "campaigns.withdrawMessage");
            !r)
            return r.error();
        if (Result<int> r = m_sql.change(QStringLiteral("UPDATE campaign_recipients SET status = 'pending', message_id = NULL, queued_at = NULL "
                                                        "WHERE campaign_id = ? AND seq = ?"),
                                         {campaignId, seq}, "campaigns.requeue");
            !r)
            return r.error();
        ++withdrawn;
    }
    return withdrawn;
}

Result<int> CampaignRepository::cancelPending(const QString &campaignId)
{
    return m_sql.change(QStringLiteral("UPDATE campaign_recipients SET status = 'cancelled', reason = 'campaign_cancelled' "
                                       "WHERE campaign_id = ? AND status = 'pending'"),
                        {campaignId}, "campaigns.cancelPending");
}

} // namespace wadesk

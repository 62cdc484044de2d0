#include "core/analytics/CampaignExport.h"

#include "core/analytics/AnalyticsCsv.h"
#include "core/common/Json.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace wadesk::CampaignExport {

QJsonObject recipientJson(const CampaignRecipient &r)
{
    return QJsonObject{{QStringLiteral("seq"), double(r.seq)},
                       {QStringLiteral("phone_number"), r.phoneNumber},
                       {QStringLiteral("contact_id"), Json::orNull(r.contactId)},
                       {QStringLiteral("client_id"), Json::orNull(r.clientId)},
                       {QStringLiteral("status"), r.status},
                       {QStringLiteral("reason"), Json::orNull(r.reason)},
                       {QStringLiteral("message_id"), Json::orNull(r.messageId)},
                       {QStringLiteral("queued_at"), Json::isoTime(r.queuedAt)},
                       {QStringLiteral("sent_at"), Json::isoTime(r.sentAt)},
                       {QStringLiteral("delivered_at"), Json::isoTime(r.deliveredAt)},
                       {QStringLiteral("read_at"), Json::isoTime(r.readAt)},
                       {QStringLiteral("failed_at"), Json::isoTime(r.failedAt)},
                       {QStringLiteral("replied"), r.replied}};
}

QByteArray render(const QString &campaignId, const QList<CampaignRecipient> &recipients, Format format)
{
    if (format == Format::Json) {
        QJsonArray list;
        for (const CampaignRecipient &r : recipients)
            list.append(recipientJson(r));
        return QJsonDocument(QJsonObject{{QStringLiteral("campaign_id"), campaignId}, {QStringLiteral("recipients"), list}})
            .toJson(QJsonDocument::Compact);
    }
    QByteArray body = Csv::row({QStringLiteral("phone_number"), QStringLiteral("status"), QStringLiteral("reason"), QStringLiteral("message_id"),
                                QStringLiteral("client_id"), QStringLiteral("queued_at"), QStringLiteral("sent_at"), QStringLiteral("delivered_at"),
                                QStringLiteral("read_at"), QStringLiteral("failed_at"), QStringLiteral("replied")});
    auto time = [](qint64 ms) { return Json::isoTime(ms).toString(); };
    for (const CampaignRecipient &r : recipients)
        body += Csv::row({r.phoneNumber, r.status, r.reason, r.messageId, r.clientId, time(r.queuedAt), time(r.sentAt), time(r.deliveredAt),
                          time(r.readAt), time(r.failedAt), r.replied ? QStringLiteral("true") : QStringLiteral("false")});
    return body;
}

} // namespace wadesk::CampaignExport

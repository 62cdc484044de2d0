#pragma once

#include "core/common/DomainError.h"

#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTime>
#include <QTimeZone>
#include <optional>

namespace wadesk {

enum class CampaignStatus { Draft, Scheduled, Running, Paused, Completed, Cancelled };

namespace CampaignStatuses {
QString name(CampaignStatus status);
std::optional<CampaignStatus> parse(const QString &name);
} // namespace CampaignStatuses

// When a campaign may hand messages to the queue: some weekdays, between two times of day, in
// the organization's time zone. `start` inclusive, `end` exclusive; an `end` before `start`
// runs over midnight (the day is the one the window opened on).
struct SendWindow {
    QSet<int> days; // 1 = Monday ... 7 = Sunday; empty: every day
    QTime start;
    QTime end;

    bool allows(qint64 atMs, const QTimeZone &zone) const;
    // The first instant at or after `fromMs` the window allows (within two weeks; `fromMs` when
    // none is found, which a valid window never gives).
    qint64 nextOpen(qint64 fromMs, const QTimeZone &zone) const;
    // The end of the opening that contains `atMs` (which allows() must accept).
    qint64 closesAfter(qint64 atMs, const QTimeZone &zone) const;
    QJsonObject toJson() const;
    // {"days": ["mon", ...], "start": "HH:MM", "end": "HH:MM"}; 400 naming send_window otherwise.
    static Result<SendWindow> fromJson(const QJsonValue &value);
};

// A campaign as stored. The counts are the recipients' (see CampaignCounts).
struct CampaignRecord {
    QString id;
    QString organizationId;
    QString name;
    CampaignStatus status = CampaignStatus::Draft;
    QString message;     // with a template: its text, rendered per recipient at the start
    QString templateId;  // the template it was made from, if any
    QString mediaId;
    QString mediaType;     // the stored file's kind (image, video, document, ...)
    QString mediaFilename;
    QJsonObject audience;  // as given: numbers, contact_ids, tags
    QStringList clientIds; // in the order given
    qint64 scheduleAt = 0;
    std::optional<SendWindow> window;
    int dailyCap = 0;      // 0: none
    QString pausedReason;
    QString createdBy;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    qint64 startedAt = 0;
    qint64 completedAt = 0;
};

// What became of a campaign's recipients. A recipient is pending until the scheduler queues
// its message; from then on it counts by its message's status.
struct CampaignCounts {
    qint64 total = 0;
    qint64 pending = 0;
    qint64 queued = 0;    // its message waits in the queue or is being sent
    qint64 sent = 0;      // reached WhatsApp: sent, delivered or read
    qint64 delivered = 0; // delivered or read
    qint64 read = 0;
    qint64 failed = 0;
    qint64 skipped = 0;
    qint64 cancelled = 0; // still pending when the campaign was cancelled
    qint64 replied = 0;   // the contact wrote back within the attribution window after the send
    qint64 optedOut = 0;  // opted out after the campaign started
};

struct CampaignRecipient {
    qint64 seq = 0;
    QString phoneNumber;
    QString contactId;
    QString clientId;
    QString body;
    QString status;       // pending, skipped, cancelled, or its message's status
    QString reason;       // why skipped, or why its message failed
    QString messageId;
    qint64 queuedAt = 0;
    qint64 sentAt = 0;
    qint64 deliveredAt = 0;
    qint64 readAt = 0;
    qint64 failedAt = 0;
    bool replied = false;
};

} // namespace wadesk

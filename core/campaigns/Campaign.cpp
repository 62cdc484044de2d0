#include "core/campaigns/Campaign.h"

#include <QDateTime>
#include <QJsonArray>

namespace wadesk {

namespace CampaignStatuses {
QString name(CampaignStatus status)
{
    switch (status) {
    case CampaignStatus::Draft: return QStringLiteral("draft");
    case CampaignStatus::Scheduled: return QStringLiteral("scheduled");
    case CampaignStatus::Running: return QStringLiteral("running");
    case CampaignStatus::Paused: return QStringLiteral("paused");
    case CampaignStatus::Completed: return QStringLiteral("completed");
    case CampaignStatus::Cancelled: return QStringLiteral("cancelled");
    }
    return QString();
}

std::optional<CampaignStatus> parse(const QString &name)
{
    for (CampaignStatus s : {CampaignStatus::Draft, CampaignStatus::Scheduled, CampaignStatus::Running, CampaignStatus::Paused,
                             CampaignStatus::Completed, CampaignStatus::Cancelled}) {
        if (CampaignStatuses::name(s) == name)
            return s;
    }
    return std::nullopt;
}
} // namespace CampaignStatuses

namespace {
const char *const kDayNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// The opening that begins on `date` (or the one before, for a window over midnight) as
// [open, close) in epoch ms; false when the window is shut that day.
bool openingOn(const SendWindow &w, const QDate &date, const QTimeZone &zone, qint64 *open, qint64 *close)
{
    if (!w.days.isEmpty() && !w.days.contains(date.dayOfWeek()))
        return false;
    *open = QDateTime(date, w.start, zone).toMSecsSinceEpoch();
    const QDate closeDay = w.end > w.start ? date : date.addDays(1);
    *close = QDateTime(closeDay, w.end, zone).toMSecsSinceEpoch();
    return *close > *open;
}
} // namespace

bool SendWindow::allows(qint64 atMs, const QTimeZone &zone) const
{
    const QDate today = QDateTime::fromMSecsSinceEpoch(atMs, zone).date();
    for (const QDate &d : {today.addDays(-1), today}) {
        qint64 open = 0;
        qint64 close = 0;
        if (openingOn(*this, d, zone, &open, &close) && atMs >= open && atMs < close)
            return true;
    }
    return false;
}

qint64 SendWindow::nextOpen(qint64 fromMs, const QTimeZone &zone) const
{
    if (allows(fromMs, zone))
        return fromMs;
    const QDate today = QDateTime::fromMSecsSinceEpoch(fromMs, zone).date();
    for (int i = 0; i <= 14; ++i) {
        qint64 open = 0;
        qint64 close = 0;
        if (openingOn(*this, today.addDays(i), zone, &open, &close) && open >= fromMs)
            return open;
    }
    return fromMs;
}

qint64 SendWindow::closesAfter(qint64 atMs, const QTimeZone &zone) const
{
    const QDate today = QDateTime::fromMSecsSinceEpoch(atMs, zone).date();
    for (const QDate &d : {today.addDays(-1), today}) {
        qint64 open = 0;
        qint64 close = 0;
        if (openingOn(*this, d, zone, &open, &close) && atMs >= open && atMs < close)
            return close;
    }
    return atMs;
}

QJsonObject SendWindow::toJson() const
{
    QJsonArray names;
    for (int d = 1; d <= 7; ++d) {
        if (days.isEmpty() || days.contains(d))
            names.append(QString::fromLatin1(kDayNames[d - 1]));
    }
    return QJsonObject{{QStringLiteral("days"), names},
                       {QStringLiteral("start"), start.toString(QStringLiteral("HH:mm"))},
                       {QStringLiteral("end"), end.toString(QStringLiteral("HH:mm"))}};
}

Result<SendWindow> SendWindow::fromJson(const QJsonValue &value)
{
    auto invalid = [](const QString &why) {
        return DomainError::validation(QStringLiteral("send_window"), QStringLiteral("send_window: ") + why);
    };
    if (!value.isObject())
        return invalid(QStringLiteral("must be an object {days, start, end}"));
    const QJsonObject o = value.toObject();
    SendWindow w;
    const QJsonValue days = o.value(QStringLiteral("days"));
    if (!days.isUndefined() && !days.isNull()) {
        if (!days.isArray() || days.toArray().isEmpty() || days.toArray().size() > 7)
            return invalid(QStringLiteral("days must be a list of mon, tue, wed, thu, fri, sat, sun"));
        for (const QJsonValue &d : days.toArray()) {
            int found = 0;
            for (int i = 0; i < 7; ++i) {
                if (d.toString().toLower() == QLatin1String(kDayNames[i]))
                    found = i + 1;
            }
            if (found == 0)
                return invalid(QStringLiteral("days must be a list of mon, tue, wed, thu, fri, sat, sun"));
            w.days.insert(found);
        }
        if (w.days.size() == 7)
            w.days.clear();
    }
    const QString start = o.value(QStringLiteral("start")).toString();
    const QString end = o.value(QStringLiteral("end")).toString();
    w.start = QTime::fromString(start, QStringLiteral("HH:mm"));
    w.end = QTime::fromString(end, QStringLiteral("HH:mm"));
    if (!w.start.isValid() || !w.end.isValid() || start.size() != 5 || end.size() != 5)
        return invalid(QStringLiteral("start and end must be times of day as HH:MM"));
    if (w.start == w.end)
        return invalid(QStringLiteral("start and end must differ"));
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        if (it.key() != QLatin1String("days") && it.key() != QLatin1String("start") && it.key() != QLatin1String("end"))
            return invalid(QStringLiteral("unknown field ") + it.key());
    }
    return w;
}

} // namespace wadesk

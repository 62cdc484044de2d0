#include "ui/conversations/RateLimitStrip.h"

#include "core/events/EventBus.h"
#include "core/events/EventPayloads.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/main/Icons.h"
#include "core/messaging/MessageService.h"
#include "ui/common/ErrorText.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>

namespace wadesk {

namespace {
constexpr int kSoonMs = 300;
constexpr int kPeriodMs = 10000;

QLabel *makeLabel(QWidget *parent, const char *objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QString::fromLatin1(objectName));
    label->setTextFormat(Qt::PlainText);
    return label;
}
} // namespace

RateLimitStrip::RateLimitStrip(DesktopContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("rateLimitStrip"));
    setAccessibleName(tr("Sending limits"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    m_minute = makeLabel(this, "rateMinuteLabel");
    m_hour = makeLabel(this, "rateHourLabel");
    m_day = makeLabel(this, "rateDayLabel");
    m_queue = makeLabel(this, "queueLabel");
    m_paused = makeLabel(this, "pausedLabel");
    m_paused->setAutoFillBackground(true);
    m_paused->setMargin(2);
    for (QLabel *l : {m_minute, m_hour, m_day, m_queue})
        layout->addWidget(l);
    layout->addStretch(1);
    layout->addWidget(m_paused);

    m_soon.setSingleShot(true);
    m_soon.setInterval(kSoonMs);
    connect(&m_soon, &QTimer::timeout, this, &RateLimitStrip::refresh);
    m_periodic.setInterval(kPeriodMs);
    connect(&m_periodic, &QTimer::timeout, this, &RateLimitStrip::refresh);
    connect(&m_context.events(), &EventBus::published, this, &RateLimitStrip::onEvent, Qt::QueuedConnection);
    refresh();
}

void RateLimitStrip::setClient(const QString &clientId)
{
    m_clientId = clientId;
    refresh();
}

void RateLimitStrip::scheduleRefresh()
{
    if (!m_soon.isActive())
        m_soon.start();
}

void RateLimitStrip::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_periodic.start();
    refresh();
}

void RateLimitStrip::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_periodic.stop();
}

void RateLimitStrip::onEvent(const Event &event)
{
    if (m_clientId.isEmpty() || event.organizationId != m_context.actor().organizationId)
        return;
    if (clientIdOf(event) != m_clientId)
        return;
    if (event.is(EventType::MessageSent) || event.is(EventType::MessageFailed) || event.is(EventType::ClientPaused))
        scheduleRefresh();
}

void RateLimitStrip::refresh()
{
    m_soon.stop();
    if (m_clientId.isEmpty() || !m_context.signedIn()) {
        for (QLabel *l : {m_minute, m_hour, m_day, m_queue})
            l->clear();
        m_paused->hide();
        return;
    }
    Result<RateLimitStatus> limits = m_context.messages().rateLimits(m_context.actor(), m_clientId);
    if (!limits) {
        m_minute->setText(tr("Limits unavailable: %1").arg(errorMessageFor(limits.error())));
        for (QLabel *l : {m_hour, m_day, m_queue})
            l->clear();
        m_paused->hide();
        return;
    }
    const RateLimitStatus &status = limits.value();
    auto tier = [&](QLabel *label, const TierUsage &usage, const QString &name) {
        const int used = usage.used;
        const int limit = usage.limit;
        label->setText(tr("%1: %2/%3").arg(name).arg(used).arg(limit));
        label->setAccessibleName(tr("%1 used %2 of %3").arg(name).arg(used).arg(limit));
        QFont f = label->font();
        f.setBold(limit > 0 && used >= limit);
        label->setFont(f);
    };
    tier(m_minute, status.rate.minute, tr("Minute"));
    tier(m_hour, status.rate.hour, tr("Hour"));
    tier(m_day, status.rate.day, tr("Day"));
    const int depth = status.queueDepth;
    QString queue = tr("Queue: %n", nullptr, depth);
    const QDateTime last = QDateTime::fromMSecsSinceEpoch(status.estimatedLastDeparture);
    if (depth > 0 && status.estimatedLastDeparture > 0)
        queue += QLatin1Char(' ') + tr("(last leaves about %1)").arg(QLocale().toString(last.toLocalTime().time(), QLocale::ShortFormat));
    m_queue->setText(queue);
    const bool paused = status.paused;
    m_paused->setVisible(paused);
    if (paused) {
        m_paused->setText(tr("Sending paused"));
        QPalette p = m_paused->palette();
        const QColor bg = Icons::badgeColor(palette(), Icons::Tone::Warning);
        p.setColor(QPalette::Window, bg);
        p.setColor(QPalette::WindowText, Icons::textOn(bg));
        m_paused->setPalette(p);
    }
    setAccessibleDescription(summary());
}

QString RateLimitStrip::summary() const
{
    QStringList parts;
    for (QLabel *l : {m_minute, m_hour, m_day, m_queue}) {
        if (!l->text().isEmpty())
            parts << l->text();
    }
    if (!m_paused->isHidden())
        parts << m_paused->text();
    return parts.join(QLatin1String(" · "));
}

} // namespace wadesk

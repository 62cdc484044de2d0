#include "ui/main/MediaStorageLabel.h"

#include "core/events/EventBus.h"
#include "core/events/Event.h"
#include "ui/common/DataSize.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/main/Icons.h"
#include "core/media/MediaService.h"

#include <QLocale>

namespace wadesk {

MediaStorageLabel::MediaStorageLabel(DesktopContext &context, QWidget *parent)
    : QLabel(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("mediaStorageLabel"));
    setTextFormat(Qt::PlainText);
    m_periodic.setInterval(kRefreshIntervalMs);
    connect(&m_periodic, &QTimer::timeout, this, &MediaStorageLabel::refresh);
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(kCoalesceMs);
    connect(&m_coalesce, &QTimer::timeout, this, &MediaStorageLabel::refresh);
    connect(&m_context.events(), &EventBus::published, this, &MediaStorageLabel::onEvent, Qt::QueuedConnection);
    connect(&m_context, &DesktopContext::signedInChanged, this, &MediaStorageLabel::refresh);
    refresh();
}

bool MediaStorageLabel::allowed() const
{
    return m_context.signedIn() && m_context.actor().can(Permission::ManageOrganization);
}

QString MediaStorageLabel::textFor(qint64 used, qint64 limit)
{
    if (limit <= 0)
        return tr("Media storage: %1").arg(dataSizeText(used));
    const double percent = 100.0 * double(used) / double(limit);
    // One decimal below 10% (0.4%, not 0%), whole numbers above; a little is never "0.0%".
    if (used > 0 && percent < 0.05)
        return tr("Media storage: %1 of %2 (under %3%)").arg(dataSizeText(used), dataSizeText(limit), QLocale().toString(0.1, 'f', 1));
    const QString share = QLocale().toString(percent, 'f', percent < 10.0 && used > 0 ? 1 : 0);
    return tr("Media storage: %1 of %2 (%3%)").arg(dataSizeText(used), dataSizeText(limit), share);
}

void MediaStorageLabel::scheduleRefresh()
{
    if (allowed())
        m_coalesce.start();
}

void MediaStorageLabel::refresh()
{
    if (!allowed()) {
        m_periodic.stop();
        m_used = m_limit = -1;
        clear();
        setVisible(false);
        return;
    }
    if (!m_periodic.isActive())
        m_periodic.start();
    Result<MediaService::Usage> usage = m_context.media().usage(m_context.actor());
    if (!usage) {
        // Kept as it was; the reason in the tooltip (a database error passes).
        setToolTip(errorMessageFor(usage.error()));
        setVisible(m_used >= 0);
        return;
    }
    m_used = usage.value().used;
    m_limit = usage.value().limit;
    setText(textFor(m_used, m_limit));
    setAccessibleName(text());
    setToolTip(tr("Files stored for your organization (each file counted once), of its quota"));
    const bool nearlyFull = m_limit > 0 && m_used * 100 >= m_limit * kWarnPercent;
    QPalette p = palette();
    p.setColor(QPalette::WindowText, nearlyFull ? Icons::badgeColor(p, Icons::Tone::Bad) : QPalette().color(QPalette::WindowText));
    setPalette(p);
    setVisible(true);
}

void MediaStorageLabel::onEvent(const Event &event)
{
    if (!allowed() || event.organizationId != m_context.actor().organizationId)
        return;
    // A received message may have brought a file; a sent one may have been a file uploaded with
    // it through the API. Both are cheap to re-read, and coalesced.
    if (event.is(EventType::MessageReceived) || event.is(EventType::MessageSent))
        scheduleRefresh();
}

} // namespace wadesk

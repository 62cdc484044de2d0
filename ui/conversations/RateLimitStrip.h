#pragma once

#include <QTimer>
#include <QWidget>

class QLabel;

namespace wadesk {

class DesktopContext;
struct Event;

// The selected client's send budget: used/limit for the minute, hour and day tiers, the queue
// depth with the estimated departure of its last message, and the paused flag
// (MessageService::rateLimits). Refreshed when the client changes, after a send, on the
// client's message events (coalesced) and every few seconds while visible (the tiers decay).
class RateLimitStrip final : public QWidget {
    Q_OBJECT
public:
    explicit RateLimitStrip(DesktopContext &context, QWidget *parent = nullptr);

    void setClient(const QString &clientId);
    void refresh();
    void scheduleRefresh();
    QString summary() const; // the strip's text, for tests and the accessible description

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void onEvent(const Event &event);

    DesktopContext &m_context;
    QString m_clientId;
    QLabel *m_minute = nullptr;
    QLabel *m_hour = nullptr;
    QLabel *m_day = nullptr;
    QLabel *m_queue = nullptr;
    QLabel *m_paused = nullptr;
    QTimer m_soon;
    QTimer m_periodic;
};

} // namespace wadesk

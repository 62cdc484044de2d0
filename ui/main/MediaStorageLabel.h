#pragma once

#include <QLabel>
#include <QTimer>

namespace wadesk {

class DesktopContext;
struct Event;

// The status bar's "Media storage: 1.2 GB of 5 GB (24%)": the organization's stored media
// against its quota (MediaService::usage), for those who may manage the organization (admins);
// hidden for everyone else. Read when shown, after a file is sent or received (message events
// with a file, coalesced) and every minute, since other instances and the API store files too.
class MediaStorageLabel final : public QLabel {
    Q_OBJECT
public:
    explicit MediaStorageLabel(DesktopContext &context, QWidget *parent = nullptr);

    // Whether the signed-in role sees it (can_manage_organization).
    bool allowed() const;
    void refresh();
    void scheduleRefresh();
    qint64 used() const { return m_used; }
    qint64 limit() const { return m_limit; }
    // The text for a use and a quota ("Media storage: 1.2 GB of 5 GB (24%)").
    static QString textFor(qint64 used, qint64 limit);

    static constexpr int kRefreshIntervalMs = 60000;
    static constexpr int kCoalesceMs = 500;
    static constexpr int kWarnPercent = 90;

private:
    void onEvent(const Event &event);

    DesktopContext &m_context;
    QTimer m_periodic;
    QTimer m_coalesce;
    qint64 m_used = -1;
    qint64 m_limit = -1;
};

} // namespace wadesk

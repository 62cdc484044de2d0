#pragma once

#include "core/access/AuthContext.h"
#include "ui/models/DashboardModels.h"

#include <QObject>
#include <QThread>
#include <optional>

namespace wadesk {

class Clock;
class Database;

// Reads DashboardReports off the GUI thread: a thread of its own with its own database
// connection (Database hands each thread one) and its own OrganizationService and
// AnalyticsService, so the window never waits for the queries.
//
// At most one read runs at a time. A request while one runs is kept (the latest replaces an
// earlier one) and runs once the current read is done, so a burst of events costs at most one
// more read: no query storms.
class DashboardLoader final : public QObject {
    Q_OBJECT
public:
    DashboardLoader(Database &database, const Clock &clock, QObject *parent = nullptr);
    ~DashboardLoader() override; // waits for a running read, closes the thread's connection

    void request(const AuthContext &actor, const DashboardQuery &query);
    bool busy() const { return m_busy; }
    // Reads started since construction (tests check that events are coalesced).
    int readsStarted() const { return m_readsStarted; }

    // The read itself (any thread with a connection): what the loader's thread runs.
    static DashboardReport read(Database &database, const Clock &clock, const AuthContext &actor, const DashboardQuery &query);

signals:
    void loaded(const wadesk::DashboardReport &report);

private:
    void start(const AuthContext &actor, const DashboardQuery &query);
    void finish(const DashboardReport &report);

    Database &m_database;
    const Clock &m_clock;
    QThread m_thread;
    QObject *m_worker = nullptr; // lives on m_thread
    bool m_busy = false;
    int m_readsStarted = 0;
    std::optional<std::pair<AuthContext, DashboardQuery>> m_pending;
};

} // namespace wadesk

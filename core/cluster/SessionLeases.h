#pragma once

#include "core/leases/LeaseFence.h"
#include "core/common/DomainError.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <optional>

namespace wadesk {

class Database;
struct ClusterSettings;

// Which sessions this instance may drive (DESIGN §9, PostgreSQL only): one lease row per client
// in client_leases, taken by compare-and-set in one statement, renewed together, released at a
// stop. Times in the rows are the database's; what this instance believes is bounded by a local
// deadline on the steady clock (last successful renewal + lease − margin): once it passes without
// a renewal (the process was paused, the network split, the database went away), every lease it
// held is given up here and `lost` is emitted before anything else runs, so the sessions stop
// before another instance may take them over. Main thread.
class SessionLeases final : public QObject {
    Q_OBJECT
public:
    struct Timing {
        qint64 leaseMs = 30000;
        qint64 renewMs = 5000;
        qint64 marginMs = 3000; // the local deadline comes this much before the database's expiry
    };
    static Timing timingOf(const ClusterSettings &settings);

    // Millisecond timings are allowed here (tests); users get the settings' bounds.
    SessionLeases(Database &database, QString instanceId, Timing timing, QObject *parent = nullptr);
    ~SessionLeases() override;

    const QString &instanceId() const { return m_instanceId; }
    const Timing &timing() const { return m_timing; }

    // Compare-and-set: the lease becomes this instance's when it has no owner, is already this
    // instance's, or has expired on the database's clock. The token goes up by one whenever the
    // lease was not live in this instance's hands (a new owner, or this one after expiry).
    // Returns the fence to write with, or nothing while another instance holds it.
    Result<std::optional<LeaseFence>> acquire(const QString &clientId);
    // Renews every lease held here in one statement. A lease that is gone (taken over, expired)
    // is given up and reported through `lost`. Called by the timer; public for tests.
    Status renewAll();
    // Gives the lease up (owner NULL, expired): another instance may take it at once.
    Status release(const QString &clientId);
    // Releases every lease held here (a clean stop of the process).
    void releaseAll();

    // The lease held here for the client while the local deadline has not passed.
    std::optional<LeaseFence> fence(const QString &clientId) const;
    bool holds(const QString &clientId) const { return fence(clientId).has_value(); }
    QStringList held() const { return m_held.keys(); }
    int heldCount() const { return int(m_held.size()); }
    // The live owner of a client's lease on the database's clock, or empty (none, released, expired).
    Result<QString> liveOwner(const QString &clientId);

    // Renews every renewMs and watches the local deadline.
    void start();
    void stop();
    // Gives up every lease at once when the local deadline has passed (emitting `lost`); true
    // if it had. Also run by a timer of its own, and before each renewal.
    bool enforceDeadline();

signals:
    // These leases are no longer this instance's: their sessions must stop now.
    void lost(const QStringList &clientIds);

private:
    void armDeadline();
    void giveUp(const QStringList &clientIds, const char *why);

    Database &m_database;
    QString m_instanceId;
    Timing m_timing;
    QHash<QString, qint64> m_held; // clientId -> token
    QElapsedTimer m_sinceRenewal;  // steady; restarted at each successful renewal or first acquire
    QTimer m_renewTimer;
    QTimer m_deadlineTimer;
};

} // namespace wadesk

#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QString>
#include <QThreadPool>
#include <atomic>
#include <functional>
#include <optional>

QT_FORWARD_DECLARE_CLASS(QObject)

namespace wadesk {

class AesGcm;
class Database;
struct ClusterSettings;

// Linked sessions' browser state in the database (browser_snapshots, DESIGN §9), so that another
// instance, or this one after losing the profile, opens the session without a new QR code: the
// profile's IndexedDB and Local Storage (BrowserStateArchive), compressed, sealed with the master
// key and bound to its client (a snapshot copied to another client's row does not open).
//
// The calls below run on the calling thread with its own connection; the *InBackground ones run
// on the store's one worker thread, in the order they were asked for (a logout's removal after
// the snapshot taken before it), so that reading MBs of files, compressing, sealing and the
// INSERT never hold up the main thread's pages.
//
// A session directory (WaSession::sessionDirectory) holds a marker naming the snapshot its
// profile was restored from or taken as: a snapshot is restored only when the database holds a
// newer one.
class BrowserSnapshotStore {
public:
    struct Settings {
        QString instanceId;
        int maxMegabytes = 64; // compressed; a larger snapshot is refused
        int kept = 2;          // per client
    };
    struct Info {
        QString id;
        qint64 createdAt = 0;
        qint64 rawBytes = 0;
        qint64 sealedBytes = 0;
    };

    BrowserSnapshotStore(Database &database, const AesGcm &cipher, Settings settings, const Clock &clock = Clock::system());
    ~BrowserSnapshotStore(); // waits for the background work
    BrowserSnapshotStore(const BrowserSnapshotStore &) = delete;
    BrowserSnapshotStore &operator=(const BrowserSnapshotStore &) = delete;

    // cluster/snapshots: auto is on with PostgreSQL (several instances may share it) and off with
    // SQLite (one instance, whose profile stays on its disk).
    static bool enabledFor(const ClusterSettings &cluster, bool postgres);

    // Packs the profile under `sessionDir`, stores it, prunes the client's older snapshots and
    // writes the marker. Refused (unprocessable, code snapshot_too_large) over the size limit.
    Result<Info> save(const QString &clientId, const QString &sessionDir);
    // Stores an already packed archive (save's second half; the benchmark and tests use it).
    Result<Info> saveArchive(const QString &clientId, const QByteArray &archive);
    Result<std::optional<Info>> latest(const QString &clientId);
    // The archive of a snapshot, opened and checked (unprocessable, code bad_snapshot, when it
    // was tampered with, sealed for another client or under another key).
    Result<QByteArray> loadArchive(const QString &clientId, const QString &snapshotId);
    // Restores the latest snapshot into the (unused) profile under `sessionDir` unless the marker
    // names that one; true when it did. The profile's other files stay; its IndexedDB and
    // Local Storage are replaced only once the whole archive has been unpacked beside them.
    Result<bool> restoreIfNewer(const QString &clientId, const QString &sessionDir);
    // Whether restoreIfNewer would restore (reads the latest snapshot's id only).
    Result<bool> needsRestore(const QString &clientId, const QString &sessionDir);
    Status removeAll(const QString &clientId);
    Result<int> count(const QString &clientId);

    void saveInBackground(const QString &clientId, const QString &sessionDir);
    void removeAllInBackground(const QString &clientId);
    // restoreIfNewer on the worker thread, then `done` with its outcome on `context`'s thread
    // (`context` must outlive the background work: its owner calls waitForBackground first).
    void restoreInBackground(const QString &clientId, const QString &sessionDir, QObject *context,
                             std::function<void(const Result<bool> &)> done);
    // Blocks until the background work asked for so far is done (tests, shutdown).
    void waitForBackground();

    // Snapshots refused so far: too large, or unreadable when restored.
    int refusedCount() const { return m_refused.load(); }

    static QString markerPath(const QString &sessionDir);
    static std::optional<Info> readMarker(const QString &sessionDir);

private:
    void runInBackground(std::function<void()> work);
    void writeMarker(const QString &sessionDir, const Info &info);
    QByteArray associatedData(const QString &clientId) const;
    qint64 maxSealedBytes() const;

    Database &m_database;
    const AesGcm &m_cipher;
    Settings m_settings;
    const Clock &m_clock;
    QThreadPool m_worker;
    std::atomic<int> m_refused{0};
};

} // namespace wadesk

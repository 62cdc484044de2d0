#pragma once

#include <QString>

namespace wadesk {

// Several instances on one PostgreSQL (DESIGN §9): who this instance is, how long a session's
// lease lasts, and how the linked sessions' browser state is kept in the database. On SQLite
// there is one instance per data directory and none of the cluster machinery runs.
struct ClusterSettings {
    QString instanceId;        // --instance-id / WADESK_INSTANCE_ID; the loader defaults it to the host name
    int leaseSeconds = 30;     // a lease not renewed for this long may be taken over
    int renewSeconds = 5;      // how often the owner renews its leases (less than a third of leaseSeconds)
    int commandPollMs = 500;   // how often commands for this instance's sessions are looked for
    // Browser-state snapshots (IndexedDB, Local Storage) into the database, sealed with the master key.
    QString snapshots = QStringLiteral("auto"); // auto (on with PostgreSQL) | on | off
    int snapshotIntervalMinutes = 15;           // while a linked session runs; also at each clean stop
    int snapshotMaxMegabytes = 64;              // a larger (compressed) snapshot is not stored
    int snapshotsKept = 2;                      // per client; older ones are pruned
};

} // namespace wadesk

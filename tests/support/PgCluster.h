#pragma once

#include <QString>
#include <QTemporaryDir>
#include <memory>

namespace wadesk::test {

// A throwaway PostgreSQL cluster for one test process: initdb into a temporary directory (as
// the `postgres` user when running as root, since initdb refuses root), started on a free
// loopback port, stopped and removed at the end. Each test takes a fresh database from it.
class PgCluster {
public:
    // The process-wide cluster, started on first use. nullptr when PostgreSQL is not installed;
    // `whyNot` then says why. Tests skip in that case unless WADESK_REQUIRE_POSTGRES=1 (set by
    // the project's test command), where they fail instead.
    static PgCluster *shared(QString *whyNot = nullptr);
    static bool required();

    ~PgCluster();

    // A new, empty database; returns its postgres:// URL.
    QString createDatabase();
    QString urlFor(const QString &database) const;
    int port() const { return m_port; }
    // Where this cluster's programs are (initdb, pg_ctl, pg_dump, pg_restore).
    QString binDir() const { return m_binDir; }

    // Stop and start the server (for "database unreachable" tests). The stop is a crash
    // (-m immediate); commits it acknowledged survive it (synchronous_commit is on).
    bool stopServer();
    bool startServer();

private:
    PgCluster() = default;
    bool init(QString *error);
    bool runAsOwner(const QStringList &command, QString *output = nullptr, int timeoutMs = 60000) const;

    QString m_binDir;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_dataDir;
    int m_port = 0;
    bool m_asPostgresUser = false;
    int m_databases = 0;
};

} // namespace wadesk::test

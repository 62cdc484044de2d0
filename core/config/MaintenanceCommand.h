#pragma once

#include <QString>

namespace wadesk {

// A maintenance subcommand given as the first positional argument (`wadesk backup FILE`,
// `wadesk restore FILE`, `wadesk import-v1 FILE`, `wadesk analytics --verify`). It runs with a QCoreApplication only, does
// its one job and exits; the options that belong to it are parsed by ConfigLoader.
struct MaintenanceCommand {
    enum class Kind { None, Backup, Restore, ImportV1, Analytics };
    Kind kind = Kind::None;
    QString file;          // the archive (backup, restore) or the v1 export (import-v1)
    bool includeKey = false;  // backup: put the master key in the archive
    bool dryRun = false;      // import-v1: report, write nothing
    QString organizationName; // import-v1
    QString adminEmail;       // import-v1
    bool verify = false;      // analytics: compare the roll-ups with the raw messages
    bool repair = false;      // analytics: rewrite the roll-ups from the raw messages

    static Kind kindOf(const QString &name); // Kind::None for anything else
    static QString nameOf(Kind kind);
};

} // namespace wadesk

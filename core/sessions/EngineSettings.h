#pragma once

#include "core/journal/OutageJournal.h"

#include <QList>
#include <QString>
#include <QUrl>

namespace wadesk {

// How sessions run. The URL and "inject wa-js or not" are the test seam (docs/DESIGN.md §4): tests point
// sessions at a local page that provides window.WPP itself.
struct EngineSettings {
    QString dataDir;                                      // sessions live in <dataDir>/sessions/<clientId>
    QUrl url = QUrl(QStringLiteral("https://web.whatsapp.com/"));
    bool injectWaJs = true;
    int heartbeatIntervalMs = 5000;                       // how often the bridge reports
    int heartbeatTimeoutMs = 45000;                       // silence longer than this: recover
    int readyTimeoutMs = 120000;                          // wa-js must be ready this long after a load
    QList<int> recoveryBackoffMs = {2000, 5000, 15000};   // reload, reload bypassing cache, unregister service workers (then: a new renderer)
    int stableAfterMs = 60000;                            // recovery attempts are forgotten after this long healthy
    JournalLimits journal;                                // <dataDir>/journal/: reports kept while the database is away
    // A page silent past heartbeatTimeoutMs is asked a trivial script; no answer within this long
    // means its renderer is stuck (an endless loop): it is replaced at once, as reloads need the
    // renderer's cooperation and cannot help.
    int rendererProbeMs = 5000;
};

} // namespace wadesk

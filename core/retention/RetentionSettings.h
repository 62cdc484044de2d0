#pragma once

#include "core/media/MediaSettings.h"

#include <QtGlobal>

namespace wadesk {

// How long WaDesk keeps what grows without bound, and how the background pruner paces itself.
// A window of 0 days keeps those rows forever. The defaults keep what analytics and replays
// need: a month of events and finished deliveries, three months of dead letters (they can be
// replayed), and every message.
struct RetentionSettings {
    int eventsDays = 30;       // events older than this go, unless a delivery of theirs is unfinished
    int deliveriesDays = 30;   // succeeded deliveries, counted from when they finished
    int deadLettersDays = 90;  // dead letters: never shorter than deliveriesDays
    int messagesDays = 0;      // 0: messages are kept forever; never a queued or sending one
    // Uploaded and received files: media.retentionDays (media/retentionDays, 0: forever), never
    // one a queued or sending message carries. A copy of the services' media settings.
    MediaSettings media;

    qint64 intervalMs = 60LL * 60 * 1000; // between runs (retention/intervalMinutes)
    qint64 startDelayMs = 60 * 1000;      // the first run waits until start-up work is done

    // Each batch deletes at most this many rows in its own short transaction, then the pruner
    // pauses so that waiting writers (SQLite has a single writer lock) get in between batches.
    int batchRows = 500;
    int pauseBetweenBatchesMs = 5;

    // Failed sign-ins count for 15 minutes (see LoginThrottle); a day is far beyond any window.
    qint64 loginFailuresKeepMs = 24LL * 3600 * 1000;

    static constexpr int kMaxDays = 3650;
    static constexpr int kMaxIntervalMinutes = 7 * 24 * 60;
};

} // namespace wadesk

#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <atomic>
#include <deque>
#include <functional>

namespace wadesk {

// How much the journal may hold. A record is a few hundred bytes; the defaults keep hours of a
// busy client's acks and messages.
struct JournalLimits {
    qint64 maxBytes = 64LL * 1024 * 1024;
    int maxRecords = 100000;
};

// One thing a page reported that the database could not take when it came.
struct JournalRecord {
    QString kind;            // ack, message, state, send_outcome (PageReportJournal)
    QString organizationId;
    QString clientId;
    qint64 at = 0;           // when it was reported, epoch ms
    QJsonObject data;

    QByteArray encode() const;
    static bool decode(const QByteArray &bytes, JournalRecord *out);
};

// A bounded first-in first-out file of records, `<directory>/outage.journal`, that survives a
// kill -9: each append is written and fdatasync'ed before append() returns. Records are applied
// in order by replay(); one leaves the journal only after its applier said it is done. The point
// reached is written after each record (a kill -9 keeps it) and synced every 64 records and when
// a replay stops, so a crash applies at most the record in hand once more, and a power cut at
// most those 64 (appliers are idempotent).
//
// File: a 16-byte header ("WDJRNL01", then the little-endian offset of the first record not yet
// applied), then records, each a little-endian u32 length, a u32 CRC-32 of the payload, and
// the payload (compact JSON). A record cut short or failing its CRC (a crash mid-append) ends
// the journal: it and anything after it are dropped when the file is opened.
//
// Main thread only, except depth(), refusedCount() and droppedCount(), which any thread reads.
class OutageJournal {
public:
    enum class Step {
        Applied, // done: the record leaves the journal
        Retry,   // the database still cannot take it: stop here, try again later
        Drop,    // it can never be applied (malformed, its client is gone): logged, removed
    };
    using Applier = std::function<Step(const JournalRecord &)>;

    OutageJournal(QString directory, JournalLimits limits = JournalLimits());
    ~OutageJournal();
    OutageJournal(const OutageJournal &) = delete;
    OutageJournal &operator=(const OutageJournal &) = delete;

    // Opens (creating the directory and the file) and reads what a previous run left.
    Status open();
    bool isOpen() const { return m_fd >= 0; }
    QString filePath() const;

    // Appends and syncs one record. False when the journal is full (the oldest are kept, this one
    // is refused and counted) or the disk failed it; logged either way.
    bool append(const JournalRecord &record);
    // Applies records oldest first until one answers Retry or none are left. Returns how many
    // left the journal. A record appended by the applier itself waits for the next replay.
    int replay(const Applier &apply);

    int depth() const { return m_depth.load(); }
    bool isEmpty() const { return depth() == 0; }
    qint64 bytesOnDisk() const { return m_end; }
    // Records refused because the journal was full or the disk failed them.
    qint64 refusedCount() const { return m_refused.load(); }
    // Torn or corrupt records dropped when the file was opened.
    qint64 droppedCount() const { return m_dropped.load(); }

private:
    struct Pending {
        QByteArray payload;
        qint64 end = 0; // file offset just past this record
    };
    bool writeCursor(qint64 offset, bool durable);
    bool reset();
    bool sync();

    QString m_directory;
    JournalLimits m_limits;
    int m_fd = -1;
    qint64 m_end = 0; // where the next record goes
    std::deque<Pending> m_pending;
    bool m_replaying = false;
    void publishDepth(int depth);
    std::atomic<int> m_depth{0};
    std::atomic<qint64> m_refused{0};
    std::atomic<qint64> m_dropped{0};
};

} // namespace wadesk

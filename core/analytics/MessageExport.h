#pragma once

#include "core/analytics/AnalyticsService.h"

#include <QByteArray>
#include <QIODevice>

namespace wadesk {

class Database;

// The messages of an analytics range as CSV or JSON, produced while it is read: each time its
// buffer runs dry it fetches the next batch in (created_at, id) order with a keyset condition
// (no OFFSET, no cursor or transaction held between batches), so memory holds one batch and
// the part of it not read yet, whatever the number of rows. Sequential; atEnd() is true once
// the last batch was read out. A database failure ends reading with an error (read() -1), so
// a streamed response stops short instead of passing as complete.
class MessageExport final : public QIODevice {
    Q_OBJECT
public:
    static constexpr int kBatchRows = 2000;

    MessageExport(Database &database, AnalyticsRange range, ExportFormat format, QObject *parent = nullptr);

    bool isSequential() const override { return true; }
    bool atEnd() const override;
    qint64 bytesAvailable() const override;
    qint64 rowsWritten() const { return m_rows; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    bool fetchBatch();

    Database &m_database;
    AnalyticsRange m_range;
    ExportFormat m_format;
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
    qint64 m_rows = 0;
    qint64 m_afterCreatedAt = 0;
    QString m_afterId;
};

} // namespace wadesk

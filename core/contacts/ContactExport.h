#pragma once

#include <QByteArray>
#include <QIODevice>
#include <QString>
#include <QStringList>

namespace wadesk {

class Database;

// GET /api/contacts/export: the organization's contacts as CSV or JSON, produced while it is
// read, like MessageExport: batches of kBatchRows in id order with a keyset condition, so memory
// holds one batch whatever the number of contacts. CSV has one column per attribute key any
// contact has (found by a first pass over the attributes, at most kMaxAttributeColumns, sorted),
// so that the file imports again as it is; JSON carries each contact's attributes object.
class ContactExport final : public QIODevice {
    Q_OBJECT
public:
    enum class Format { Csv, Json };
    static constexpr int kBatchRows = 500;
    static constexpr int kMaxAttributeColumns = 200;

    ContactExport(Database &database, QString organizationId, Format format, QObject *parent = nullptr);

    bool isSequential() const override { return true; }
    bool atEnd() const override;
    qint64 bytesAvailable() const override;

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    bool start();
    bool fetchBatch();

    Database &m_database;
    QString m_organizationId;
    Format m_format;
    QStringList m_attributeKeys;
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
    qint64 m_rows = 0;
    QString m_afterId;
};

} // namespace wadesk

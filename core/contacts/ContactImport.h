#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <functional>

namespace wadesk {

class Database;

// POST /api/contacts/import: a CSV file of contacts merged into the organization's contacts.
//
// The first record is the header. The phone column (phone, phone_number, number, mobile,
// whatsapp, or the one named by phone_column), the name column and the tags column (tags split
// on , ; |) are the contact's; every other column becomes an attribute under its header made a
// key ("Customer ID" -> customer_id). Numbers are made E.164 with libphonenumber and the default
// region. A number that is already a contact, or that came earlier in the file, is merged into
// it: tags unioned, non-empty attributes set, the name kept unless it was empty; the opt-out is
// never touched, so opted-out contacts stay opted out.
//
// Rows are read and written in batches of kBatchRows (memory holds the body, one batch and the
// set of numbers seen), all in one transaction with the one audit entry: an import is applied
// whole or not at all, so its report is always what happened and a failed import can simply
// be sent again.
class ContactImport {
public:
    static constexpr int kBatchRows = 500;
    static constexpr int kMaxErrors = 100;    // listed in the report; the rest are only counted
    static constexpr int kMaxColumns = 100;
    static constexpr int kPreviewRows = 10;
    static constexpr qint64 kMaxBodyBytes = 20 * 1024 * 1024;

    struct Options {
        QString phoneColumn; // header names; empty: found by the usual names
        QString nameColumn;
        QString tagsColumn;
        QString region;      // ISO 3166 code for numbers without +country; empty: they must carry it
        char delimiter = 0;  // 0: detected
        bool dryRun = false;
        QStringList ignoreColumns; // header names whose columns are read as nothing (the desktop's "Ignore")
        // Called after each batch with the bytes of the file read so far and its size; returning
        // false stops the import, which then changes nothing (422 import_cancelled).
        std::function<bool(qint64 done, qint64 total)> progress;
    };
    // What the import makes of each column when no column is named in the options: the phone,
    // name and tags columns found by their usual names, the export's own columns and unnamed
    // ones ignored, every other column an attribute. The desktop's mapping starts from this.
    enum class ColumnRole { Phone, Name, Tags, Attribute, Ignore };
    static QList<ColumnRole> guessRoles(const QStringList &headers);
    struct LineError {
        qint64 line = 0;
        QString code;
        QString message;
    };
    struct Report {
        qint64 rows = 0; // data records (blank lines are not counted)
        qint64 imported = 0;
        qint64 updated = 0;
        qint64 skipped = 0;
        QList<LineError> errors;
        bool errorsTruncated = false;
        char delimiter = ',';
        QJsonObject mapping; // {phone, name, tags, attributes: {header: key}, ignored: [...]}
        QJsonArray preview;  // dry runs: the first rows as mapped
        bool dryRun = false;
    };

    ContactImport(Database &database, const Clock &clock = Clock::system()) : m_database(database), m_clock(clock) {}

    Result<Report> run(const AuthContext &ctx, const QByteArray &csv, const Options &options);

private:
    Database &m_database;
    const Clock &m_clock;
};

} // namespace wadesk

#pragma once

#include "core/contacts/ContactImport.h"

#include <QDialog>
#include <QList>
#include <QPointer>
#include <QStringList>
#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableWidget;
class QThread;
class QTimer;

namespace wadesk {

class DesktopContext;
class ErrorLabel;

// Contacts → Import…: a CSV file of contacts into the organization, through the same
// ContactImport the API's POST /api/contacts/import runs (admins and managers).
//
// Choosing a file shows its first kPreviewRows rows under a row of column choices (phone number,
// name, tags, attribute or ignore), guessed from the header as the API guesses
// (ContactImport::guessRoles), with the delimiter found (or chosen) and the default region for
// numbers without +country. Import runs the service on a thread of its own with its own database
// connection, so a 100,000-row file leaves the window responsive: a progress bar follows the
// file and Cancel stops it (the import is one transaction, so a cancelled one changes nothing).
// The report says how many contacts were created, updated and skipped and lists the rows that
// were skipped with why; it can be copied or saved as CSV.
class ContactImportDialog final : public QDialog {
    Q_OBJECT
public:
    static constexpr int kPreviewRows = 20;
    static constexpr qint64 kPreviewBytes = 256 * 1024;
    // What the choice above each column of the preview holds.
    using ColumnRole = ContactImport::ColumnRole;

    explicit ContactImportDialog(DesktopContext &context, QWidget *parent = nullptr);
    ~ContactImportDialog() override; // cancels a running import and waits for it

    // Reads the file's head for the preview; false (with the reason shown) when it cannot.
    bool openFile(const QString &path);
    void chooseFile();
    QString filePath() const { return m_path; }
    QStringList headers() const { return m_headers; }

    QTableWidget *previewTable() const { return m_preview; } // row 0 holds the column choices
    QComboBox *roleChooser(int column) const;
    ColumnRole role(int column) const;
    void setRole(int column, ColumnRole role);
    QComboBox *delimiterChooser() const { return m_delimiter; }
    QLineEdit *regionEdit() const { return m_region; }
    QLabel *delimiterLabel() const { return m_delimiterFound; }
    QPushButton *importButton() const { return m_import; }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }
    QString errorText() const;

    // The options the mapping gives; empty (with the reason shown) when it is not complete.
    std::optional<ContactImport::Options> options();
    // Starts the import; false (with the reason shown) when it cannot start.
    bool startImport();
    bool running() const { return m_thread != nullptr; }
    void cancelImport();

    // After an import: the report, its summary line and its per-row errors.
    const std::optional<ContactImport::Report> &report() const { return m_report; }
    QLabel *summaryLabel() const { return m_summary; }
    QTableWidget *errorTable() const { return m_errors; }
    QPushButton *copyButton() const { return m_copy; }
    QPushButton *saveButton() const { return m_save; }
    // The report as text: the summary, then "line,code,message" rows (CSV).
    QString reportText() const;
    bool saveReport(const QString &path);

signals:
    // An import ended: `changed` when contacts were written.
    void importFinished(bool changed);

private:
    struct Job;
    void readPreview();
    void roleChanged(int column);
    void onImportDone();
    void showReport(const ContactImport::Report &report);
    void updateControls();

    DesktopContext &m_context;
    QString m_path;
    QByteArray m_head; // the first kPreviewBytes of the file
    QStringList m_headers;
    QList<ColumnRole> m_guessed;
    QComboBox *m_delimiter = nullptr;
    QLabel *m_fileLabel = nullptr;
    QLabel *m_delimiterFound = nullptr;
    QLineEdit *m_region = nullptr;
    QTableWidget *m_preview = nullptr;
    QTableWidget *m_errors = nullptr;
    QLabel *m_summary = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_choose = nullptr;
    QPushButton *m_import = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_copy = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_close = nullptr;
    ErrorLabel *m_error = nullptr;
    QTimer *m_poll = nullptr;
    QThread *m_thread = nullptr;
    std::shared_ptr<Job> m_job;
    std::optional<ContactImport::Report> m_report;
};

} // namespace wadesk

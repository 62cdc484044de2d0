#include "ui/contacts/ContactImportDialog.h"

#include "core/contacts/CsvReader.h"
#include "core/db/Database.h"
#include "core/messaging/ContactAttributes.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QTableWidget>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>
#include <atomic>

namespace wadesk {

// Shared by the dialog and the import's thread.
struct ContactImportDialog::Job {
    std::atomic<bool> cancel{false};
    std::atomic<int> permille{0};
    std::optional<Result<ContactImport::Report>> result; // set by the thread before it finishes
};

namespace {

QString delimiterName(char d)
{
    switch (d) {
    case ';':
        return ContactImportDialog::tr("semicolon");
    case '\t':
        return ContactImportDialog::tr("tab");
    default:
        return ContactImportDialog::tr("comma");
    }
}

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    return QLatin1Char('"') + QString(text).replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
}

// The territory of the system's locale as an ISO code (the usual region of the numbers typed
// here), or empty when the locale names none.
QString systemRegion()
{
    const QLocale locale = QLocale::system();
    if (locale.territory() == QLocale::AnyTerritory)
        return {};
    const QString code = QLocale::territoryToCode(locale.territory());
    return code.size() == 2 && code != QLatin1String("ZZ") ? code : QString();
}

} // namespace

ContactImportDialog::ContactImportDialog(DesktopContext &context, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
    , m_job(std::make_shared<Job>())
{
    setObjectName(QStringLiteral("contactImportDialog"));
    setWindowTitle(tr("Import Contacts"));
    auto *layout = new QVBoxLayout(this);
    auto *fileRow = new QHBoxLayout;
    m_choose = new QPushButton(tr("&Choose File…"), this);
    m_choose->setObjectName(QStringLiteral("importChooseFile"));
    m_fileLabel = new QLabel(tr("No file chosen. Choose a CSV file with a header row: a phone column, and name, tags "
                                "or any other columns (they become the contact's attributes)."),
                             this);
    m_fileLabel->setObjectName(QStringLiteral("importFileLabel"));
    m_fileLabel->setWordWrap(true);
    m_fileLabel->setTextFormat(Qt::PlainText);
    fileRow->addWidget(m_choose);
    fileRow->addWidget(m_fileLabel, 1);
    layout->addLayout(fileRow);
    auto *optionsRow = new QHBoxLayout;
    auto *delimiterLabel = new QLabel(tr("&Delimiter:"), this);
    m_delimiter = new QComboBox(this);
    m_delimiter->setObjectName(QStringLiteral("importDelimiter"));
    m_delimiter->setAccessibleName(tr("Delimiter"));
    m_delimiter->addItem(tr("Detect"), 0);
    m_delimiter->addItem(tr("Comma"), int(','));
    m_delimiter->addItem(tr("Semicolon"), int(';'));
    m_delimiter->addItem(tr("Tab"), int('\t'));
    delimiterLabel->setBuddy(m_delimiter);
    m_delimiterFound = new QLabel(this);
    m_delimiterFound->setObjectName(QStringLiteral("importDelimiterFound"));
    auto *regionLabel = new QLabel(tr("Default &region:"), this);
    m_region = new QLineEdit(systemRegion(), this);
    m_region->setObjectName(QStringLiteral("importRegion"));
    m_region->setAccessibleName(tr("Default region"));
    m_region->setMaxLength(2);
    m_region->setMaximumWidth(fontMetrics().horizontalAdvance(QStringLiteral("MMMM")));
    m_region->setToolTip(tr("The country (two letters, such as US or DE) of numbers written without +country code"));
    regionLabel->setBuddy(m_region);
    optionsRow->addWidget(delimiterLabel);
    optionsRow->addWidget(m_delimiter);
    optionsRow->addWidget(m_delimiterFound);
    optionsRow->addSpacing(16);
    optionsRow->addWidget(regionLabel);
    optionsRow->addWidget(m_region);
    optionsRow->addStretch(1);
    layout->addLayout(optionsRow);
    m_preview = new QTableWidget(this);
    m_preview->setObjectName(QStringLiteral("importPreview"));
    m_preview->setAccessibleName(tr("The file's first rows and what each column becomes"));
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setSelectionMode(QAbstractItemView::NoSelection);
    layout->addWidget(m_preview, 2);
    auto *runRow = new QHBoxLayout;
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("importProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_import = new QPushButton(tr("&Import"), this);
    m_import->setObjectName(QStringLiteral("importStart"));
    m_cancel = new QPushButton(tr("Ca&ncel Import"), this);
    m_cancel->setObjectName(QStringLiteral("importCancel"));
    runRow->addWidget(m_progress, 1);
    runRow->addWidget(m_import);
    runRow->addWidget(m_cancel);
    layout->addLayout(runRow);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("importSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    m_errors = new QTableWidget(0, 3, this);
    m_errors->setObjectName(QStringLiteral("importErrors"));
    m_errors->setAccessibleName(tr("Rows that were skipped"));
    m_errors->setHorizontalHeaderLabels({tr("Line"), tr("Code"), tr("Why")});
    m_errors->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_errors->verticalHeader()->hide();
    m_errors->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_errors, 1);
    m_error = new ErrorLabel(QStringLiteral("importError"), tr("Import error"), this);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(this);
    m_copy = buttons->addButton(tr("C&opy Report"), QDialogButtonBox::ActionRole);
    m_copy->setObjectName(QStringLiteral("importCopyReport"));
    m_save = buttons->addButton(tr("&Save Report…"), QDialogButtonBox::ActionRole);
    m_save->setObjectName(QStringLiteral("importSaveReport"));
    m_close = buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);

    m_poll = new QTimer(this);
    m_poll->setInterval(100);
    connect(m_poll, &QTimer::timeout, this, [this]() { m_progress->setValue(m_job->permille.load()); });
    connect(m_choose, &QPushButton::clicked, this, &ContactImportDialog::chooseFile);
    connect(m_delimiter, &QComboBox::currentIndexChanged, this, &ContactImportDialog::readPreview);
    connect(m_import, &QPushButton::clicked, this, &ContactImportDialog::startImport);
    connect(m_cancel, &QPushButton::clicked, this, &ContactImportDialog::cancelImport);
    connect(m_copy, &QPushButton::clicked, this, [this]() { QApplication::clipboard()->setText(reportText()); });
    connect(m_save, &QPushButton::clicked, this, [this]() {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save Import Report"), QStringLiteral("import-report.csv"),
                                                          tr("CSV files (*.csv)"));
        if (!path.isEmpty() && !saveReport(path))
            m_error->showError(tr("The report could not be written to %1.").arg(QDir::toNativeSeparators(path)));
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateControls();
    resize(900, 640);
}

ContactImportDialog::~ContactImportDialog()
{
    if (m_thread) {
        m_job->cancel = true;
        m_thread->wait();
        delete m_thread;
    }
}

QString ContactImportDialog::errorText() const
{
    return m_error->text();
}

void ContactImportDialog::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import Contacts"), QString(), tr("CSV files (*.csv *.txt *.tsv);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

bool ContactImportDialog::openFile(const QString &path)
{
    if (running())
        return false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_error->showError(tr("%1 cannot be read: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        return false;
    }
    m_path = path;
    m_head = file.read(kPreviewBytes);
    const QFileInfo info(path);
    m_fileLabel->setText(tr("%1 (%2 KB)").arg(QDir::toNativeSeparators(info.absoluteFilePath())).arg((info.size() + 1023) / 1024));
    m_report.reset();
    m_errors->setRowCount(0);
    m_summary->clear();
    m_progress->setValue(0);
    m_error->showError(QString());
    readPreview();
    return !m_headers.isEmpty();
}

void ContactImportDialog::readPreview()
{
    m_preview->clear();
    m_preview->setRowCount(0);
    m_preview->setColumnCount(0);
    m_headers.clear();
    m_guessed.clear();
    if (m_path.isEmpty()) {
        updateControls();
        return;
    }
    const QByteArrayView text = CsvReader::withoutBom(m_head);
    const char chosen = char(m_delimiter->currentData().toInt());
    const char delimiter = chosen ? chosen : CsvReader::detectDelimiter(text);
    m_delimiterFound->setText(chosen ? QString() : tr("(found: %1)").arg(delimiterName(delimiter)));
    CsvReader reader(text, delimiter);
    QList<QByteArray> fields;
    qint64 line = 0;
    if (text.trimmed().isEmpty() || reader.next(&fields, &line) != CsvReader::Status::Record) {
        m_error->showError(tr("The file is empty or its first row is not CSV: it needs a header row."));
        updateControls();
        return;
    }
    for (const QByteArray &f : std::as_const(fields))
        m_headers << QString::fromUtf8(f).trimmed();
    m_guessed = ContactImport::guessRoles(m_headers);
    QList<QList<QByteArray>> rows;
    while (rows.size() < kPreviewRows) {
        const CsvReader::Status read = reader.next(&fields, &line);
        if (read != CsvReader::Status::Record)
            break; // the end, or a record cut off by the end of the head
        if (fields.size() == 1 && fields.at(0).trimmed().isEmpty())
            continue;
        rows << fields;
    }
    m_preview->setColumnCount(int(m_headers.size()));
    m_preview->setRowCount(int(rows.size()) + 1);
    m_preview->setHorizontalHeaderLabels(m_headers);
    QStringList lines{tr("Import as")};
    for (int r = 1; r <= rows.size(); ++r)
        lines << QString::number(r);
    m_preview->setVerticalHeaderLabels(lines);
    for (int c = 0; c < m_headers.size(); ++c) {
        auto *combo = new QComboBox(m_preview);
        combo->setObjectName(QStringLiteral("importRole%1").arg(c));
        combo->setAccessibleName(tr("Import column %1 as").arg(m_headers.at(c)));
        combo->addItem(tr("Phone number"), int(ColumnRole::Phone));
        combo->addItem(tr("Name"), int(ColumnRole::Name));
        combo->addItem(tr("Tags"), int(ColumnRole::Tags));
        const QString key = ContactAttributes::keyFromHeader(m_headers.at(c));
        // The service takes a column of a usual name or tags header (full_name, labels) as the
        // name or the tags unless another is named: such a column is that or nothing.
        const bool usualNameOrTags = m_guessed.at(c) == ColumnRole::Name || m_guessed.at(c) == ColumnRole::Tags;
        if (!key.isEmpty() && !ContactAttributes::reservedKey(key) && !usualNameOrTags)
            combo->addItem(tr("Attribute \"%1\"").arg(key), int(ColumnRole::Attribute));
        combo->addItem(tr("Ignore"), int(ColumnRole::Ignore));
        combo->setCurrentIndex(combo->findData(int(m_guessed.at(c))));
        connect(combo, &QComboBox::currentIndexChanged, this, [this, c]() { roleChanged(c); });
        m_preview->setCellWidget(0, c, combo);
        for (int r = 0; r < rows.size(); ++r) {
            auto *item = new QTableWidgetItem(QString::fromUtf8(rows.at(r).value(c)).trimmed());
            m_preview->setItem(r + 1, c, item);
        }
    }
    m_preview->resizeColumnsToContents();
    m_error->showError(QString());
    updateControls();
}

QComboBox *ContactImportDialog::roleChooser(int column) const
{
    return column >= 0 && column < m_preview->columnCount() ? qobject_cast<QComboBox *>(m_preview->cellWidget(0, column)) : nullptr;
}

ContactImportDialog::ColumnRole ContactImportDialog::role(int column) const
{
    const QComboBox *combo = roleChooser(column);
    return combo ? ColumnRole(combo->currentData().toInt()) : ColumnRole::Ignore;
}

void ContactImportDialog::setRole(int column, ColumnRole role)
{
    if (QComboBox *combo = roleChooser(column)) {
        const int at = combo->findData(int(role));
        if (at >= 0)
            combo->setCurrentIndex(at);
    }
}

void ContactImportDialog::roleChanged(int column)
{
    // Phone, name and tags are one column each: the one chosen last keeps the role, another
    // that had it goes back to what it would be otherwise.
    const ColumnRole chosen = role(column);
    if (chosen != ColumnRole::Phone && chosen != ColumnRole::Name && chosen != ColumnRole::Tags)
        return;
    for (int c = 0; c < m_headers.size(); ++c) {
        if (c != column && role(c) == chosen) {
            QComboBox *combo = roleChooser(c);
            const QSignalBlocker quiet(combo);
            const int attribute = combo->findData(int(ColumnRole::Attribute));
            combo->setCurrentIndex(attribute >= 0 ? attribute : combo->findData(int(ColumnRole::Ignore)));
        }
    }
    updateControls();
}

std::optional<ContactImport::Options> ContactImportDialog::options()
{
    ContactImport::Options o;
    int phones = 0;
    for (int c = 0; c < m_headers.size(); ++c) {
        switch (role(c)) {
        case ColumnRole::Phone:
            o.phoneColumn = m_headers.at(c);
            ++phones;
            break;
        case ColumnRole::Name:
            o.nameColumn = m_headers.at(c);
            break;
        case ColumnRole::Tags:
            o.tagsColumn = m_headers.at(c);
            break;
        case ColumnRole::Ignore:
            o.ignoreColumns << m_headers.at(c);
            break;
        case ColumnRole::Attribute:
            break;
        }
    }
    if (phones != 1) {
        m_error->showError(tr("Choose the column that holds the phone numbers (\"Phone number\" above it)."));
        return std::nullopt;
    }
    const QString region = m_region->text().trimmed().toUpper();
    if (!region.isEmpty() && (region.size() != 2 || !region.at(0).isLetter() || !region.at(1).isLetter())) {
        m_error->showError(tr("The default region is a country's two letters, such as US or DE (or empty when every number has its +country code)."));
        return std::nullopt;
    }
    o.region = region;
    o.delimiter = char(m_delimiter->currentData().toInt());
    return o;
}

bool ContactImportDialog::startImport()
{
    if (running() || m_path.isEmpty() || m_headers.isEmpty())
        return false;
    std::optional<ContactImport::Options> chosen = options();
    if (!chosen)
        return false;
    m_error->showError(QString());
    m_report.reset();
    m_errors->setRowCount(0);
    m_summary->setText(tr("Importing…"));
    m_job = std::make_shared<Job>();
    std::shared_ptr<Job> job = m_job;
    Database *database = m_context.services().shared().database;
    const Clock *clock = m_context.services().shared().clock;
    const AuthContext actor = m_context.actor();
    const QString path = m_path;
    ContactImport::Options options = *chosen;
    m_thread = QThread::create([job, database, clock, actor, path, options]() mutable {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            job->result = Result<ContactImport::Report>(DomainError::badRequest(file.errorString(), QStringLiteral("unreadable_file")));
            return;
        }
        // One byte more than the service takes: a larger file is refused by it, with its message.
        const QByteArray csv = file.read(ContactImport::kMaxBodyBytes + 1);
        options.progress = [job](qint64 done, qint64 total) {
            job->permille = total > 0 ? int(done * 1000 / total) : 0;
            return !job->cancel.load();
        };
        ContactImport importer(*database, *clock);
        job->result = importer.run(actor, csv, options);
        database->closeThreadConnection();
    });
    m_thread->setObjectName(QStringLiteral("contact-import"));
    connect(m_thread, &QThread::finished, this, &ContactImportDialog::onImportDone);
    m_progress->setValue(0);
    m_poll->start();
    m_thread->start(QThread::LowPriority);
    updateControls();
    return true;
}

void ContactImportDialog::cancelImport()
{
    if (m_thread)
        m_job->cancel = true;
}

void ContactImportDialog::onImportDone()
{
    m_poll->stop();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    const std::optional<Result<ContactImport::Report>> result = m_job->result;
    bool changed = false;
    if (!result) {
        m_summary->clear();
        m_error->showError(tr("The import stopped without a report."));
    } else if (!result->ok()) {
        m_summary->clear();
        m_progress->setValue(0);
        m_error->showError(result->error().code == QLatin1String("import_cancelled") ? tr("Cancelled: no contact was changed.")
                                                                                     : errorMessageFor(result->error()));
    } else {
        m_progress->setValue(1000);
        showReport(result->value());
        changed = result->value().imported + result->value().updated > 0;
    }
    updateControls();
    emit importFinished(changed);
}

void ContactImportDialog::showReport(const ContactImport::Report &report)
{
    m_report = report;
    QString summary = tr("%n row(s) read: ", nullptr, int(report.rows))
                      + tr("%1 contact(s) created, %2 updated, %3 skipped.").arg(report.imported).arg(report.updated).arg(report.skipped);
    if (report.errorsTruncated)
        summary += QLatin1Char(' ') + tr("Only the first %1 skipped rows are listed.").arg(ContactImport::kMaxErrors);
    m_summary->setText(summary);
    m_errors->setRowCount(int(report.errors.size()));
    for (int i = 0; i < report.errors.size(); ++i) {
        const ContactImport::LineError &e = report.errors.at(i);
        m_errors->setItem(i, 0, new QTableWidgetItem(QString::number(e.line)));
        m_errors->setItem(i, 1, new QTableWidgetItem(e.code));
        m_errors->setItem(i, 2, new QTableWidgetItem(e.message));
    }
    m_errors->resizeColumnToContents(0);
    m_errors->resizeColumnToContents(1);
}

QString ContactImportDialog::reportText() const
{
    if (!m_report)
        return {};
    QString text = QStringLiteral("# ") + m_summary->text() + QLatin1Char('\n');
    text += QStringLiteral("line,code,message\n");
    for (const ContactImport::LineError &e : m_report->errors)
        text += QStringLiteral("%1,%2,%3\n").arg(e.line).arg(csvField(e.code), csvField(e.message));
    return text;
}

bool ContactImportDialog::saveReport(const QString &path)
{
    if (!m_report)
        return false;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(reportText().toUtf8());
    return file.commit();
}

void ContactImportDialog::updateControls()
{
    const bool busy = running();
    m_choose->setEnabled(!busy);
    m_delimiter->setEnabled(!busy);
    m_region->setEnabled(!busy);
    m_preview->setEnabled(!busy);
    m_import->setEnabled(!busy && !m_headers.isEmpty());
    m_cancel->setVisible(busy);
    m_progress->setVisible(busy || m_report.has_value());
    m_errors->setVisible(m_report.has_value() && !m_report->errors.isEmpty());
    m_copy->setEnabled(m_report.has_value());
    m_save->setEnabled(m_report.has_value());
    m_close->setEnabled(!busy);
}

} // namespace wadesk

#pragma once

#include "core/common/DomainError.h"

#include <QDate>
#include <QDialog>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeView;

namespace wadesk {

class AuditFilterModel;
class AuditLogModel;
class DesktopContext;
class ErrorLabel;

// The organization's audit log for admins (can_view_audit_logs, as GET /api/audit-logs): the
// entries newest first, filtered by member, action, resource and a date range; the selected
// entry's details; "Verify Chain" (the organization's hash chain checked through AuditService,
// with where it breaks); and Export CSV… of the entries shown.
class AuditLogDialog final : public QDialog {
    Q_OBJECT
public:
    explicit AuditLogDialog(DesktopContext &context, QWidget *parent = nullptr);

    AuditLogModel *logModel() const { return m_model; }
    AuditFilterModel *filterModel() const { return m_filter; }
    QTreeView *logView() const { return m_view; }
    QComboBox *memberCombo() const { return m_member; }
    QComboBox *actionCombo() const { return m_action; }
    QComboBox *resourceCombo() const { return m_resource; }
    QPushButton *verifyButton() const { return m_verify; }
    QPushButton *exportButton() const { return m_export; }
    QPlainTextEdit *detailsView() const { return m_details; }
    QString errorText() const;
    QString verifyText() const;

    // Chooses a filter by its value (user id or AuditFilterModel::kSystem, action, resource; ""
    // for all); false when the list has no such choice.
    bool setMemberFilter(const QString &userId);
    bool setActionFilter(const QString &action);
    bool setResourceFilter(const QString &resource);
    // Reads the entries of these days (local time, both included); a null date leaves that end open.
    void setDateRange(const QDate &from, const QDate &to);
    void selectEntry(const QString &entryId);
    void refresh();

    // Checks the chain and shows the outcome; returns whether it is intact (an error: false).
    bool verifyChain();
    // Writes the entries shown (after the filters) to `path` as CSV; returns how many.
    Result<int> exportCsv(const QString &path);

private:
    void onCurrentChanged();
    void onDatesChanged();
    void fillChoices();
    void applyFilters();
    void onExport();
    void updateControls();

    DesktopContext &m_context;
    AuditLogModel *m_model = nullptr;
    AuditFilterModel *m_filter = nullptr;
    QTreeView *m_view = nullptr;
    QComboBox *m_member = nullptr;
    QComboBox *m_action = nullptr;
    QComboBox *m_resource = nullptr;
    QCheckBox *m_fromOn = nullptr;
    QDateEdit *m_from = nullptr;
    QCheckBox *m_toOn = nullptr;
    QDateEdit *m_to = nullptr;
    QPushButton *m_verify = nullptr;
    QPushButton *m_export = nullptr;
    QLabel *m_verifyResult = nullptr;
    QLabel *m_count = nullptr;
    QPlainTextEdit *m_details = nullptr;
    ErrorLabel *m_error = nullptr;
    bool m_filling = false;
};

} // namespace wadesk

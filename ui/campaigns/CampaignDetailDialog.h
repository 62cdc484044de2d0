#pragma once

#include <QDialog>
#include <QHash>

class QComboBox;
class QLabel;
class QPushButton;
class QTreeView;

namespace wadesk {

class CampaignRecipientModel;
class CampaignTasks;
class DesktopContext;
class ErrorLabel;

// One campaign: its counts (total, queued, sent, delivered, read, replied, failed, skipped),
// its recipients a page at a time, filtered by status, and the export (CSV or JSON, the same
// bytes as the API's export) written on CampaignTasks' thread to a file picked with a save dialog.
class CampaignDetailDialog final : public QDialog {
    Q_OBJECT
public:
    CampaignDetailDialog(DesktopContext &context, CampaignTasks &tasks, const QString &campaignId, QWidget *parent = nullptr);

    QString campaignId() const { return m_campaignId; }
    CampaignRecipientModel *recipientModel() const { return m_model; }
    QTreeView *recipientView() const { return m_view; }
    QComboBox *statusFilter() const { return m_filter; }
    QPushButton *exportCsvButton() const { return m_exportCsv; }
    QPushButton *exportJsonButton() const { return m_exportJson; }
    // The figure shown for a count ("total", "queued", "sent", ...).
    QString countText(const QString &key) const;
    QString errorText() const;

    // Reads the counts again (the recipients stay as they are).
    bool refreshCounts();
    // Writes the export to `path` off the GUI thread; exported() tells when it is done.
    void exportTo(const QString &path, bool json);

signals:
    void exported(const QString &path, const QString &error);

private:
    void askAndExport(bool json);

    DesktopContext &m_context;
    CampaignTasks &m_tasks;
    QString m_campaignId;
    CampaignRecipientModel *m_model = nullptr;
    QTreeView *m_view = nullptr;
    QComboBox *m_filter = nullptr;
    QPushButton *m_exportCsv = nullptr;
    QPushButton *m_exportJson = nullptr;
    QLabel *m_title = nullptr;
    QHash<QString, QLabel *> m_counts;
    ErrorLabel *m_error = nullptr;
};

} // namespace wadesk

#pragma once

#include <QDialog>
#include <QPointer>

class QLabel;
class QPushButton;
class QTabWidget;
class QTreeView;

namespace wadesk {

class AutoReplyRuleDialog;
class AutoReplyRuleListModel;
class DesktopContext;
class ErrorLabel;
class QuickReplyEditDialog;
class QuickReplyListModel;
class TemplateEditDialog;
class TemplateListModel;

// Templates, quick replies and auto-reply rules (issue 13): one tab each with the list and
// Add…, Edit… and Delete. Admins and managers (can_manage_clients, as the API requires) see
// and manage all three; agents see the quick replies they may use, read-only; the rest see
// nothing here (the window does not offer the screen). Every change goes through the services
// with the signed-in actor: the API's validation, tenant scoping and audit apply.
class AutomationDialog final : public QDialog {
    Q_OBJECT
public:
    enum Tab { TemplatesTab, QuickRepliesTab, AutoRepliesTab };
    explicit AutomationDialog(DesktopContext &context, QWidget *parent = nullptr);

    QTabWidget *tabs() const { return m_tabs; }
    TemplateListModel *templateModel() const { return m_templates; }
    QuickReplyListModel *quickReplyModel() const { return m_quickReplies; }
    AutoReplyRuleListModel *ruleModel() const { return m_rules; }
    QTreeView *view(Tab tab) const;
    QPushButton *addButton(Tab tab) const;
    QPushButton *editButton(Tab tab) const;
    QPushButton *deleteButton(Tab tab) const;
    QString errorText() const;
    bool mayManage() const;

    // Re-reads the three lists.
    void reload();
    // The editor for a new item or the selected one (null when the role may not, or nothing is selected).
    QDialog *openEditor(Tab tab, bool existing);
    QDialog *editor() const { return m_editor; } // while open
    // Deletes the selected item of `tab` (the question is asked unless `confirm` is false).
    bool deleteSelected(Tab tab, bool confirm = true);
    void select(Tab tab, const QString &id);
    QString currentId(Tab tab) const;

private:
    struct Page {
        QTreeView *view = nullptr;
        QPushButton *add = nullptr;
        QPushButton *edit = nullptr;
        QPushButton *remove = nullptr;
        QLabel *empty = nullptr;
    };
    Page buildPage(Tab tab, const QString &objectPrefix, const QString &emptyText);
    void updateControls();

    DesktopContext &m_context;
    QTabWidget *m_tabs = nullptr;
    TemplateListModel *m_templates = nullptr;
    QuickReplyListModel *m_quickReplies = nullptr;
    AutoReplyRuleListModel *m_rules = nullptr;
    Page m_pages[3];
    ErrorLabel *m_error = nullptr;
    QPointer<QDialog> m_editor;
};

} // namespace wadesk

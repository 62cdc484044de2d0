#include "ui/automation/AutomationDialog.h"

#include "core/autoreplies/AutoReplyService.h"
#include "core/sessions/ClientService.h"
#include "core/templates/TemplateService.h"
#include "ui/automation/AutoReplyRuleDialog.h"
#include "ui/automation/AutomationModels.h"
#include "ui/automation/QuickReplyEditDialog.h"
#include "ui/automation/TemplateEditDialog.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/common/RowListView.h"
#include "ui/desktop/DesktopContext.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

namespace wadesk {

namespace {
constexpr int kMaxTemplatesListed = 500;
}

AutomationDialog::AutomationDialog(DesktopContext &context, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("automationDialog"));
    setWindowTitle(tr("Templates and Replies"));
    m_templates = new TemplateListModel(this);
    m_quickReplies = new QuickReplyListModel(this);
    m_rules = new AutoReplyRuleListModel(this);
    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("automationTabs"));
    layout->addWidget(m_tabs, 1);
    m_pages[TemplatesTab] = buildPage(TemplatesTab, QStringLiteral("template"),
                                      tr("No templates yet. A template is a message with variables such as {{name}}, "
                                         "filled in for each contact of a campaign. Add one with Add…."));
    m_pages[QuickRepliesTab] = buildPage(QuickRepliesTab, QStringLiteral("quickReply"),
                                         tr("No quick replies yet. A quick reply is a saved text: type / and its shortcut "
                                            "in the composer to insert it."));
    m_pages[AutoRepliesTab] = buildPage(AutoRepliesTab, QStringLiteral("rule"),
                                        tr("No auto-reply rules yet. A rule answers a keyword, messages outside business hours "
                                           "or a first-time contact by itself."));
    m_tabs->addTab(m_pages[TemplatesTab].view->parentWidget(), tr("&Templates"));
    m_tabs->addTab(m_pages[QuickRepliesTab].view->parentWidget(), tr("&Quick Replies"));
    m_tabs->addTab(m_pages[AutoRepliesTab].view->parentWidget(), tr("&Auto-replies"));
    m_error = new ErrorLabel(QStringLiteral("automationError"), tr("Templates and replies error"), this);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    const bool manage = mayManage();
    // Agents use quick replies but manage nothing here: only that tab, read-only.
    m_tabs->setTabVisible(TemplatesTab, manage);
    m_tabs->setTabVisible(AutoRepliesTab, manage);
    m_tabs->setCurrentIndex(manage ? TemplatesTab : QuickRepliesTab);
    reload();
    resize(820, 520);
}

AutomationDialog::Page AutomationDialog::buildPage(Tab tab, const QString &objectPrefix, const QString &emptyText)
{
    Page page;
    auto *widget = new QWidget(this);
    auto *layout = new QVBoxLayout(widget);
    auto *row = new QHBoxLayout;
    page.add = new QPushButton(tr("&Add…"), widget);
    page.add->setObjectName(objectPrefix + QStringLiteral("AddButton"));
    page.edit = new QPushButton(tr("&Edit…"), widget);
    page.edit->setObjectName(objectPrefix + QStringLiteral("EditButton"));
    page.remove = new QPushButton(tr("&Delete"), widget);
    page.remove->setObjectName(objectPrefix + QStringLiteral("DeleteButton"));
    row->addWidget(page.add);
    row->addWidget(page.edit);
    row->addWidget(page.remove);
    row->addStretch(1);
    layout->addLayout(row);
    page.view = new QTreeView(widget);
    page.view->setObjectName(objectPrefix + QStringLiteral("List"));
    page.view->setAccessibleName(tab == TemplatesTab ? tr("Templates") : tab == QuickRepliesTab ? tr("Quick replies") : tr("Auto-reply rules"));
    QAbstractItemModel *model = tab == TemplatesTab ? static_cast<QAbstractItemModel *>(m_templates)
                                : tab == QuickRepliesTab ? static_cast<QAbstractItemModel *>(m_quickReplies)
                                                         : static_cast<QAbstractItemModel *>(m_rules);
    page.view->setModel(model);
    configureRowList(page.view, tab == AutoRepliesTab ? int(AutoReplyRuleListModel::TriggerColumn) : 1); // the text takes the room
    layout->addWidget(page.view, 1);
    page.empty = new QLabel(emptyText, widget);
    page.empty->setObjectName(objectPrefix + QStringLiteral("EmptyHint"));
    page.empty->setWordWrap(true);
    page.empty->setTextFormat(Qt::PlainText);
    layout->addWidget(page.empty);
    connect(page.add, &QPushButton::clicked, this, [this, tab]() { openEditor(tab, false); });
    connect(page.edit, &QPushButton::clicked, this, [this, tab]() { openEditor(tab, true); });
    connect(page.remove, &QPushButton::clicked, this, [this, tab]() { deleteSelected(tab); });
    connect(page.view, &QTreeView::activated, this, [this, tab]() {
        if (mayManage())
            openEditor(tab, true);
    });
    connect(page.view->selectionModel(), &QItemSelectionModel::currentChanged, this, &AutomationDialog::updateControls);
    return page;
}

QTreeView *AutomationDialog::view(Tab tab) const { return m_pages[tab].view; }
QPushButton *AutomationDialog::addButton(Tab tab) const { return m_pages[tab].add; }
QPushButton *AutomationDialog::editButton(Tab tab) const { return m_pages[tab].edit; }
QPushButton *AutomationDialog::deleteButton(Tab tab) const { return m_pages[tab].remove; }

QString AutomationDialog::errorText() const
{
    return m_error->text();
}

bool AutomationDialog::mayManage() const
{
    return m_context.signedIn() && m_context.actor().can(Permission::ManageClients);
}

void AutomationDialog::reload()
{
    QStringList errors;
    const AuthContext &actor = m_context.actor();
    if (mayManage()) {
        const Result<TemplateService::Page> templates = m_context.services().templates().list(actor, kMaxTemplatesListed, 0);
        if (templates)
            m_templates->setRecords(templates.value().templates);
        else
            errors << errorMessageFor(templates.error());
        const Result<AutoReplyService::Page> rules = m_context.services().autoReplies().list(actor, AutoReplyService::kMaxRulesPerOrganization, 0);
        if (rules)
            m_rules->setRecords(rules.value().rules);
        else
            errors << errorMessageFor(rules.error());
        QHash<QString, QString> names;
        const Result<ClientService::Page> clients = m_context.clients().list(actor, 500, 0);
        if (clients) {
            for (const ClientRecord &c : clients.value().clients)
                names.insert(c.id, c.name);
        }
        m_rules->setClientNames(names);
    } else {
        m_templates->setRecords({});
        m_rules->setRecords({});
    }
    const Result<QList<QuickReplyRecord>> quickReplies = m_context.services().templates().quickReplies(actor);
    if (quickReplies)
        m_quickReplies->setRecords(quickReplies.value());
    else
        errors << errorMessageFor(quickReplies.error());
    m_error->showError(errors.join(QLatin1Char('\n')));
    for (Page &page : m_pages) {
        if (page.view->model()->rowCount() > 0 && !page.view->currentIndex().isValid())
            page.view->setCurrentIndex(page.view->model()->index(0, 0));
    }
    updateControls();
}

QString AutomationDialog::currentId(Tab tab) const
{
    const QModelIndex at = m_pages[tab].view->currentIndex();
    return at.isValid() ? at.siblingAtColumn(0).data(TemplateListModel::IdRole).toString() : QString();
}

void AutomationDialog::select(Tab tab, const QString &id)
{
    const int row = tab == TemplatesTab ? m_templates->rowOf(id) : tab == QuickRepliesTab ? m_quickReplies->rowOf(id) : m_rules->rowOf(id);
    if (row >= 0)
        m_pages[tab].view->setCurrentIndex(m_pages[tab].view->model()->index(row, 0));
}

void AutomationDialog::updateControls()
{
    const bool manage = mayManage();
    for (int tab = 0; tab < 3; ++tab) {
        Page &page = m_pages[tab];
        const bool selected = !currentId(Tab(tab)).isEmpty();
        page.add->setVisible(manage);
        page.edit->setVisible(manage);
        page.remove->setVisible(manage);
        page.edit->setEnabled(manage && selected);
        page.remove->setEnabled(manage && selected);
        page.empty->setVisible(page.view->model()->rowCount() == 0);
    }
}

QDialog *AutomationDialog::openEditor(Tab tab, bool existing)
{
    if (!mayManage())
        return nullptr;
    const int row = m_pages[tab].view->currentIndex().row();
    QDialog *dialog = nullptr;
    switch (tab) {
    case TemplatesTab: {
        const TemplateRecord *record = existing ? m_templates->record(row) : nullptr;
        if (existing && !record)
            break;
        auto *d = new TemplateEditDialog(m_context, record, this);
        connect(d, &QDialog::accepted, this, [this, d]() { reload(); select(TemplatesTab, d->savedTemplate().id); });
        dialog = d;
        break;
    }
    case QuickRepliesTab: {
        const QuickReplyRecord *record = existing ? m_quickReplies->record(row) : nullptr;
        if (existing && !record)
            break;
        auto *d = new QuickReplyEditDialog(m_context, record, this);
        connect(d, &QDialog::accepted, this, [this, d]() { reload(); select(QuickRepliesTab, d->savedQuickReply().id); });
        dialog = d;
        break;
    }
    case AutoRepliesTab: {
        const AutoReplyRule *record = existing ? m_rules->record(row) : nullptr;
        if (existing && !record)
            break;
        auto *d = new AutoReplyRuleDialog(m_context, record, this);
        connect(d, &QDialog::accepted, this, [this, d]() { reload(); select(AutoRepliesTab, d->savedRule().id); });
        dialog = d;
        break;
    }
    }
    if (!dialog)
        return nullptr;
    if (m_editor)
        m_editor->close();
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_editor = dialog;
    dialog->open();
    return dialog;
}

bool AutomationDialog::deleteSelected(Tab tab, bool confirm)
{
    if (!mayManage())
        return false;
    const QString id = currentId(tab);
    if (id.isEmpty())
        return false;
    const QString name = m_pages[tab].view->currentIndex().siblingAtColumn(0).data().toString();
    if (confirm
        && QMessageBox::question(this, tr("Delete"), tr("Delete \"%1\"? This cannot be undone.").arg(name), QMessageBox::Yes | QMessageBox::No,
                                 QMessageBox::No)
               != QMessageBox::Yes)
        return false;
    const AuthContext &actor = m_context.actor();
    Status done;
    if (tab == TemplatesTab)
        done = m_context.services().templates().remove(actor, id);
    else if (tab == QuickRepliesTab)
        done = m_context.services().templates().removeQuickReply(actor, id);
    else
        done = m_context.services().autoReplies().remove(actor, id);
    if (!done) {
        m_error->showError(errorMessageFor(done.error()));
        return false;
    }
    reload();
    return true;
}

} // namespace wadesk

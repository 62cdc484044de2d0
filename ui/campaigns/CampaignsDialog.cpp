#include "ui/campaigns/CampaignsDialog.h"

#include "core/campaigns/CampaignService.h"
#include "core/events/Event.h"
#include "core/events/EventBus.h"
#include "ui/campaigns/CampaignDetailDialog.h"
#include "ui/campaigns/CampaignTasks.h"
#include "ui/campaigns/CampaignWizard.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/CampaignListModel.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace wadesk {

namespace {

// The Progress column as a bar: sent of total, with the model's text on it.
class ProgressDelegate final : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        const qint64 total = index.data(CampaignListModel::TotalRole).toLongLong();
        if (total <= 0) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(2, 2, -2, -2);
        bar.state = option.state | QStyle::State_Horizontal;
        bar.minimum = 0;
        bar.maximum = 1000;
        bar.progress = int(1000 * index.data(CampaignListModel::SentRole).toLongLong() / total);
        bar.text = index.data().toString();
        bar.textVisible = true;
        bar.palette = option.palette;
        const QWidget *widget = option.widget;
        QStyle *style = widget ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
    }
};

} // namespace

CampaignsDialog::CampaignsDialog(DesktopContext &context, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("campaignsDialog"));
    setWindowTitle(tr("Campaigns"));
    resize(900, 520);
    m_model = new CampaignListModel(context, this);
    m_tasks = new CampaignTasks(context, this);
    auto *layout = new QVBoxLayout(this);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("campaignView"));
    m_view->setAccessibleName(tr("Campaigns"));
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setModel(m_model);
    m_view->setItemDelegateForColumn(CampaignListModel::ProgressColumn, new ProgressDelegate(m_view));
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(CampaignListModel::NameColumn, QHeaderView::Stretch);
    m_view->setColumnWidth(CampaignListModel::ProgressColumn, 200);
    m_view->header()->setSectionResizeMode(CampaignListModel::StartedColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(CampaignListModel::FinishedColumn, QHeaderView::ResizeToContents);
    layout->addWidget(m_view);
    m_empty = new QLabel(this);
    m_empty->setObjectName(QStringLiteral("campaignsEmpty"));
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_empty);
    m_busy = new QLabel(tr("Starting…"), this);
    m_busy->setObjectName(QStringLiteral("campaignsBusy"));
    m_busy->setVisible(false);
    layout->addWidget(m_busy);
    m_error = new ErrorLabel(QStringLiteral("campaignsError"), tr("Campaign error"), this);
    layout->addWidget(m_error);

    auto *buttons = new QHBoxLayout;
    auto button = [&](const QString &text, const QString &name, std::function<void()> slot) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setAutoDefault(false);
        connect(b, &QPushButton::clicked, this, slot);
        buttons->addWidget(b);
        return b;
    };
    m_new = button(tr("&New Campaign…"), QStringLiteral("newCampaign"), [this]() { openWizard(); });
    m_start = button(tr("&Start"), QStringLiteral("startCampaign"), [this]() { startCurrent(); });
    m_pause = button(tr("&Pause"), QStringLiteral("pauseCampaign"), [this]() { pauseCurrent(); });
    m_resume = button(tr("&Resume"), QStringLiteral("resumeCampaign"), [this]() { resumeCurrent(); });
    m_cancel = button(tr("&Cancel Campaign…"), QStringLiteral("cancelCampaign"), [this]() { cancelCurrent(); });
    buttons->addStretch();
    m_details = new QPushButton(tr("&Details…"), this);
    m_details->setObjectName(QStringLiteral("campaignDetails"));
    m_details->setAutoDefault(false);
    connect(m_details, &QPushButton::clicked, this, [this]() { openDetails(); });
    buttons->addWidget(m_details);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    buttons->addWidget(close);
    layout->addLayout(buttons);

    m_refresh = new QTimer(this);
    m_refresh->setInterval(kRefreshMs);
    connect(m_refresh, &QTimer::timeout, this, &CampaignsDialog::reload);
    connect(m_view, &QTreeView::doubleClicked, this, [this]() { openDetails(); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &CampaignsDialog::updateControls);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &CampaignsDialog::updateControls);
    connect(m_model, &QAbstractItemModel::modelReset, this, &CampaignsDialog::updateControls);
    connect(m_tasks, &CampaignTasks::busyChanged, m_busy, &QLabel::setVisible);
    connect(&m_context.events(), &EventBus::published, this, &CampaignsDialog::onEvent, Qt::QueuedConnection);
    connect(&m_context, &DesktopContext::signedInChanged, this, &CampaignsDialog::reload);
    m_confirm = [this](const QString &question) {
        return QMessageBox::question(this, tr("Cancel Campaign"), question, QMessageBox::Yes | QMessageBox::No, QMessageBox::No) ==
               QMessageBox::Yes;
    };
    reload();
    if (m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(0, 0));
}

CampaignsDialog::~CampaignsDialog() = default;

void CampaignsDialog::reload()
{
    const QString current = currentCampaign();
    if (!m_model->reload())
        m_error->showError(m_model->lastError());
    if (!current.isEmpty() && currentCampaign() != current)
        selectCampaign(current);
    if (m_model->anyActive())
        m_refresh->start();
    else
        m_refresh->stop();
    if (m_detail)
        m_detail->refreshCounts();
    updateControls();
}

void CampaignsDialog::onEvent(const Event &event)
{
    if (!m_context.signedIn() || event.organizationId != m_context.actor().organizationId)
        return;
    if (event.type.startsWith(QLatin1String("campaign.")) || (event.type.startsWith(QLatin1String("message.")) && m_model->anyActive()))
        reload();
}

void CampaignsDialog::selectCampaign(const QString &campaignId)
{
    const int row = m_model->rowOf(campaignId);
    if (row >= 0)
        m_view->setCurrentIndex(m_model->index(row, 0));
}

QString CampaignsDialog::currentCampaign() const
{
    const CampaignView *v = m_model->campaign(m_view->currentIndex().row());
    return v ? v->campaign.id : QString();
}

void CampaignsDialog::updateControls()
{
    const bool manage = m_context.signedIn() && m_context.actor().can(Permission::ManageClients);
    const CampaignView *v = m_model->campaign(m_view->currentIndex().row());
    const std::optional<CampaignStatus> s = v ? std::optional<CampaignStatus>(v->campaign.status) : std::nullopt;
    const bool busy = m_tasks->busy();
    for (QPushButton *b : {m_new, m_start, m_pause, m_resume, m_cancel})
        b->setVisible(manage);
    m_new->setEnabled(manage);
    m_start->setEnabled(manage && !busy && s == CampaignStatus::Draft);
    m_pause->setEnabled(manage && (s == CampaignStatus::Running || s == CampaignStatus::Scheduled));
    m_resume->setEnabled(manage && s == CampaignStatus::Paused);
    m_cancel->setEnabled(manage && s && *s != CampaignStatus::Completed && *s != CampaignStatus::Cancelled);
    m_details->setEnabled(v != nullptr);
    const bool empty = m_model->rowCount() == 0;
    m_empty->setVisible(empty);
    m_empty->setText(manage ? tr("No campaign yet. New Campaign… sends one message to many recipients, paced and resumable.")
                            : tr("No campaign on the clients assigned to you."));
}

QString CampaignsDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

CampaignWizard *CampaignsDialog::openWizard()
{
    if (!m_context.actor().can(Permission::ManageClients))
        return nullptr;
    if (!m_wizard) {
        m_wizard = new CampaignWizard(m_context, this);
        m_wizard->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_wizard, &QWizard::finished, this, &CampaignsDialog::wizardFinished);
    }
    m_wizard->show();
    m_wizard->raise();
    return m_wizard;
}

void CampaignsDialog::wizardFinished(int result)
{
    auto *wizard = qobject_cast<CampaignWizard *>(sender());
    if (!wizard)
        wizard = m_wizard;
    if (!wizard || result != QDialog::Accepted || wizard->createdCampaignId().isEmpty())
        return;
    const QString id = wizard->createdCampaignId();
    const bool start = wizard->startNow() || wizard->draft().scheduleAt > 0;
    reload();
    selectCampaign(id);
    // "Now" runs at once; "at a time" is scheduled by the same start.
    if (start)
        startCampaign(id);
}

CampaignDetailDialog *CampaignsDialog::openDetails()
{
    const QString id = currentCampaign();
    if (id.isEmpty())
        return nullptr;
    if (m_detail && m_detail->campaignId() != id)
        m_detail->close();
    if (!m_detail) {
        m_detail = new CampaignDetailDialog(m_context, *m_tasks, id, this);
        m_detail->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_detail->show();
    m_detail->raise();
    return m_detail;
}

void CampaignsDialog::startCurrent()
{
    const QString id = currentCampaign();
    if (!id.isEmpty())
        startCampaign(id);
}

void CampaignsDialog::startCampaign(const QString &campaignId)
{
    m_error->showError(QString());
    const AuthContext actor = m_context.actor();
    m_tasks->run<QString>(
        [actor, campaignId](ServiceGraph &graph) {
            Result<CampaignView> started = graph.campaigns().start(actor, campaignId);
            return started ? QString() : errorMessageFor(started.error());
        },
        [this, campaignId](const QString &error) {
            m_error->showError(error);
            reload();
            emit startFinished(campaignId, error);
        });
    updateControls();
}

void CampaignsDialog::pauseCurrent()
{
    const QString id = currentCampaign();
    if (id.isEmpty())
        return;
    Result<CampaignView> done = m_context.services().campaigns().pause(m_context.actor(), id);
    m_error->showError(done ? QString() : errorMessageFor(done.error()));
    reload();
}

void CampaignsDialog::resumeCurrent()
{
    const QString id = currentCampaign();
    if (id.isEmpty())
        return;
    Result<CampaignView> done = m_context.services().campaigns().resume(m_context.actor(), id);
    m_error->showError(done ? QString() : errorMessageFor(done.error()));
    reload();
}

void CampaignsDialog::cancelCurrent()
{
    const CampaignView *v = m_model->campaign(m_view->currentIndex().row());
    if (!v)
        return;
    const QString id = v->campaign.id;
    const QString question = tr("Cancel the campaign “%1”? Recipients not reached yet will not receive it, and it cannot be resumed.")
                                 .arg(v->campaign.name);
    if (!m_confirm || !m_confirm(question))
        return;
    Result<CampaignView> done = m_context.services().campaigns().cancel(m_context.actor(), id);
    m_error->showError(done ? QString() : errorMessageFor(done.error()));
    reload();
}

} // namespace wadesk

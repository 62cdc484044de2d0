#include "ui/campaigns/CampaignDetailDialog.h"

#include "core/analytics/CampaignExport.h"
#include "core/campaigns/CampaignService.h"
#include "ui/campaigns/CampaignTasks.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/CampaignListModel.h"
#include "ui/models/CampaignRecipientModel.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QPushButton>
#include <QSaveFile>
#include <QTreeView>
#include <QVBoxLayout>

namespace wadesk {

CampaignDetailDialog::CampaignDetailDialog(DesktopContext &context, CampaignTasks &tasks, const QString &campaignId, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
    , m_tasks(tasks)
    , m_campaignId(campaignId)
{
    setObjectName(QStringLiteral("campaignDetailDialog"));
    setWindowTitle(tr("Campaign"));
    resize(760, 560);
    auto *layout = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("campaignTitle"));
    m_title->setTextFormat(Qt::PlainText);
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_title->setFont(bold);
    layout->addWidget(m_title);
    auto *grid = new QGridLayout;
    const QList<QPair<QString, QString>> counts = {
        {QStringLiteral("total"), tr("Total")},         {QStringLiteral("queued"), tr("Queued")},
        {QStringLiteral("sent"), tr("Sent")},           {QStringLiteral("delivered"), tr("Delivered")},
        {QStringLiteral("read"), tr("Read")},           {QStringLiteral("replied"), tr("Replied")},
        {QStringLiteral("failed"), tr("Failed")},       {QStringLiteral("skipped"), tr("Skipped")},
    };
    for (int i = 0; i < counts.size(); ++i) {
        auto *name = new QLabel(counts.at(i).second, this);
        auto *value = new QLabel(this);
        value->setObjectName(QStringLiteral("count_%1").arg(counts.at(i).first));
        value->setAccessibleName(counts.at(i).second);
        QFont f = value->font();
        f.setBold(true);
        f.setPointSizeF(f.pointSizeF() * 1.4);
        value->setFont(f);
        grid->addWidget(value, (i / 4) * 2, i % 4);
        grid->addWidget(name, (i / 4) * 2 + 1, i % 4);
        m_counts.insert(counts.at(i).first, value);
    }
    layout->addLayout(grid);

    auto *filterRow = new QHBoxLayout;
    m_filter = new QComboBox(this);
    m_filter->setObjectName(QStringLiteral("recipientStatusFilter"));
    m_filter->setAccessibleName(tr("Show recipients by status"));
    m_filter->addItem(tr("All recipients"), QString());
    const QList<QPair<QString, QString>> statuses = {
        {QStringLiteral("pending"), tr("Pending")}, {QStringLiteral("queued"), tr("Queued")},
        {QStringLiteral("sent"), tr("Sent")},       {QStringLiteral("delivered"), tr("Delivered")},
        {QStringLiteral("read"), tr("Read")},       {QStringLiteral("failed"), tr("Failed")},
        {QStringLiteral("skipped"), tr("Skipped")}, {QStringLiteral("cancelled"), tr("Cancelled")},
    };
    for (const auto &[key, text] : statuses)
        m_filter->addItem(text, key);
    filterRow->addWidget(new QLabel(tr("&Show:"), this));
    static_cast<QLabel *>(filterRow->itemAt(0)->widget())->setBuddy(m_filter);
    filterRow->addWidget(m_filter);
    filterRow->addStretch();
    layout->addLayout(filterRow);

    m_model = new CampaignRecipientModel(context, campaignId, this);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("recipientView"));
    m_view->setAccessibleName(tr("Recipients"));
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setModel(m_model);
    m_view->header()->setSectionResizeMode(CampaignRecipientModel::PhoneColumn, QHeaderView::ResizeToContents);
    layout->addWidget(m_view);
    m_error = new ErrorLabel(QStringLiteral("campaignDetailError"), tr("Campaign error"), this);
    layout->addWidget(m_error);

    auto *buttons = new QHBoxLayout;
    m_exportCsv = new QPushButton(tr("Export &CSV…"), this);
    m_exportCsv->setObjectName(QStringLiteral("exportCsv"));
    m_exportJson = new QPushButton(tr("Export &JSON…"), this);
    m_exportJson->setObjectName(QStringLiteral("exportJson"));
    for (QPushButton *b : {m_exportCsv, m_exportJson}) {
        b->setAutoDefault(false);
        buttons->addWidget(b);
    }
    buttons->addStretch();
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    buttons->addWidget(close);
    layout->addLayout(buttons);
    connect(m_exportCsv, &QPushButton::clicked, this, [this]() { askAndExport(false); });
    connect(m_exportJson, &QPushButton::clicked, this, [this]() { askAndExport(true); });
    connect(m_filter, &QComboBox::currentIndexChanged, this, [this]() {
        if (!m_model->setStatusFilter(m_filter->currentData().toString()))
            m_error->showError(m_model->lastError());
    });
    connect(this, &CampaignDetailDialog::exported, this, [this](const QString &, const QString &error) {
        m_error->showError(error);
        m_exportCsv->setEnabled(true);
        m_exportJson->setEnabled(true);
    });
    refreshCounts();
    if (!m_model->reload())
        m_error->showError(m_model->lastError());
}

bool CampaignDetailDialog::refreshCounts()
{
    Result<CampaignView> v = m_context.services().campaigns().get(m_context.actor(), m_campaignId);
    if (!v) {
        m_error->showError(errorMessageFor(v.error()));
        return false;
    }
    const CampaignRecord &c = v.value().campaign;
    const CampaignCounts &n = v.value().counts;
    m_title->setText(tr("%1 — %2").arg(c.name.isEmpty() ? c.id : c.name, CampaignListModel::statusText(c.status)));
    setWindowTitle(tr("Campaign: %1").arg(c.name.isEmpty() ? c.id : c.name));
    const QLocale locale;
    const QHash<QString, qint64> values = {{QStringLiteral("total"), n.total},         {QStringLiteral("queued"), n.queued},
                                           {QStringLiteral("sent"), n.sent},           {QStringLiteral("delivered"), n.delivered},
                                           {QStringLiteral("read"), n.read},           {QStringLiteral("replied"), n.replied},
                                           {QStringLiteral("failed"), n.failed},       {QStringLiteral("skipped"), n.skipped}};
    for (auto it = values.constBegin(); it != values.constEnd(); ++it)
        m_counts.value(it.key())->setText(locale.toString(it.value()));
    return true;
}

QString CampaignDetailDialog::countText(const QString &key) const
{
    QLabel *label = m_counts.value(key);
    return label ? label->text() : QString();
}

QString CampaignDetailDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void CampaignDetailDialog::askAndExport(bool json)
{
    const QString suggested = QStringLiteral("campaign-%1.%2").arg(m_campaignId, json ? QStringLiteral("json") : QStringLiteral("csv"));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Campaign"), suggested,
                                                      json ? tr("JSON files (*.json)") : tr("CSV files (*.csv)"));
    if (!path.isEmpty())
        exportTo(path, json);
}

void CampaignDetailDialog::exportTo(const QString &path, bool json)
{
    m_exportCsv->setEnabled(false);
    m_exportJson->setEnabled(false);
    const AuthContext actor = m_context.actor();
    const QString id = m_campaignId;
    QPointer<CampaignDetailDialog> self(this);
    m_tasks.run<QString>(
        [actor, id, path, json](ServiceGraph &graph) -> QString {
            Result<QList<CampaignRecipient>> rows = graph.campaigns().exportRecipients(actor, id);
            if (!rows)
                return errorMessageFor(rows.error());
            const QByteArray body = CampaignExport::render(id, rows.value(), json ? CampaignExport::Format::Json : CampaignExport::Format::Csv);
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly) || file.write(body) != body.size() || !file.commit())
                return QCoreApplication::translate("wadesk::CampaignDetailDialog", "Could not write %1: %2").arg(path, file.errorString());
            return QString();
        },
        [self, path](const QString &error) {
            if (self)
                emit self->exported(path, error);
        });
}

} // namespace wadesk

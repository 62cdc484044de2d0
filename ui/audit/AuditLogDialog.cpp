#include "ui/audit/AuditLogDialog.h"

#include "core/analytics/AnalyticsCsv.h"
#include "core/audit/AuditService.h"
#include "core/common/UtcTime.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/common/RowListView.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/AuditLogModel.h"
#include "ui/models/WebhookListModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

namespace wadesk {

namespace {
QString isoUtc(qint64 ms)
{
    return UtcTime::fromMSecs(ms).toString(Qt::ISODateWithMs);
}
} // namespace

AuditLogDialog::AuditLogDialog(DesktopContext &context, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("auditLogDialog"));
    setWindowTitle(tr("Audit Log"));
    m_model = new AuditLogModel(m_context, this);
    m_filter = new AuditFilterModel(this);
    m_filter->setSourceModel(m_model);

    auto *layout = new QVBoxLayout(this);
    auto *filters = new QGridLayout;
    auto addCombo = [&](int column, const QString &label, const QString &name, const QString &accessible) {
        auto *l = new QLabel(label, this);
        auto *c = new QComboBox(this);
        c->setObjectName(name);
        c->setAccessibleName(accessible);
        c->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        l->setBuddy(c);
        filters->addWidget(l, 0, column);
        filters->addWidget(c, 1, column);
        return c;
    };
    m_member = addCombo(0, tr("&Member:"), QStringLiteral("auditMemberFilter"), tr("Show entries by member"));
    m_action = addCombo(1, tr("A&ction:"), QStringLiteral("auditActionFilter"), tr("Show entries with action"));
    m_resource = addCombo(2, tr("&Resource:"), QStringLiteral("auditResourceFilter"), tr("Show entries about resource"));
    const QDate today = QDateTime::fromMSecsSinceEpoch(m_context.services().shared().clock->nowMs()).toLocalTime().date();
    m_fromOn = new QCheckBox(tr("&From:"), this);
    m_fromOn->setObjectName(QStringLiteral("auditFromOn"));
    m_fromOn->setAccessibleName(tr("Limit to entries from a date"));
    m_from = new QDateEdit(today.addDays(-30), this);
    m_from->setObjectName(QStringLiteral("auditFrom"));
    m_from->setAccessibleName(tr("First day"));
    m_from->setCalendarPopup(true);
    m_from->setEnabled(false);
    m_toOn = new QCheckBox(tr("&To:"), this);
    m_toOn->setObjectName(QStringLiteral("auditToOn"));
    m_toOn->setAccessibleName(tr("Limit to entries up to a date"));
    m_to = new QDateEdit(today, this);
    m_to->setObjectName(QStringLiteral("auditTo"));
    m_to->setAccessibleName(tr("Last day"));
    m_to->setCalendarPopup(true);
    m_to->setEnabled(false);
    filters->addWidget(m_fromOn, 0, 3);
    filters->addWidget(m_from, 1, 3);
    filters->addWidget(m_toOn, 0, 4);
    filters->addWidget(m_to, 1, 4);
    filters->setColumnStretch(5, 1);
    layout->addLayout(filters);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_view = new QTreeView(splitter);
    m_view->setObjectName(QStringLiteral("auditLogList"));
    m_view->setAccessibleName(tr("Audit log entries"));
    m_view->setModel(m_filter);
    configureRowList(m_view, AuditLogModel::ResourceIdColumn);
    m_details = new QPlainTextEdit(splitter);
    m_details->setObjectName(QStringLiteral("auditDetails"));
    m_details->setAccessibleName(tr("Details of the selected entry"));
    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(tr("Select an entry to see its details."));
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    auto *actions = new QHBoxLayout;
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("auditCount"));
    actions->addWidget(m_count, 1);
    m_verifyResult = new QLabel(this);
    m_verifyResult->setObjectName(QStringLiteral("verifyResult"));
    m_verifyResult->setAccessibleName(tr("Chain verification result"));
    m_verifyResult->setWordWrap(true);
    m_verifyResult->setTextFormat(Qt::PlainText);
    actions->addWidget(m_verifyResult, 2);
    m_verify = new QPushButton(tr("&Verify Chain"), this);
    m_verify->setObjectName(QStringLiteral("verifyChainButton"));
    m_verify->setAccessibleName(tr("Verify chain"));
    m_verify->setToolTip(tr("Check that no entry was edited, removed or added behind the log's back"));
    m_export = new QPushButton(tr("&Export CSV…"), this);
    m_export->setObjectName(QStringLiteral("exportAuditButton"));
    m_export->setAccessibleName(tr("Export CSV"));
    m_export->setToolTip(tr("Save the entries shown as a CSV file"));
    actions->addWidget(m_verify);
    actions->addWidget(m_export);
    layout->addLayout(actions);
    m_error = new ErrorLabel(QStringLiteral("auditError"), tr("Audit log error"), this);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
    layout->addWidget(buttons);

    setTabOrder(m_member, m_action);
    setTabOrder(m_action, m_resource);
    setTabOrder(m_resource, m_fromOn);
    setTabOrder(m_fromOn, m_from);
    setTabOrder(m_from, m_toOn);
    setTabOrder(m_toOn, m_to);
    setTabOrder(m_to, m_view);
    setTabOrder(m_view, m_details);
    setTabOrder(m_details, m_verify);
    setTabOrder(m_verify, m_export);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QComboBox *c : {m_member, m_action, m_resource})
        connect(c, &QComboBox::currentIndexChanged, this, &AuditLogDialog::applyFilters);
    connect(m_fromOn, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_toOn, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    connect(m_fromOn, &QCheckBox::toggled, this, &AuditLogDialog::onDatesChanged);
    connect(m_toOn, &QCheckBox::toggled, this, &AuditLogDialog::onDatesChanged);
    connect(m_from, &QDateEdit::dateChanged, this, &AuditLogDialog::onDatesChanged);
    connect(m_to, &QDateEdit::dateChanged, this, &AuditLogDialog::onDatesChanged);
    connect(m_verify, &QPushButton::clicked, this, [this]() { verifyChain(); });
    connect(m_export, &QPushButton::clicked, this, &AuditLogDialog::onExport);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &AuditLogDialog::onCurrentChanged);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &AuditLogDialog::updateControls);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &AuditLogDialog::updateControls);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &AuditLogDialog::updateControls);

    if (!m_model->lastError().isEmpty())
        m_error->showError(m_model->lastError());
    fillChoices();
    updateControls();
    resize(1100, 620);
}

QString AuditLogDialog::errorText() const
{
    return m_error->text();
}

QString AuditLogDialog::verifyText() const
{
    return m_verifyResult->text();
}

void AuditLogDialog::fillChoices()
{
    m_filling = true;
    auto refill = [](QComboBox *combo, const QList<QPair<QString, QString>> &choices) {
        const QString keep = combo->currentData().toString();
        const QSignalBlocker block(combo);
        combo->clear();
        combo->addItem(tr("All"), QString());
        for (const auto &[value, text] : choices)
            combo->addItem(text, value);
        const int at = combo->findData(keep);
        combo->setCurrentIndex(at >= 0 ? at : 0);
    };
    QList<QPair<QString, QString>> members;
    for (const auto &[id, name] : m_model->members())
        members << qMakePair(id.isEmpty() ? AuditFilterModel::kSystem : id, name);
    refill(m_member, members);
    QList<QPair<QString, QString>> actions;
    for (const QString &a : m_model->actions())
        actions << qMakePair(a, a);
    refill(m_action, actions);
    QList<QPair<QString, QString>> resources;
    for (const QString &r : m_model->resources())
        resources << qMakePair(r, r);
    refill(m_resource, resources);
    m_filling = false;
    applyFilters();
}

void AuditLogDialog::applyFilters()
{
    if (m_filling)
        return;
    m_filter->setMember(m_member->currentData().toString());
    m_filter->setAction(m_action->currentData().toString());
    m_filter->setResource(m_resource->currentData().toString());
    updateControls();
}

bool AuditLogDialog::setMemberFilter(const QString &userId)
{
    const int at = m_member->findData(userId);
    if (at >= 0)
        m_member->setCurrentIndex(at);
    return at >= 0;
}

bool AuditLogDialog::setActionFilter(const QString &action)
{
    const int at = m_action->findData(action);
    if (at >= 0)
        m_action->setCurrentIndex(at);
    return at >= 0;
}

bool AuditLogDialog::setResourceFilter(const QString &resource)
{
    const int at = m_resource->findData(resource);
    if (at >= 0)
        m_resource->setCurrentIndex(at);
    return at >= 0;
}

void AuditLogDialog::setDateRange(const QDate &from, const QDate &to)
{
    {
        const QSignalBlocker a(m_fromOn), b(m_toOn), c(m_from), d(m_to);
        m_fromOn->setChecked(from.isValid());
        m_from->setEnabled(from.isValid());
        if (from.isValid())
            m_from->setDate(from);
        m_toOn->setChecked(to.isValid());
        m_to->setEnabled(to.isValid());
        if (to.isValid())
            m_to->setDate(to);
    }
    onDatesChanged();
}

void AuditLogDialog::onDatesChanged()
{
    const qint64 since = m_fromOn->isChecked() ? m_from->date().startOfDay().toMSecsSinceEpoch() : 0;
    const qint64 until = m_toOn->isChecked() ? m_to->date().addDays(1).startOfDay().toMSecsSinceEpoch() - 1 : 0;
    if (!m_model->load(since, until))
        m_error->showError(m_model->lastError());
    else
        m_error->showError(QString());
    fillChoices();
}

void AuditLogDialog::refresh()
{
    if (!m_model->reload())
        m_error->showError(m_model->lastError());
    fillChoices();
}

void AuditLogDialog::selectEntry(const QString &entryId)
{
    const int row = m_model->rowOf(entryId);
    if (row < 0)
        return;
    const QModelIndex at = m_filter->mapFromSource(m_model->index(row, 0));
    if (at.isValid())
        m_view->setCurrentIndex(at);
}

void AuditLogDialog::onCurrentChanged()
{
    const QModelIndex at = m_view->currentIndex();
    const AuditEntry *e = at.isValid() ? m_model->entryAt(m_filter->mapToSource(at).row()) : nullptr;
    if (!e) {
        m_details->clear();
        return;
    }
    QStringList lines;
    lines << tr("Entry: %1 (#%2)").arg(e->id).arg(e->seq);
    lines << tr("Time: %1 (%2)").arg(WebhookListModel::timeText(e->createdAt), isoUtc(e->createdAt));
    lines << tr("Member: %1").arg(e->userId.isEmpty() ? m_model->memberName(e->userId)
                                                      : QStringLiteral("%1 (%2)").arg(m_model->memberName(e->userId), e->userId));
    lines << tr("Action: %1").arg(e->action);
    lines << tr("Resource: %1 %2").arg(e->resource, e->resourceId);
    lines << tr("Address: %1").arg(e->ipAddress);
    lines << tr("Hash: %1").arg(e->hash);
    lines << QString();
    lines << tr("Details:");
    lines << QString::fromUtf8(QJsonDocument(e->details).toJson(QJsonDocument::Indented)).trimmed();
    m_details->setPlainText(lines.join(QLatin1Char('\n')));
}

void AuditLogDialog::updateControls()
{
    const bool may = m_context.signedIn() && m_context.actor().can(Permission::ViewAuditLogs);
    m_verify->setEnabled(may);
    m_export->setEnabled(may && m_filter->rowCount() > 0);
    for (QWidget *w : {static_cast<QWidget *>(m_member), static_cast<QWidget *>(m_action), static_cast<QWidget *>(m_resource),
                       static_cast<QWidget *>(m_fromOn), static_cast<QWidget *>(m_toOn)})
        w->setEnabled(may);
    QString count = tr("Entries shown: %1").arg(m_filter->rowCount());
    if (m_model->truncated())
        count += QLatin1Char(' ') + tr("(the newest %1; narrow the dates to see older ones)").arg(AuditLogModel::kMaxEntries);
    m_count->setText(may ? count : QString());
}

bool AuditLogDialog::verifyChain()
{
    Result<AuditLog::Verification> v = m_context.services().audit().verify(m_context.actor());
    if (!v) {
        m_verifyResult->clear();
        m_error->showError(errorMessageFor(v.error()));
        return false;
    }
    m_error->showError(QString());
    const AuditLog::Verification &r = v.value();
    if (r.intact) {
        m_verifyResult->setText(tr("Chain intact. Entries checked: %1.").arg(r.entries));
        return true;
    }
    m_verifyResult->setText(tr("Chain broken at entry #%1 (%2): %3").arg(r.seq).arg(r.firstBadEntryId, r.reason));
    return false;
}

Result<int> AuditLogDialog::exportCsv(const QString &path)
{
    if (!m_context.signedIn() || !m_context.actor().can(Permission::ViewAuditLogs))
        return DomainError::forbidden(tr("Your role may not view the audit log."));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return DomainError::unavailable(tr("%1 cannot be written: %2").arg(path, file.errorString()), QStringLiteral("export_failed"));
    file.write(Csv::row({QStringLiteral("time"), QStringLiteral("member"), QStringLiteral("user_id"), QStringLiteral("action"),
                         QStringLiteral("resource"), QStringLiteral("resource_id"), QStringLiteral("ip_address"), QStringLiteral("details"),
                         QStringLiteral("id")}));
    int rows = 0;
    for (int i = 0; i < m_filter->rowCount(); ++i) {
        const AuditEntry *e = m_model->entryAt(m_filter->mapToSource(m_filter->index(i, 0)).row());
        if (!e)
            continue;
        file.write(Csv::row({isoUtc(e->createdAt), m_model->memberName(e->userId), e->userId, e->action, e->resource, e->resourceId,
                             e->ipAddress, QString::fromUtf8(QJsonDocument(e->details).toJson(QJsonDocument::Compact)), e->id}));
        ++rows;
    }
    if (!file.commit())
        return DomainError::unavailable(tr("%1 cannot be written: %2").arg(path, file.errorString()), QStringLiteral("export_failed"));
    return rows;
}

void AuditLogDialog::onExport()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Audit Log"), QStringLiteral("audit-log.csv"), tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    Result<int> written = exportCsv(path);
    if (!written) {
        m_error->showError(written.error().message);
        return;
    }
    m_error->showError(QString());
    m_count->setText(tr("Entries exported: %1, to %2.").arg(written.value()).arg(path));
}

} // namespace wadesk

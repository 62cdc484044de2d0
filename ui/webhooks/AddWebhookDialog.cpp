#include "ui/webhooks/AddWebhookDialog.h"

#include "ui/common/ErrorLabel.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace wadesk {

namespace {
const QString kAll = QStringLiteral("*");
}

AddWebhookDialog::AddWebhookDialog(const QStringList &eventNames, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("addWebhookDialog"));
    setWindowTitle(tr("Add Webhook"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_url = new QLineEdit(this);
    m_url->setObjectName(QStringLiteral("webhookUrl"));
    m_url->setAccessibleName(tr("Webhook URL"));
    m_url->setPlaceholderText(QStringLiteral("https://example.com/hooks/wadesk"));
    m_url->setMaxLength(2048);
    form->addRow(tr("&URL:"), m_url);
    layout->addLayout(form);

    auto *eventsLabel = new QLabel(tr("&Events to send:"), this);
    layout->addWidget(eventsLabel);
    m_events = new QListWidget(this);
    m_events->setObjectName(QStringLiteral("webhookEvents"));
    m_events->setAccessibleName(tr("Events to send"));
    eventsLabel->setBuddy(m_events);
    auto *all = new QListWidgetItem(tr("All events, including those added later"), m_events);
    all->setData(Qt::UserRole, kAll);
    all->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    all->setCheckState(Qt::Unchecked);
    for (const QString &name : eventNames) {
        auto *item = new QListWidgetItem(name, m_events);
        item->setData(Qt::UserRole, name);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(Qt::Unchecked);
    }
    m_events->setMinimumHeight(220);
    layout->addWidget(m_events, 1);
    // "All events" stands for every name: the single names are greyed out while it is ticked.
    connect(m_events, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        if (item->data(Qt::UserRole).toString() != kAll)
            return;
        const bool everything = item->checkState() == Qt::Checked;
        for (int i = 1; i < m_events->count(); ++i) {
            QListWidgetItem *other = m_events->item(i);
            other->setFlags(everything ? (other->flags() & ~Qt::ItemIsEnabled) : (other->flags() | Qt::ItemIsEnabled));
        }
    });

    auto *note = new QLabel(tr("The signing secret is shown once, after the webhook is added."), this);
    note->setWordWrap(true);
    layout->addWidget(note);
    m_error = new ErrorLabel(QStringLiteral("addWebhookError"), tr("Add webhook error"), this);
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Add"));
    m_buttons->button(QDialogButtonBox::Ok)->setAccessibleName(tr("Add webhook"));
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &AddWebhookDialog::submit);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setTabOrder(m_url, m_events);
    setTabOrder(m_events, m_buttons);
    resize(520, 480);
}

QString AddWebhookDialog::url() const
{
    return m_url->text().trimmed();
}

QStringList AddWebhookDialog::events() const
{
    QStringList out;
    for (int i = 0; i < m_events->count(); ++i) {
        const QListWidgetItem *item = m_events->item(i);
        if (item->checkState() != Qt::Checked)
            continue;
        if (item->data(Qt::UserRole).toString() == kAll)
            return {kAll};
        out << item->data(Qt::UserRole).toString();
    }
    return out;
}

void AddWebhookDialog::setUrl(const QString &url)
{
    m_url->setText(url);
}

void AddWebhookDialog::setEvents(const QStringList &events)
{
    for (int i = 0; i < m_events->count(); ++i) {
        QListWidgetItem *item = m_events->item(i);
        item->setCheckState(events.contains(item->data(Qt::UserRole).toString()) ? Qt::Checked : Qt::Unchecked);
    }
}

QString AddWebhookDialog::errorText() const
{
    return m_error->text();
}

void AddWebhookDialog::showError(const QString &message)
{
    m_error->showError(message);
}

void AddWebhookDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!busy);
    m_url->setEnabled(!busy);
    m_events->setEnabled(!busy);
}

void AddWebhookDialog::submit()
{
    if (m_busy)
        return;
    emit submitted();
}

} // namespace wadesk

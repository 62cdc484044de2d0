#include "ui/account/DeleteClientDialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace wadesk {

DeleteClientDialog::DeleteClientDialog(const QString &clientName, const QString &phoneNumber, int queuedMessages, bool running,
                                       QWidget *parent)
    : QDialog(parent)
    , m_name(clientName)
{
    setObjectName(QStringLiteral("deleteClientDialog"));
    setWindowTitle(tr("Delete Client"));
    auto *layout = new QVBoxLayout(this);
    const QString who = phoneNumber.isEmpty() ? tr("\"%1\"").arg(clientName) : tr("\"%1\" (%2)").arg(clientName, phoneNumber);
    QStringList lines;
    lines << tr("Deleting %1 cannot be undone:").arg(who);
    lines << (running ? tr("• Its WhatsApp session, running now, stops, and this computer's link to the number is removed.")
                      : tr("• This computer's link to the number is removed."))
                 + QLatin1Char(' ') + tr("WhatsApp stays on the phone; the number can be linked to a new client later.");
    lines << tr("• Every message of this client is deleted: its whole history and its conversations.");
    if (queuedMessages > 0)
        lines << tr("• Messages queued now and never to be sent: %1.").arg(queuedMessages);
    else
        lines << tr("• Nothing is queued now; anything queued until then is never sent.");
    lines << tr("• Its rate limits, proxy assignment and team members' assignments to it go too.");
    lines << tr("The audit log keeps a record of the deletion.");
    m_consequences = new QLabel(lines.join(QLatin1Char('\n')), this);
    m_consequences->setObjectName(QStringLiteral("deleteClientConsequences"));
    m_consequences->setTextFormat(Qt::PlainText);
    m_consequences->setWordWrap(true);
    layout->addWidget(m_consequences);
    auto *prompt = new QLabel(tr("Type the client's name, %1, to confirm:").arg(clientName), this);
    prompt->setTextFormat(Qt::PlainText);
    prompt->setWordWrap(true);
    layout->addWidget(prompt);
    m_confirm = new QLineEdit(this);
    m_confirm->setObjectName(QStringLiteral("deleteClientConfirmation"));
    m_confirm->setAccessibleName(tr("Client name to confirm the deletion"));
    prompt->setBuddy(m_confirm);
    layout->addWidget(m_confirm);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_delete = buttons->addButton(tr("&Delete Client"), QDialogButtonBox::DestructiveRole);
    m_delete->setObjectName(QStringLiteral("confirmDeleteClientButton"));
    m_delete->setAccessibleName(tr("Delete the client"));
    m_delete->setEnabled(false);
    m_delete->setAutoDefault(false);
    buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    layout->addWidget(buttons);
    connect(m_confirm, &QLineEdit::textChanged, this, [this]() { m_delete->setEnabled(confirmed()); });
    connect(m_delete, &QPushButton::clicked, this, [this]() {
        if (confirmed())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    resize(480, sizeHint().height());
}

bool DeleteClientDialog::confirmed() const
{
    return m_confirm->text() == m_name;
}

} // namespace wadesk

#include "ui/conversations/Composer.h"

#include "ui/desktop/DesktopContext.h"
#include "ui/main/Icons.h"
#include "core/messaging/MessageService.h"
#include "ui/common/ErrorText.h"

#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QUuid>

namespace wadesk {

Composer::Composer(DesktopContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("composer"));
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *toLabel = new QLabel(tr("&To:"), this);
    m_to = new QLineEdit(this);
    m_to->setObjectName(QStringLiteral("recipientEdit"));
    m_to->setPlaceholderText(tr("Phone number, e.g. +14155552671"));
    m_to->setAccessibleName(tr("Recipient phone number"));
    m_to->setMaxLength(40);
    toLabel->setBuddy(m_to);
    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("messageEdit"));
    m_text->setPlaceholderText(tr("Write a message (Ctrl+Enter sends)"));
    m_text->setAccessibleName(tr("Message text"));
    m_text->setTabChangesFocus(true);
    m_text->setMaximumHeight(fontMetrics().lineSpacing() * 5 + 12);
    m_text->installEventFilter(this);
    m_send = new QPushButton(Icons::send(), tr("&Send"), this);
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_send->setAccessibleName(tr("Send message"));
    m_send->setToolTip(tr("Send (Ctrl+Enter)"));
    m_feedback = new QLabel(this);
    m_feedback->setObjectName(QStringLiteral("composerFeedback"));
    m_feedback->setWordWrap(true);
    m_feedback->setTextFormat(Qt::PlainText);
    layout->addWidget(toLabel, 0, 0);
    layout->addWidget(m_to, 0, 1, 1, 2);
    layout->addWidget(m_text, 1, 0, 1, 2);
    layout->addWidget(m_send, 1, 2, Qt::AlignBottom);
    layout->addWidget(m_feedback, 2, 0, 1, 3);
    layout->setColumnStretch(1, 1);

    connect(m_send, &QPushButton::clicked, this, &Composer::send);
    connect(m_to, &QLineEdit::textChanged, this, &Composer::updateEnabled);
    connect(m_text, &QPlainTextEdit::textChanged, this, &Composer::updateEnabled);
    updateEnabled();
}

void Composer::setClient(const QString &clientId)
{
    m_clientId = clientId;
    m_feedback->clear();
    updateEnabled();
}

void Composer::setRecipient(const QString &phone)
{
    m_to->setText(phone);
}

QString Composer::recipient() const { return m_to->text().trimmed(); }
QString Composer::text() const { return m_text->toPlainText(); }
void Composer::setText(const QString &text) { m_text->setPlainText(text); }
QString Composer::lastError() const { return m_feedback->property("error").toString(); }

void Composer::updateEnabled()
{
    const bool may = m_context.signedIn() && m_context.actor().can(Permission::SendMessages) && !m_clientId.isEmpty();
    m_to->setEnabled(may);
    m_text->setEnabled(may);
    m_send->setEnabled(may && !recipient().isEmpty() && !text().trimmed().isEmpty());
}

void Composer::showError(const QString &message)
{
    m_feedback->setProperty("error", message);
    m_feedback->setText(message);
}

bool Composer::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_text && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && (key->modifiers() & Qt::ControlModifier)) {
            if (m_send->isEnabled())
                send();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QString Composer::send()
{
    if (!m_send->isEnabled())
        return {};
    // A new key per press: a retry after a refusal is a new request, as for the API.
    const QString key = QStringLiteral("desktop-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    Result<MessageService::Accepted> accepted = m_context.messages().send(m_context.actor(), m_clientId, recipient(), text(), key);
    if (!accepted) {
        const DomainError &e = accepted.error();
        QString message = errorMessageFor(e);
        if (e.retryAfterSeconds > 0)
            message += QLatin1Char(' ') + tr("Try again in %n second(s).", nullptr, e.retryAfterSeconds);
        showError(message);
        return {};
    }
    showError(QString());
    m_feedback->setText(tr("Queued."));
    m_text->clear();
    emit sent(m_clientId, accepted.value().messageId);
    return accepted.value().messageId;
}

} // namespace wadesk

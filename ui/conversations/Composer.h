#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace wadesk {

class DesktopContext;

// Writes and sends a text message. A send goes through MessageService::send with the signed-in
// actor: the same validation, opt-out check, daily budget and durable queue as the REST API;
// the composer only shows the outcome ("queued", or why not).
class Composer final : public QWidget {
    Q_OBJECT
public:
    explicit Composer(DesktopContext &context, QWidget *parent = nullptr);

    void setClient(const QString &clientId);
    void setRecipient(const QString &phone);
    QString recipient() const;
    QString text() const;
    void setText(const QString &text);
    QLineEdit *recipientEdit() const { return m_to; }
    QPlainTextEdit *textEdit() const { return m_text; }
    QPushButton *sendButton() const { return m_send; }
    QString lastError() const;

public slots:
    // Sends what is written; returns the message id (empty when refused, with the reason shown).
    QString send();

signals:
    void sent(const QString &clientId, const QString &messageId);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateEnabled();
    void showError(const QString &message);

    DesktopContext &m_context;
    QString m_clientId;
    QLineEdit *m_to = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QPushButton *m_send = nullptr;
    QLabel *m_feedback = nullptr;
};

} // namespace wadesk

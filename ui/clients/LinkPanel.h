#pragma once

#include <QImage>
#include <QPointer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QPushButton;

namespace wadesk {

class DesktopContext;
class PairingCodeDialog;

// Beside the live page while a client waits to be linked: the QR code drawn here from the text
// WaDesk reads from the page (the same code GET /api/clients/:id/qr serves), so linking works
// when the page's own drawing is hidden or slow; the time until it changes; "New code" (what
// the page's own reload does: wa-js conn.refreshQR) and "Link with phone number instead".
// Shown by SessionView only to those who may link (can_manage_clients). For a client another
// instance runs, the code is asked of that instance.
class LinkPanel final : public QWidget {
    Q_OBJECT
public:
    explicit LinkPanel(DesktopContext &context, QWidget *parent = nullptr);

    // Reads the client's snapshot again (SessionView calls it on every change).
    void setClient(const QString &clientId, const QString &name);
    void refresh();

    // What is drawn now: the QR text (empty while there is none), the image, the countdown line.
    QString qrText() const { return m_qrText; }
    QImage qrImage() const { return m_image; }
    QString countdownText() const;
    QPushButton *newCodeButton() const { return m_newCode; }
    QPushButton *phoneButton() const { return m_phone; }
    // The phone-number dialog, while open.
    PairingCodeDialog *pairingDialog() const;
    void openPairingDialog();

private:
    void updateCountdown();
    // Draws `text` (empty: none yet).
    void showCode(const QString &text);
    // A client another instance runs: its code comes from there (ForwardedSessions), asked again
    // as it expires; the answer may take a while and never blocks the screen.
    void fetchRemoteCode();

    DesktopContext &m_context;
    QString m_clientId;
    QString m_name;
    QString m_qrText;
    qint64 m_expiresAt = 0;
    bool m_idle = false;
    bool m_remote = false;
    bool m_fetching = false;
    qint64 m_fetchedAt = 0;
    QImage m_image;
    QLabel *m_code = nullptr;
    QLabel *m_countdown = nullptr;
    QLabel *m_steps = nullptr;
    QPushButton *m_newCode = nullptr;
    QPushButton *m_phone = nullptr;
    QTimer m_tick;
    QPointer<PairingCodeDialog> m_dialog;
};

} // namespace wadesk

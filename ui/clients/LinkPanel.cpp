#include "ui/clients/LinkPanel.h"

#include "core/cluster/ForwardedSessions.h"
#include "core/engine/SessionRegistry.h"
#include "core/sessions/QrPng.h"
#include "ui/clients/PairingCodeDialog.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/main/Icons.h"

#include <QDateTime>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>

namespace wadesk {

namespace {
constexpr int kQrSide = 264; // device-independent pixels: a phone reads it from a normal distance
constexpr int kServedScale = 8; // QrPng::render's default: pixels per module of the API's image
constexpr qint64 kRemoteRetryMs = 3000; // another instance's page had no code: asked again after this
}

LinkPanel::LinkPanel(DesktopContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("linkPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 16, 16, 16);
    auto *title = new QLabel(tr("Link this client"), this);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    m_steps = new QLabel(tr("On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan this code."), this);
    m_steps->setObjectName(QStringLiteral("linkSteps"));
    m_steps->setWordWrap(true);
    m_steps->setTextFormat(Qt::PlainText);
    m_code = new QLabel(this);
    m_code->setObjectName(QStringLiteral("linkQrCode"));
    m_code->setAlignment(Qt::AlignCenter);
    m_code->setFixedSize(kQrSide, kQrSide);
    // A QR code is read dark on light whatever the theme: the label keeps its own white ground.
    m_code->setAutoFillBackground(true);
    QPalette white = m_code->palette();
    white.setColor(QPalette::Window, Qt::white);
    white.setColor(QPalette::WindowText, Qt::black);
    m_code->setPalette(white);
    m_countdown = new QLabel(this);
    m_countdown->setObjectName(QStringLiteral("linkQrCountdown"));
    m_countdown->setTextFormat(Qt::PlainText);
    m_countdown->setWordWrap(true);
    m_newCode = new QPushButton(Icons::refresh(), tr("&New code"), this);
    m_newCode->setObjectName(QStringLiteral("linkNewCodeButton"));
    m_newCode->setAccessibleName(tr("Show a new QR code"));
    m_phone = new QPushButton(tr("Link with &phone number instead…"), this);
    m_phone->setObjectName(QStringLiteral("linkPhoneButton"));
    m_phone->setAccessibleName(tr("Link with phone number instead"));
    layout->addWidget(title);
    layout->addWidget(m_steps);
    layout->addWidget(m_code, 0, Qt::AlignHCenter);
    layout->addWidget(m_countdown);
    layout->addWidget(m_newCode);
    layout->addWidget(m_phone);
    layout->addStretch(1);
    setFixedWidth(kQrSide + 32);

    connect(m_newCode, &QPushButton::clicked, this, [this]() {
        if (m_clientId.isEmpty())
            return;
        // The same as the page's own "Reload the QR code": wa-js conn.refreshQR (on the instance
        // that runs it).
        if (m_remote && m_context.cluster()) {
            m_context.cluster()->requestRefreshQr(m_clientId);
            m_fetchedAt = QDateTime::currentMSecsSinceEpoch(); // the next ask waits for the new code
        } else {
            m_context.sessions().requestRefreshQr(m_clientId);
        }
        m_countdown->setText(tr("Asking WhatsApp for a new code…"));
    });
    connect(m_phone, &QPushButton::clicked, this, &LinkPanel::openPairingDialog);
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &LinkPanel::updateCountdown);
}

void LinkPanel::setClient(const QString &clientId, const QString &name)
{
    if (clientId != m_clientId && m_dialog)
        m_dialog->close();
    m_clientId = clientId;
    m_name = name;
    refresh();
}

void LinkPanel::refresh()
{
    ForwardedSessions *cluster = m_context.cluster();
    const bool wasRemote = m_remote;
    m_remote = false;
    if (cluster && !m_clientId.isEmpty() && !m_context.sessions().session(m_clientId)) {
        const std::optional<SessionSnapshot> there = cluster->snapshot(m_clientId);
        m_remote = there && !there->instance.isEmpty() && there->state == SessionState::Qr;
    }
    if (m_remote) {
        if (!wasRemote) {
            m_fetchedAt = 0;
            showCode(QString());
        }
        fetchRemoteCode();
    } else {
        const std::optional<SessionSnapshot> snap = m_clientId.isEmpty() ? std::nullopt : m_context.sessions().snapshot(m_clientId);
        m_expiresAt = snap ? snap->qrExpiresAt : 0;
        m_idle = snap && snap->qrIdle;
        showCode(snap && snap->state == SessionState::Qr ? snap->qrText : QString());
    }
    updateCountdown();
    if (m_qrText.isEmpty() && !m_remote)
        m_tick.stop();
    else if (!m_tick.isActive())
        m_tick.start();
}

void LinkPanel::showCode(const QString &text)
{
    if (text == m_qrText)
        return;
    m_qrText = text;
    m_image = QImage();
    if (!text.isEmpty())
        m_image = QImage::fromData(QrPng::render(text), "PNG");
    if (m_image.isNull()) {
        m_code->setPixmap(QPixmap());
        m_code->setText(tr("Waiting for the code…"));
    } else {
        // Drawn again with whole device pixels per module (sharp edges for the phone's camera).
        const qreal dpr = devicePixelRatioF();
        const int modules = std::max(1, m_image.width() / kServedScale);
        const int scale = std::max(1, int(kQrSide * dpr) / modules);
        QPixmap pixmap = QPixmap::fromImage(QImage::fromData(QrPng::render(text, scale), "PNG"));
        pixmap.setDevicePixelRatio(dpr);
        m_code->setPixmap(pixmap);
    }
    m_code->setAccessibleName(m_image.isNull() ? tr("No QR code yet") : tr("QR code to link %1").arg(m_name));
}

void LinkPanel::fetchRemoteCode()
{
    ForwardedSessions *cluster = m_context.cluster();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!cluster || m_fetching)
        return;
    // Due when there is no code and the last ask is a while ago, or when the shown one expires.
    const bool due = m_qrText.isEmpty() ? now - m_fetchedAt >= kRemoteRetryMs : now >= m_expiresAt;
    if (!due)
        return;
    m_fetching = true;
    m_fetchedAt = now;
    QPointer<LinkPanel> self(this);
    const QString clientId = m_clientId;
    cluster->requestQrCode(clientId, [self, clientId](Result<QrCode> code) {
        if (!self)
            return;
        self->m_fetching = false;
        if (clientId != self->m_clientId || !self->m_remote)
            return; // another client meanwhile
        self->m_idle = !code && code.error().code == QLatin1String("qr_refreshing");
        self->m_expiresAt = code ? code->expiresAt : 0;
        self->showCode(code ? code->text : QString());
        self->updateCountdown();
    });
}

QString LinkPanel::countdownText() const
{
    return m_countdown->text();
}

void LinkPanel::updateCountdown()
{
    if (m_remote)
        fetchRemoteCode();
    QString text;
    if (m_qrText.isEmpty()) {
        text = m_idle ? tr("The code expired. Click \"New code\" for another one.") : tr("WhatsApp has not given a code yet.");
    } else {
        const qint64 left = (m_expiresAt - QDateTime::currentMSecsSinceEpoch()) / 1000;
        text = left > 0 ? tr("This code changes in %1:%2.").arg(left / 60).arg(left % 60, 2, 10, QLatin1Char('0'))
                        : tr("This code is about to change.");
    }
    m_countdown->setText(text);
    m_countdown->setAccessibleName(text);
}

PairingCodeDialog *LinkPanel::pairingDialog() const
{
    return m_dialog;
}

void LinkPanel::openPairingDialog()
{
    if (m_clientId.isEmpty())
        return;
    if (!m_dialog) {
        m_dialog = new PairingCodeDialog(m_context, m_clientId, m_name, this);
        m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_dialog->show();
    m_dialog->raise();
    m_dialog->activateWindow();
}

} // namespace wadesk

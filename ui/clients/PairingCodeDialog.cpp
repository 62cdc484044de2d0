#include "ui/clients/PairingCodeDialog.h"

#include "core/cluster/ForwardedSessions.h"
#include "core/engine/SessionRegistry.h"
#include "core/sessions/ClientActionService.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>

namespace wadesk {

PairingCodeDialog::PairingCodeDialog(DesktopContext &context, const QString &clientId, const QString &clientName, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
    , m_clientId(clientId)
{
    setObjectName(QStringLiteral("pairingCodeDialog"));
    setWindowTitle(tr("Link %1 with a phone number").arg(clientName));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Type the number of the phone to link, with its country code. WhatsApp gives a code to type on "
                                "that phone instead of scanning the QR code."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    m_phone = new QLineEdit(this);
    m_phone->setObjectName(QStringLiteral("pairingPhoneEdit"));
    m_phone->setPlaceholderText(tr("+14155550123"));
    m_phone->setAccessibleName(tr("Phone number to link"));
    m_phone->setMaxLength(40);
    form->addRow(tr("&Phone number:"), m_phone);
    layout->addLayout(form);
    m_request = new QPushButton(tr("&Get code"), this);
    m_request->setObjectName(QStringLiteral("pairingRequestButton"));
    m_request->setDefault(true);
    layout->addWidget(m_request, 0, Qt::AlignLeft);
    m_error = new ErrorLabel(QStringLiteral("pairingError"), tr("Pairing code error"), this);
    layout->addWidget(m_error);

    m_codeLabel = new QLabel(this);
    m_codeLabel->setObjectName(QStringLiteral("pairingCodeLabel"));
    m_codeLabel->setTextFormat(Qt::PlainText);
    m_codeLabel->setAlignment(Qt::AlignCenter);
    m_codeLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    QFont big = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    big.setPointSizeF(std::max(big.pointSizeF(), 10.0) * 2.6);
    big.setBold(true);
    m_codeLabel->setFont(big);
    m_codeLabel->setVisible(false);
    layout->addWidget(m_codeLabel);
    m_copy = new QPushButton(tr("&Copy code"), this);
    m_copy->setObjectName(QStringLiteral("pairingCopyButton"));
    m_copy->setVisible(false);
    layout->addWidget(m_copy, 0, Qt::AlignHCenter);
    m_steps = new QLabel(tr("On that phone open WhatsApp → Settings → Linked devices → Link a device → Link with phone number "
                            "instead, and type this code. WhatsApp may also show a notification to open."),
                         this);
    m_steps->setObjectName(QStringLiteral("pairingSteps"));
    m_steps->setWordWrap(true);
    m_steps->setVisible(false);
    layout->addWidget(m_steps);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    // Return in the number field asks for the code, never closes the dialog.
    buttons->button(QDialogButtonBox::Close)->setAutoDefault(false);
    layout->addWidget(buttons);
    setMinimumWidth(520);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_request, &QPushButton::clicked, this, &PairingCodeDialog::requestCode);
    connect(m_copy, &QPushButton::clicked, this, [this]() {
        QGuiApplication::clipboard()->setText(m_code);
        m_copy->setText(tr("Copied"));
    });
    connect(&m_context.sessions(), &SessionRegistry::snapshotChanged, this, &PairingCodeDialog::onSnapshotChanged);
    // A client another instance runs is linked there: its state arrives with the remote sessions.
    if (ForwardedSessions *cluster = m_context.cluster())
        connect(cluster, &ForwardedSessions::remoteSessionsChanged, this, [this]() { onSnapshotChanged(m_clientId); });
}

QString PairingCodeDialog::grouped(const QString &code)
{
    return code.size() == 8 ? code.left(4) + QLatin1Char('-') + code.mid(4) : code;
}

QString PairingCodeDialog::shownCode() const
{
    return m_codeLabel->isVisibleTo(this) ? m_codeLabel->text() : QString();
}

void PairingCodeDialog::requestCode()
{
    if (m_waiting)
        return;
    m_error->showError(QString());
    m_waiting = true; // the button stays enabled (and the default): a disabled one would hand Return to Close
    m_request->setText(tr("Asking WhatsApp…"));
    m_context.clientActions().pairingCode(
        m_context.actor(), m_clientId, m_phone->text(), this, [this](Result<ClientActionService::PairingCode> answer) {
            m_waiting = false;
            m_request->setText(tr("&Get a new code"));
            if (!answer) {
                m_request->setText(tr("&Get code"));
                m_error->showError(errorMessageFor(answer.error()));
                return;
            }
            m_code = answer->code;
            m_codeLabel->setText(grouped(m_code));
            m_codeLabel->setAccessibleName(tr("Pairing code %1").arg(grouped(m_code)));
            m_codeLabel->setVisible(true);
            m_copy->setText(tr("&Copy code"));
            m_copy->setVisible(true);
            m_steps->setVisible(true);
            m_copy->setFocus();
            adjustSize(); // room for the code and the steps
        });
}

void PairingCodeDialog::onSnapshotChanged(const QString &clientId)
{
    if (clientId != m_clientId || m_code.isEmpty())
        return;
    ForwardedSessions *cluster = m_context.cluster();
    const std::optional<SessionSnapshot> snap = cluster ? cluster->snapshot(clientId) : m_context.sessions().snapshot(clientId);
    // Linked (the code was typed): nothing more to do here.
    if (snap && snap->state != SessionState::Qr && snap->state != SessionState::Initializing)
        accept();
}

} // namespace wadesk

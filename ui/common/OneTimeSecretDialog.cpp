#include "ui/common/OneTimeSecretDialog.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace wadesk {

OneTimeSecretDialog::OneTimeSecretDialog(const QString &title, const QString &text, const QString &secret, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("oneTimeSecretDialog"));
    setWindowTitle(title);
    auto *layout = new QVBoxLayout(this);
    auto *label = new QLabel(text, this);
    label->setWordWrap(true);
    label->setObjectName(QStringLiteral("oneTimeSecretText"));
    layout->addWidget(label);

    auto *row = new QHBoxLayout;
    m_secret = new QLineEdit(secret, this);
    m_secret->setObjectName(QStringLiteral("oneTimeSecret"));
    m_secret->setReadOnly(true);
    m_secret->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_secret->setAccessibleName(tr("The key, shown this once"));
    // Wide enough for the whole key without scrolling.
    m_secret->setMinimumWidth(m_secret->fontMetrics().horizontalAdvance(secret) + 24);
    row->addWidget(m_secret, 1);
    m_copy = new QPushButton(tr("&Copy"), this);
    m_copy->setObjectName(QStringLiteral("copySecret"));
    m_copy->setAccessibleName(tr("Copy the key to the clipboard"));
    row->addWidget(m_copy);
    layout->addLayout(row);

    m_copied = new QLabel(this);
    m_copied->setObjectName(QStringLiteral("secretCopied"));
    layout->addWidget(m_copied);

    auto *warning = new QLabel(tr("It cannot be shown again once this window is closed."), this);
    warning->setWordWrap(true);
    layout->addWidget(warning);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);
    connect(m_copy, &QPushButton::clicked, this, &OneTimeSecretDialog::copy);
    m_secret->selectAll();
    m_copy->setFocus();
}

QString OneTimeSecretDialog::secret() const
{
    return m_secret->text();
}

void OneTimeSecretDialog::copy()
{
    QGuiApplication::clipboard()->setText(m_secret->text());
    m_copied->setText(tr("Copied to the clipboard."));
}

} // namespace wadesk

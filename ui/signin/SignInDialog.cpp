#include "ui/signin/SignInDialog.h"

#include "ui/common/ErrorLabel.h"
#include "core/auth/AccountService.h"
#include "core/common/Version.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/common/ErrorText.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

namespace wadesk {

namespace {
const QString kDesktopAddress = QStringLiteral("desktop");
const QString kLastEmailKey = QStringLiteral("desktop/lastEmail");

struct Verdict {
    bool matched = false;
    QString rehash;
};
} // namespace

struct SignInDialog::Pending {
    QString email;
    AccountService::LoginAttempt attempt;
};

SignInDialog::SignInDialog(DesktopContext &context, QString settingsFile, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
    , m_settingsFile(std::move(settingsFile))
{
    setObjectName(QStringLiteral("signInDialog"));
    setWindowTitle(tr("Sign in to %1").arg(QLatin1String(kDisplayName)));
    const PasswordHasher::Cost cost = m_context.passwordCost();
    m_hasher = QtConcurrent::run([cost]() { return std::shared_ptr<const PasswordHasher>(std::make_shared<PasswordHasher>(cost)); });

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Sign in with your WaDesk account."), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout();
    m_email = new QLineEdit(this);
    m_email->setObjectName(QStringLiteral("email"));
    m_email->setAccessibleName(tr("Email address"));
    m_email->setMaxLength(254);
    m_email->setInputMethodHints(Qt::ImhEmailCharactersOnly);
    form->addRow(tr("&Email:"), m_email);
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setAccessibleName(tr("Password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setMaxLength(PasswordHasher::kMaxLength);
    form->addRow(tr("&Password:"), m_password);
    layout->addLayout(form);
    m_error = new ErrorLabel(QStringLiteral("errorLabel"), tr("Sign-in error"), this);
    layout->addWidget(m_error);

    auto *buttons = new QDialogButtonBox(this);
    m_signIn = buttons->addButton(tr("&Sign in"), QDialogButtonBox::AcceptRole);
    m_signIn->setObjectName(QStringLiteral("signInButton"));
    m_signIn->setAccessibleName(tr("Sign in"));
    m_signIn->setDefault(true);
    m_quit = buttons->addButton(tr("&Quit"), QDialogButtonBox::RejectRole);
    m_quit->setObjectName(QStringLiteral("quitButton"));
    m_quit->setAccessibleName(tr("Quit WaDesk"));
    layout->addWidget(buttons);
    connect(m_signIn, &QPushButton::clicked, this, &SignInDialog::submit);
    connect(m_quit, &QPushButton::clicked, this, &QDialog::reject);

    const QString remembered = lastEmail(m_settingsFile);
    m_email->setText(remembered);
    if (remembered.isEmpty())
        m_email->setFocus();
    else
        m_password->setFocus();
    resize(420, sizeHint().height());
}

SignInDialog::~SignInDialog() = default;

QString SignInDialog::lastEmail(const QString &settingsFile)
{
    if (settingsFile.isEmpty())
        return QString();
    return QSettings(settingsFile, QSettings::IniFormat).value(kLastEmailKey).toString();
}

QString SignInDialog::errorText() const
{
    return m_error->isVisible() || !m_error->text().isEmpty() ? m_error->text() : QString();
}

void SignInDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_signIn->setEnabled(!busy);
    m_email->setEnabled(!busy);
    m_password->setEnabled(!busy);
    if (busy) {
        m_error->clear();
        m_error->hide();
    }
}

void SignInDialog::fail(const QString &message)
{
    setBusy(false);
    m_error->showError(message);
    m_password->clear();
    if (m_email->text().trimmed().isEmpty())
        m_email->setFocus();
    else
        m_password->setFocus();
    emit attemptFinished(false);
}

void SignInDialog::submit()
{
    if (m_busy)
        return;
    const QString email = m_email->text().trimmed();
    const QString password = m_password->text();
    if (email.isEmpty())
        return fail(tr("Enter your email address."));
    if (password.isEmpty())
        return fail(tr("Enter your password."));

    Result<AccountService::LoginAttempt> attempt = m_context.accounts().beginLogin(email, kDesktopAddress);
    if (!attempt) {
        if (attempt.error().httpStatus == 429)
            return fail(tr("Too many attempts, try again in %n s", nullptr, std::max(1, attempt.error().retryAfterSeconds)));
        return fail(tr("Signing in failed: %1").arg(errorMessageFor(attempt.error())));
    }
    m_pending = std::make_unique<Pending>(Pending{email, attempt.value()});
    // Unknown accounts are checked against the decoy: the same work and time as a real check.
    const QString stored = attempt.value().user ? attempt.value().user->passwordHash : QString();
    const QFuture<std::shared_ptr<const PasswordHasher>> hasher = m_hasher;
    setBusy(true);
    auto *watcher = new QFutureWatcher<Verdict>(this);
    connect(watcher, &QFutureWatcher<Verdict>::finished, this, [this, watcher, email]() {
        const Verdict v = watcher->result();
        watcher->deleteLater();
        finish(email, v.matched, v.rehash);
    });
    watcher->setFuture(QtConcurrent::run([hasher, password, stored]() {
        const std::shared_ptr<const PasswordHasher> h = hasher.result();
        Verdict v;
        v.matched = h->verify(password, stored.isEmpty() ? h->decoyHash() : stored);
        if (v.matched && !stored.isEmpty() && h->needsRehash(stored))
            v.rehash = h->hash(password);
        return v;
    }));
}

void SignInDialog::finish(const QString &email, bool matched, const QString &rehash)
{
    if (!m_pending || m_pending->email != email)
        return;
    const std::unique_ptr<Pending> pending = std::move(m_pending);
    Result<AccountService::LoginSuccess> r = m_context.accounts().finishLogin(email, pending->attempt, matched, kDesktopAddress, rehash);
    if (!r) {
        if (r.error().httpStatus == 401)
            return fail(tr("Invalid email or password"));
        if (r.error().httpStatus == 429)
            return fail(tr("Too many attempts, try again in %n s", nullptr, std::max(1, r.error().retryAfterSeconds)));
        return fail(tr("Signing in failed: %1").arg(errorMessageFor(r.error())));
    }
    const UserRecord &user = r.value().user;
    const AuthContext actor = user.actingFrom(kDesktopAddress);
    if (!m_settingsFile.isEmpty()) {
        QSettings settings(m_settingsFile, QSettings::IniFormat);
        settings.setValue(kLastEmailKey, user.email);
    }
    setBusy(false);
    m_password->clear();
    m_context.signIn(actor);
    emit attemptFinished(true);
    accept();
}

} // namespace wadesk

// The desktop shows core's errors by their code, in the operator's language: each code the
// desktop can meet has its own text in English, German and Spanish (from the embedded
// translations), validation errors are told apart by their field, and a code the desktop does
// not know shows core's own message unchanged.

#include "translations/Translations.h"
#include "ui/common/ErrorText.h"

#include <QCoreApplication>
#include <QTest>
#include <QTranslator>

using namespace wadesk;

namespace {

DomainError withCode(const QString &code)
{
    DomainError e = DomainError::conflict(QStringLiteral("core's English text for %1").arg(code), code);
    return e;
}

// Every code ErrorText knows (besides validation_failed, checked by field).
const char *const kCodes[] = {"invalid_phone_number", "forbidden",          "role_not_manageable", "not_found",
                              "invalid_credentials",  "account_disabled",   "too_many_attempts",   "email_taken",
                              "last_admin",           "cannot_change_self", "phone_number_taken",  "client_not_running",
                              "client_not_ready",     "client_paused",      "contact_opted_out",   "rate_limited",
                              "engine_unavailable",   "internal_error",     "proxy_exists",        "proxy_in_use",
                              "proxy_full",           "no_proxy_available", "failover_not_allowed", "empty_media",
                              "invalid_media",        "media_too_large",    "media_type_not_allowed", "media_type_mismatch",
                              "storage_quota_exceeded", "media_in_use",     "media_unavailable"};
const char *const kFields[] = {"name", "organization_name", "email", "password", "role", "message"};
// The fields of a proxy (the proxy screens' texts, proxyErrorMessageFor).
const char *const kProxyFields[] = {"type", "host", "port", "username", "password", "label", "country", "max_clients"};

QStringList allTexts()
{
    QStringList out;
    for (const char *code : kCodes)
        out << errorMessageFor(withCode(QLatin1String(code)));
    for (const char *field : kFields)
        out << errorMessageFor(DomainError::validation(QLatin1String(field), QStringLiteral("core text")));
    for (const char *field : kProxyFields)
        out << proxyErrorMessageFor(DomainError::validation(QLatin1String(field), QStringLiteral("core text")));
    return out;
}

} // namespace

class TstErrorText : public QObject {
    Q_OBJECT

private slots:
    void englishByCode()
    {
        QCOMPARE(errorMessageFor(withCode(QStringLiteral("last_admin"))), QStringLiteral("The organization needs at least one active admin."));
        QCOMPARE(errorMessageFor(DomainError::validation(QStringLiteral("password"), QStringLiteral("password must be at least 8 characters"))),
                 QStringLiteral("The password must be 8 to 256 characters."));
        // Each known code has a text of its own, never core's.
        const QStringList texts = allTexts();
        for (const QString &t : texts)
            QVERIFY2(!t.isEmpty() && !t.startsWith(QLatin1String("core")), qPrintable(t));
    }

    void proxyFieldsAreTheProxys()
    {
        // A proxy's password follows the proxy's rules, not a member's.
        QCOMPARE(proxyErrorMessageFor(DomainError::validation(QStringLiteral("password"), QStringLiteral("a password needs a username"))),
                 QStringLiteral("The proxy password must be at most 255 bytes without control characters, and needs a username."));
        QVERIFY(errorMessageFor(DomainError::validation(QStringLiteral("password"), QString())).startsWith(QStringLiteral("The password must be 8")));
        // Codes other than validation are the shared texts; the count of clients reaches the text.
        DomainError inUse = withCode(QStringLiteral("proxy_in_use"));
        inUse.details.insert(QStringLiteral("clients"), 3);
        QCOMPARE(proxyErrorMessageFor(inUse), errorMessageFor(inUse));
        QVERIFY2(errorMessageFor(inUse).startsWith(QStringLiteral("3 client")), qPrintable(errorMessageFor(inUse)));
        DomainError lowered = DomainError::validation(QStringLiteral("max_clients"), QStringLiteral("core text"));
        lowered.details.insert(QStringLiteral("clients"), 4);
        QVERIFY2(proxyErrorMessageFor(lowered).contains(QLatin1Char('4')), qPrintable(proxyErrorMessageFor(lowered)));
        // An unknown field shows core's message.
        QCOMPARE(proxyErrorMessageFor(DomainError::validation(QStringLiteral("colour"), QStringLiteral("core text"))), QStringLiteral("core text"));
    }

    void unknownCodeShowsCoreMessage()
    {
        const DomainError unknown = withCode(QStringLiteral("something_new"));
        QCOMPARE(errorMessageFor(unknown), unknown.message);
        const DomainError unknownField = DomainError::validation(QStringLiteral("tags"), QStringLiteral("tags must be an array of strings"));
        QCOMPARE(errorMessageFor(unknownField), unknownField.message);
    }

    void germanAndSpanish()
    {
        const QStringList english = allTexts();

        QVERIFY(installTranslations(QLocale(QLocale::German, QLocale::Germany)));
        QCOMPARE(errorMessageFor(withCode(QStringLiteral("last_admin"))), QStringLiteral("Die Organisation braucht mindestens einen aktiven Admin."));
        QCOMPARE(errorMessageFor(DomainError::validation(QStringLiteral("password"), QStringLiteral("x"))),
                 QStringLiteral("Das Passwort muss 8 bis 256 Zeichen lang sein."));
        const QStringList german = allTexts();
        DomainError inUse = withCode(QStringLiteral("proxy_in_use"));
        inUse.details.insert(QStringLiteral("clients"), 1);
        QCOMPARE(errorMessageFor(inUse), QStringLiteral("1 Client nutzt diesen Proxy: Weisen Sie ihm vor dem Löschen einen anderen Proxy oder keinen zu."));
        for (int i = 0; i < english.size(); ++i)
            QVERIFY2(german.at(i) != english.at(i), qPrintable(QStringLiteral("not translated to German: ") + english.at(i)));
        // Unknown codes still show core's message, whatever the language.
        QCOMPARE(errorMessageFor(withCode(QStringLiteral("something_new"))), withCode(QStringLiteral("something_new")).message);

        QTranslator spanish;
        QVERIFY(spanish.load(QStringLiteral(":/i18n/wadesk_es.qm")));
        QCoreApplication::installTranslator(&spanish); // the newest installed translator answers first
        QCOMPARE(errorMessageFor(withCode(QStringLiteral("client_not_ready"))),
                 QStringLiteral("El cliente no está listo: vincúlelo primero escaneando su código QR."));
        const QStringList castellano = allTexts();
        for (int i = 0; i < english.size(); ++i)
            QVERIFY2(castellano.at(i) != english.at(i) && castellano.at(i) != german.at(i),
                     qPrintable(QStringLiteral("not translated to Spanish: ") + english.at(i)));
        QCoreApplication::removeTranslator(&spanish);
    }
};

QTEST_GUILESS_MAIN(TstErrorText)
#include "tst_error_text.moc"

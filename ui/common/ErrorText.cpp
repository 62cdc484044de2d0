#include "ui/common/ErrorText.h"

#include "core/auth/PasswordHasher.h"

#include <QCoreApplication>

namespace wadesk {

// The translation context of the texts below ("wadesk::ErrorText" in translations/*.ts).
class ErrorText {
    Q_DECLARE_TR_FUNCTIONS(wadesk::ErrorText)

public:
    static QString of(const DomainError &error);
    static QString ofProxy(const DomainError &error);

private:
    static QString validation(const DomainError &error);
};

// Validation errors share one code; the field tells which rule was broken.
QString ErrorText::validation(const DomainError &error)
{
    const QString field = error.details.value(QStringLiteral("field")).toString();
    if (field == QLatin1String("name"))
        return tr("The name must be 1 to 100 characters.");
    if (field == QLatin1String("organization_name"))
        return tr("The organization name must be 1 to 200 characters.");
    if (field == QLatin1String("email"))
        return tr("This is not a valid email address.");
    if (field == QLatin1String("password"))
        return tr("The password must be %1 to %2 characters.").arg(PasswordHasher::kMinLength).arg(PasswordHasher::kMaxLength);
    if (field == QLatin1String("role"))
        return tr("Choose a role: admin, manager, agent or viewer.");
    if (field == QLatin1String("message"))
        return tr("The message must not be empty.");
    if (field == QLatin1String("url"))
        return tr("The URL must be a full http:// or https:// address without a user name or password, at most 2048 characters.");
    if (field == QLatin1String("events"))
        return tr("Choose 1 to 50 events to send.");
    if (field == QLatin1String("expires_at"))
        return tr("The expiry must be in the future.");
    return error.message;
}

QString ErrorText::of(const DomainError &error)
{
    const QString &code = error.code;
    if (code == QLatin1String("validation_failed"))
        return validation(error);
    if (code == QLatin1String("invalid_phone_number"))
        return tr("This is not a valid phone number.");
    if (code == QLatin1String("forbidden"))
        return tr("You do not have permission to do this.");
    if (code == QLatin1String("role_not_manageable"))
        return tr("You may not manage members with this role.");
    if (code == QLatin1String("not_found"))
        return tr("It does not exist any more, or you may not see it.");
    if (code == QLatin1String("unknown_instance"))
        return tr("No instance with this id shares the database (any more).");
    if (code == QLatin1String("invalid_credentials"))
        return tr("Invalid email or password.");
    if (code == QLatin1String("account_disabled"))
        return tr("The account is disabled.");
    if (code == QLatin1String("too_many_attempts"))
        return tr("Too many failed sign-in attempts; try again later.");
    if (code == QLatin1String("email_taken"))
        return tr("A user with this email already exists.");
    if (code == QLatin1String("last_admin"))
        return tr("The organization needs at least one active admin.");
    if (code == QLatin1String("cannot_change_self"))
        return tr("You cannot change your own role, disable or remove yourself.");
    if (code == QLatin1String("phone_number_taken"))
        return tr("A client with this phone number already exists.");
    if (code == QLatin1String("client_not_running"))
        return tr("The client is not running.");
    if (code == QLatin1String("client_not_ready"))
        return tr("The client is not ready: link it by scanning its QR code first.");
    if (code == QLatin1String("client_paused"))
        return tr("The client is paused; resume it to send.");
    if (code == QLatin1String("contact_opted_out"))
        return tr("The contact opted out of messages.");
    if (code == QLatin1String("rate_limited"))
        return tr("Rate limit reached for this client.");
    if (code == QLatin1String("engine_unavailable"))
        return tr("WhatsApp sessions do not run in this process.");
    if (code == QLatin1String("client_not_linkable"))
        return tr("This client cannot be linked now: it is not showing its QR code.");
    if (code == QLatin1String("phone_number_refused"))
        return tr("WhatsApp gave no code for this number. Check that the number uses WhatsApp.");
    if (code == QLatin1String("page_not_answering"))
        return tr("WhatsApp Web did not answer. Try again.");
    if (code == QLatin1String("empty_media"))
        return tr("The file is empty.");
    if (code == QLatin1String("invalid_media"))
        return tr("The file is damaged or truncated, or not what its type says.");
    if (code == QLatin1String("media_too_large"))
        return tr("The file is larger than WaDesk accepts.");
    if (code == QLatin1String("media_type_not_allowed"))
        return tr("WhatsApp does not accept this kind of file. Images (JPEG, PNG, WebP), videos (MP4, 3GP), audio, PDF, office documents and text files can be sent.");
    if (code == QLatin1String("media_type_mismatch"))
        return tr("The file's content does not match its declared type.");
    if (code == QLatin1String("storage_quota_exceeded"))
        return tr("The organization's media storage is full: remove files or ask an admin to raise the quota.");
    if (code == QLatin1String("media_in_use"))
        return tr("A message waiting to be sent still needs this file.");
    if (code == QLatin1String("media_unavailable"))
        return tr("Media storage is not available.");
    if (code == QLatin1String("proxy_exists"))
        return tr("This proxy is already in the pool (same host, port and username).");
    if (code == QLatin1String("proxy_in_use")) {
        const int clients = error.details.value(QStringLiteral("clients")).toInt();
        return tr("%n clients use this proxy: assign them another proxy, or none, before deleting it.", nullptr, clients);
    }
    if (code == QLatin1String("proxy_full"))
        return tr("This proxy already serves its maximum of clients: choose another one or raise its maximum.");
    if (code == QLatin1String("no_proxy_available"))
        return tr("No proxy is free: each one is down or serves its maximum of clients.");
    if (code == QLatin1String("failover_not_allowed"))
        return tr("This client does not allow moving it to another proxy.");
    if (code == QLatin1String("internal_error"))
        return tr("Something went wrong inside WaDesk; the log has the details.");
    return error.message;
}

QString ErrorText::ofProxy(const DomainError &error)
{
    if (error.code != QLatin1String("validation_failed"))
        return of(error);
    const QString field = error.details.value(QStringLiteral("field")).toString();
    if (field == QLatin1String("type"))
        return tr("Choose the proxy type: HTTP or SOCKS5.");
    if (field == QLatin1String("host"))
        return tr("The host must be a host name or an IP address, without spaces.");
    if (field == QLatin1String("port"))
        return tr("The port must be a number from 1 to 65535.");
    if (field == QLatin1String("username"))
        return tr("The username must be at most 255 bytes, without control characters (and without \":\" for an HTTP proxy).");
    if (field == QLatin1String("password"))
        return tr("The proxy password must be at most 255 bytes without control characters, and needs a username.");
    if (field == QLatin1String("label"))
        return tr("The label must be 1 to 100 characters.");
    if (field == QLatin1String("country"))
        return tr("The country must be a two-letter code such as DE or US.");
    if (field == QLatin1String("max_clients")) {
        if (const int clients = error.details.value(QStringLiteral("clients")).toInt(); clients > 0)
            return tr("The most clients cannot go below the %n clients using the proxy.", nullptr, clients);
        return tr("The most clients must be a number from 1 to 1000.");
    }
    return of(error);
}

QString errorMessageFor(const DomainError &error)
{
    return ErrorText::of(error);
}

QString proxyErrorMessageFor(const DomainError &error)
{
    return ErrorText::ofProxy(error);
}

} // namespace wadesk

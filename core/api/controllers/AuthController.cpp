#include "core/api/controllers/AuthController.h"

#include "core/api/controllers/JsonViews.h"
#include "core/auth/AccountService.h"
#include "core/auth/PasswordHasher.h"
#include "core/common/Json.h"

namespace wadesk {

AuthController::AuthController(AccountService &accounts, const PasswordHasher &hasher)
    : m_accounts(accounts)
    , m_hasher(hasher)
{
}

void AuthController::registerRoutes(ApiRoutes &routes)
{
    routes.addPublicDeferred("POST", QStringLiteral("/api/auth/register"),
                             [this, &routes](ApiRequest &request, Reply reply) { registerAccount(routes, request, reply); });
    routes.addPublicDeferred("POST", QStringLiteral("/api/auth/login"),
                             [this, &routes](ApiRequest &request, Reply reply) { login(routes, request, reply); });
}

void AuthController::registerAccount(ApiRoutes &routes, ApiRequest &request, Reply reply)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return reply.send(HttpResponse::error(body.error()));
    Result<QString> email = Json::requiredString(body.value(), QStringLiteral("email"), 254);
    Result<QString> name = Json::requiredString(body.value(), QStringLiteral("name"), 100);
    Result<QString> orgName = Json::requiredString(body.value(), QStringLiteral("organization_name"), 200);
    const QJsonValue passwordValue = body.value().value(QStringLiteral("password"));
    for (const auto *field : {&email, &name, &orgName}) {
        if (!*field)
            return reply.send(HttpResponse::error(field->error()));
    }
    if (!passwordValue.isString())
        return reply.send(HttpResponse::error(DomainError::validation(QStringLiteral("password"), QStringLiteral("password is required"))));
    const QString password = passwordValue.toString();
    if (Status s = AccountService::validateRegistration(email.value(), password, name.value(), orgName.value()); !s)
        return reply.send(HttpResponse::error(s.error()));

    AccountService::RegisterInput input{email.value(), name.value(), orgName.value(), QString(), request.remoteAddress.toString()};
    const PasswordHasher &hasher = m_hasher;
    routes.offload([&hasher, password]() { return hasher.hash(password); },
                   [this, input, reply](const QString &hash) mutable {
                       input.passwordHash = hash;
                       Result<AccountService::Registration> r = m_accounts.registerOrganization(input);
                       if (!r)
                           return reply.send(HttpResponse::error(r.error()));
                       QJsonObject user = JsonViews::user(r.value().admin);
                       reply.send(HttpResponse::json(
                           QJsonObject{{QStringLiteral("message"), QStringLiteral("User created successfully")},
                                       {QStringLiteral("user"), user},
                                       {QStringLiteral("organization"),
                                        QJsonObject{{QStringLiteral("id"), r.value().organization.id},
                                                    {QStringLiteral("name"), r.value().organization.name}}},
                                       {QStringLiteral("token"), r.value().token},
                                       {QStringLiteral("api_key"), r.value().apiKey}},
                           201));
                   });
}

void AuthController::login(ApiRoutes &routes, ApiRequest &request, Reply reply)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return reply.send(HttpResponse::error(body.error()));
    Result<QString> email = Json::requiredString(body.value(), QStringLiteral("email"), 254);
    if (!email)
        return reply.send(HttpResponse::error(email.error()));
    const QJsonValue passwordValue = body.value().value(QStringLiteral("password"));
    if (!passwordValue.isString() || passwordValue.toString().isEmpty() || passwordValue.toString().size() > PasswordHasher::kMaxLength)
        return reply.send(HttpResponse::error(DomainError::validation(QStringLiteral("password"), QStringLiteral("password is required"))));
    const QString password = passwordValue.toString();
    const QString ip = request.remoteAddress.toString();

    Result<AccountService::LoginAttempt> attempt = m_accounts.beginLogin(email.value(), ip);
    if (!attempt)
        return reply.send(HttpResponse::error(attempt.error()));
    // Unknown accounts are checked against a decoy hash: the same work, the same answer time.
    const QString stored = attempt.value().user ? attempt.value().user->passwordHash : m_hasher.decoyHash();
    const PasswordHasher &hasher = m_hasher;
    struct Verdict {
        bool matched = false;
        QString rehash;
    };
    routes.offload(
        [&hasher, password, stored]() {
            Verdict v;
            v.matched = hasher.verify(password, stored);
            if (v.matched && hasher.needsRehash(stored))
                v.rehash = hasher.hash(password);
            return v;
        },
        [this, reply, attempt = attempt.value(), email = email.value(), ip](const Verdict &v) {
            Result<AccountService::LoginSuccess> r = m_accounts.finishLogin(email, attempt, v.matched, ip, v.rehash);
            if (!r)
                return reply.send(HttpResponse::error(r.error()));
            const UserRecord &u = r.value().user;
            reply.send(HttpResponse::json(QJsonObject{
                {QStringLiteral("message"), QStringLiteral("Login successful")},
                {QStringLiteral("token"), r.value().token},
                {QStringLiteral("expires_at"), Json::isoTime(r.value().expiresAt)},
                {QStringLiteral("user"),
                 QJsonObject{{QStringLiteral("id"), u.id},
                             {QStringLiteral("email"), u.email},
                             {QStringLiteral("name"), u.name},
                             {QStringLiteral("organization_id"), u.organizationId},
                             {QStringLiteral("role"), Permissions::roleName(u.role)}}}}));
        });
}

} // namespace wadesk

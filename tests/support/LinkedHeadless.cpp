#include "tests/support/LinkedHeadless.h"

#include <QJsonObject>
#include <QTest>

namespace wadesk::test {

QString LinkedHeadless::pageUrl(const QString &session) const
{
    return m_fake.pageUrl(session, {{QStringLiteral("readyMs"), QStringLiteral("50")},
                                    {QStringLiteral("qrFirstMs"), QStringLiteral("300")},
                                    {QStringLiteral("qrMax"), QStringLiteral("100")},
                                    {QStringLiteral("syncMs"), QStringLiteral("300")},
                                    {QStringLiteral("ackMs"), QStringLiteral("20")},
                                    {QStringLiteral("pollMs"), QStringLiteral("50")},
                                    {QStringLiteral("reportSends"), QStringLiteral("1")}})
        .toString(QUrl::FullyEncoded);
}

QProcessEnvironment LinkedHeadless::environment(const QString &db, const QString &instanceId, const QProcessEnvironment &extra) const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("WADESK_DB"), db);
    env.insert(QStringLiteral("WADESK_INSTANCE_ID"), instanceId);
    env.insert(QStringLiteral("WADESK_PASSWORD_HASH_COST"), QStringLiteral("min"));
    env.insert(QStringLiteral("WADESK_HEALTH_CACHE_MS"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_WA_URL"), pageUrl(instanceId));
    env.insert(QStringLiteral("WADESK_INJECT_WAJS"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_INTERVAL_MS"), QStringLiteral("500"));
    env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_TIMEOUT_MS"), QStringLiteral("20000"));
    env.insert(QStringLiteral("WADESK_PACING"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_CHECK_NUMBER_EXISTS"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_RATE_PER_MINUTE"), QStringLiteral("1000"));
    env.insert(QStringLiteral("WADESK_RATE_PER_HOUR"), QStringLiteral("10000"));
    env.insert(QStringLiteral("WADESK_RATE_PER_DAY"), QStringLiteral("100000"));
    for (const QString &key : extra.keys())
        env.insert(key, extra.value(key));
    return env;
}

std::unique_ptr<WadeskInstance> LinkedHeadless::launch(const QString &home, const QProcessEnvironment &environment) const
{
    auto app = std::make_unique<WadeskInstance>(home, environment, m_waitMs);
    if (!app->start()) {
        qWarning("wadesk %s did not start:\n%s", qPrintable(environment.value(QStringLiteral("WADESK_INSTANCE_ID"))),
                 qPrintable(app->output().right(4000)));
        return nullptr;
    }
    return app;
}

QJsonValue LinkedHeadless::command(const QString &session, const QString &cmd, const QJsonArray &args) const
{
    const int before = int(m_fake.results(session).size());
    m_fake.enqueue(session, cmd, args);
    if (!QTest::qWaitFor([&] { return m_fake.results(session).size() > before; }, m_waitMs)) {
        qWarning("the page of %s never ran %s", qPrintable(session), qPrintable(cmd));
        return QJsonValue(QJsonValue::Undefined);
    }
    return m_fake.results(session).at(before).value(QLatin1String("result"));
}

bool LinkedHeadless::link(const QString &session, const QString &phone) const
{
    if (!QTest::qWaitFor([&] { return !command(session, QStringLiteral("state")).toObject().value(QLatin1String("qr")).isNull(); },
                         m_waitMs))
        return false;
    return command(session, QStringLiteral("scan"), {phone}).toObject().value(QLatin1String("ok")).toBool();
}

int LinkedHeadless::receivedOn(const QString &session, const QString &body) const
{
    int n = 0;
    for (const QJsonObject &o : m_fake.received(session))
        n += o.value(QLatin1String("body")).toString() == body ? 1 : 0;
    return n;
}

} // namespace wadesk::test

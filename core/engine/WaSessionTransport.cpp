#include "core/engine/WaSessionTransport.h"

#include "core/engine/WaSession.h"

namespace wadesk {

bool WaSessionTransport::isReady() const
{
    return m_session.state() == SessionState::Ready;
}

void WaSessionTransport::markComposing(const QString &chatId, int durationMs)
{
    m_session.call(QStringLiteral("markComposing"), {chatId, durationMs}, [](bool, const QJsonValue &, const QString &) {});
}

void WaSessionTransport::sendText(const QString &chatId, const QString &text,
                                  std::function<void(bool, const QString &, const QString &)> done)
{
    m_session.call(QStringLiteral("sendText"), {chatId, text, QJsonObject()},
                   [done](bool ok, const QJsonValue &result, const QString &error) {
                       done(ok, ok ? result.toObject().value(QStringLiteral("id")).toString() : QString(), error);
                   });
}

void WaSessionTransport::queryExists(const QString &chatId, std::function<void(bool, bool, const QString &)> done)
{
    m_session.call(QStringLiteral("queryExists"), {chatId},
                   [done](bool ok, const QJsonValue &result, const QString &error) { done(ok, ok && result.isObject(), error); });
}

} // namespace wadesk

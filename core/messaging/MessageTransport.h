#pragma once

#include <QString>
#include <functional>

namespace wadesk {

// What the sender needs from a live session. The engine implements it over WaSession; tests
// may give their own. Callbacks run on the main thread, exactly once.
class MessageTransport {
public:
    virtual ~MessageTransport() = default;
    virtual bool isReady() const = 0;
    virtual void markComposing(const QString &chatId, int durationMs) = 0;
    virtual void sendText(const QString &chatId, const QString &text,
                          std::function<void(bool ok, const QString &waMessageId, const QString &error)> done) = 0;
    // `exists` is meaningful only when ok.
    virtual void queryExists(const QString &chatId, std::function<void(bool ok, bool exists, const QString &error)> done) = 0;
};

// "14155552671@c.us" for "+14155552671".
inline QString chatIdForPhone(const QString &e164)
{
    QString digits = e164;
    digits.remove(QLatin1Char('+'));
    return digits + QStringLiteral("@c.us");
}

} // namespace wadesk

#pragma once

#include "core/messaging/PageMessage.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <functional>

namespace wadesk {

// A file as the page sends it with wa-js `WPP.chat.sendFileMessage(chat, dataUrl, options)`:
// `type` is wa-js's option (image, video, audio, document, sticker; a voice note is `audio`
// with `isPtt`).
struct OutgoingFile {
    QByteArray bytes;
    QString mimetype;
    QString type;
    QString caption;
    QString filename;
    bool voiceNote = false;
};

// What the sender needs from a live session. The engine implements it over WaSession; tests
// may give their own. Callbacks run on the main thread, exactly once.
class MessageTransport {
public:
    // `waMessageId` may be set when !ok: WhatsApp took the message and then refused it (ack -1,
    // a send result other than OK); the id lets its later acks be recognized.
    using SendDone = std::function<void(bool ok, const QString &waMessageId, const QString &error)>;

    virtual ~MessageTransport() = default;
    virtual bool isReady() const = 0;
    virtual void markComposing(const QString &chatId, int durationMs) = 0;
    virtual void sendText(const QString &chatId, const QString &text, SendDone done) = 0;
    virtual void sendFile(const QString &chatId, const OutgoingFile &file, SendDone done) = 0;
    // `exists` is meaningful only when ok.
    virtual void queryExists(const QString &chatId, std::function<void(bool ok, bool exists, const QString &error)> done) = 0;
    using RecentMessagesDone = std::function<void(bool ok, const QList<PageMessage> &messages, const QString &error)>;
    // The latest `count` messages of a chat as the page holds them, oldest first. A transport
    // that cannot look (a test's) answers !ok: nothing is reconciled through it.
    virtual void recentMessages(const QString &chatId, int count, RecentMessagesDone done)
    {
        (void)chatId;
        (void)count;
        done(false, {}, QStringLiteral("this transport cannot list a chat's messages"));
    }
};

// "14155552671@c.us" for "+14155552671".
inline QString chatIdForPhone(const QString &e164)
{
    QString digits = e164;
    digits.remove(QLatin1Char('+'));
    return digits + QStringLiteral("@c.us");
}

// What a send's answer from the page means, as the bridge reports it: `{id, ack, result}` where
// `result` is wa-js's `sendMsgResult.messageSendResult` (null when it did not settle in time).
// A negative ack or a result other than "OK" is WhatsApp refusing the message. Empty when sent.
QString refusalOfSendResult(int ack, const QString &messageSendResult);

} // namespace wadesk

#include "core/engine/WaSessionTransport.h"

#include "core/engine/WaSession.h"

#include <QJsonArray>
#include <QJsonObject>

namespace wadesk {

namespace {
// Large files take a while to upload before wa-js answers.
constexpr int kFileSendTimeoutMs = 5 * 60 * 1000;

// The bridge's answer to sendText/sendFile: {id, ack, result} (see bridge.js).
WaSession::Callback readSendAnswer(MessageTransport::SendDone done)
{
    return [done](bool ok, const QJsonValue &answer, const QString &error) {
        if (!ok) {
            done(false, QString(), error);
            return;
        }
        const QJsonObject r = answer.toObject();
        const QString id = r.value(QStringLiteral("id")).toString();
        const QJsonValue ack = r.value(QStringLiteral("ack"));
        const QString refusal = refusalOfSendResult(ack.isDouble() ? ack.toInt() : 0, r.value(QStringLiteral("result")).toString());
        if (!refusal.isEmpty()) {
            done(false, id, refusal);
            return;
        }
        if (id.isEmpty()) {
            done(false, QString(), QStringLiteral("the page did not say which message it sent"));
            return;
        }
        done(true, id, QString());
    };
}
} // namespace

bool WaSessionTransport::isReady() const
{
    return m_session.state() == SessionState::Ready;
}

void WaSessionTransport::markComposing(const QString &chatId, int durationMs)
{
    m_session.call(QStringLiteral("markComposing"), {chatId, durationMs}, [](bool, const QJsonValue &, const QString &) {});
}

void WaSessionTransport::sendText(const QString &chatId, const QString &text, SendDone done)
{
    m_session.call(QStringLiteral("sendText"), {chatId, text, QJsonObject()}, readSendAnswer(std::move(done)));
}

void WaSessionTransport::sendFile(const QString &chatId, const OutgoingFile &file, SendDone done)
{
    // wa-js's FileMessageOptions: type, caption, filename, mimetype; isPtt for a voice note.
    QJsonObject options{{QStringLiteral("type"), file.type}, {QStringLiteral("mimetype"), file.mimetype}};
    if (!file.caption.isEmpty())
        options.insert(QStringLiteral("caption"), file.caption);
    if (!file.filename.isEmpty())
        options.insert(QStringLiteral("filename"), file.filename);
    if (file.voiceNote)
        options.insert(QStringLiteral("isPtt"), true);
    const QString dataUrl = QStringLiteral("data:%1;base64,").arg(file.mimetype) + QString::fromLatin1(file.bytes.toBase64());
    m_session.call(QStringLiteral("sendFile"), {chatId, dataUrl, options}, readSendAnswer(std::move(done)), kFileSendTimeoutMs);
}

void WaSessionTransport::queryExists(const QString &chatId, std::function<void(bool, bool, const QString &)> done)
{
    m_session.call(QStringLiteral("queryExists"), {chatId},
                   [done](bool ok, const QJsonValue &result, const QString &error) { done(ok, ok && result.isObject(), error); });
}

void WaSessionTransport::recentMessages(const QString &chatId, int count, RecentMessagesDone done)
{
    m_session.call(QStringLiteral("recentMessages"), {chatId, count}, [done](bool ok, const QJsonValue &result, const QString &error) {
        if (!ok) {
            done(false, {}, error);
            return;
        }
        if (!result.isArray()) {
            done(false, {}, QStringLiteral("the page did not answer a list of messages"));
            return;
        }
        QList<PageMessage> out;
        for (const QJsonValue &v : result.toArray()) {
            const QJsonObject m = v.toObject();
            PageMessage p;
            p.waId = m.value(QStringLiteral("id")).toString();
            if (p.waId.isEmpty())
                continue; // nothing to store a match under
            p.fromMe = m.value(QStringLiteral("fromMe")).toBool();
            p.type = m.value(QStringLiteral("type")).toString();
            p.text = m.value(QStringLiteral("text")).toString();
            p.t = qint64(m.value(QStringLiteral("t")).toDouble());
            p.ack = m.value(QStringLiteral("ack")).toInt();
            out << p;
        }
        done(true, out, QString());
    });
}

} // namespace wadesk

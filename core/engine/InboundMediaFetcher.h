#pragma once

#include "core/messaging/InboundProcessor.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QQueue>
#include <QString>
#include <functional>

namespace wadesk {

class WaSession;

// Fetches the files of received messages from one session's page: the bridge downloads the file
// with wa-js (WPP.chat.downloadMedia, retried with backoff in the page) and keeps the Blob; this
// pulls it in base64 chunks of kChunkBytes, one file and one chunk at a time, so neither the
// page nor this process ever holds more than one file and one chunk in flight, and the event
// loop is never blocked. Files larger than the limit are refused by the page before they cross.
// Every fetch ends exactly once (bytes or a reason), also when the page goes away.
class InboundMediaFetcher final : public QObject {
    Q_OBJECT
public:
    using Done = std::function<void(const FetchedMedia &)>;
    static constexpr int kChunkBytes = 1024 * 1024;

    InboundMediaFetcher(WaSession *session, qint64 maxBytes, QObject *parent = nullptr);
    ~InboundMediaFetcher() override;

    void fetch(const QString &waMessageId, Done done);
    int queued() const { return int(m_queue.size()) + (m_busy ? 1 : 0); }

private:
    struct Job {
        QString waMessageId;
        Done done;
    };
    void next();
    void pullChunk();
    void finish(const FetchedMedia &result);
    void fail(const QString &why) { FetchedMedia f; f.error = why; finish(f); }

    QPointer<WaSession> m_session;
    qint64 m_maxBytes;
    QQueue<Job> m_queue;
    bool m_busy = false;
    Job m_current;
    QString m_handle;
    QString m_mimetype;
    qint64 m_size = 0;
    QByteArray m_bytes;
};

} // namespace wadesk

#include "core/engine/InboundMediaFetcher.h"

#include "core/engine/WaSession.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTimer>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
// The page retries a failed download a few times with backoff before it answers; a large file
// over a slow link takes minutes.
constexpr int kDownloadTimeoutMs = 10 * 60 * 1000;
constexpr int kChunkTimeoutMs = 60 * 1000;
} // namespace

InboundMediaFetcher::InboundMediaFetcher(WaSession *session, qint64 maxBytes, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_maxBytes(maxBytes)
{
}

InboundMediaFetcher::~InboundMediaFetcher()
{
    // Fetches that never ran end here: their messages are announced without the file.
    if (m_busy) {
        FetchedMedia gone;
        gone.error = QStringLiteral("interrupted: the session stopped");
        if (m_current.done)
            m_current.done(gone);
    }
    while (!m_queue.isEmpty()) {
        FetchedMedia gone;
        gone.error = QStringLiteral("interrupted: the session stopped");
        Job job = m_queue.dequeue();
        if (job.done)
            job.done(gone);
    }
}

void InboundMediaFetcher::fetch(const QString &waMessageId, Done done)
{
    m_queue.enqueue(Job{waMessageId, std::move(done)});
    if (!m_busy)
        next();
}

void InboundMediaFetcher::next()
{
    if (m_queue.isEmpty()) {
        m_busy = false;
        return;
    }
    m_busy = true;
    m_current = m_queue.dequeue();
    m_handle.clear();
    m_mimetype.clear();
    m_size = 0;
    m_bytes.clear();
    if (!m_session) {
        fail(QStringLiteral("interrupted: the session stopped"));
        return;
    }
    QPointer<InboundMediaFetcher> self(this);
    m_session->call(
        QStringLiteral("downloadMedia"), QJsonArray{m_current.waMessageId, double(m_maxBytes)},
        [self](bool ok, const QJsonValue &result, const QString &error) {
            if (!self || !self->m_busy)
                return;
            if (!ok) {
                self->fail(error);
                return;
            }
            const QJsonObject r = result.toObject();
            self->m_handle = r.value(QStringLiteral("handle")).toString();
            self->m_size = qint64(r.value(QStringLiteral("size")).toDouble());
            self->m_mimetype = r.value(QStringLiteral("mimetype")).toString();
            if (self->m_handle.isEmpty()) {
                self->fail(QStringLiteral("the page answered no file"));
            } else if (self->m_size <= 0) {
                self->fail(QStringLiteral("the file is empty"));
            } else if (self->m_size > self->m_maxBytes) {
                self->fail(QStringLiteral("media_too_large: %1 bytes, the limit is %2").arg(self->m_size).arg(self->m_maxBytes));
            } else {
                self->m_bytes.reserve(qsizetype(self->m_size));
                self->pullChunk();
            }
        },
        kDownloadTimeoutMs);
}

void InboundMediaFetcher::pullChunk()
{
    if (!m_session) {
        fail(QStringLiteral("interrupted: the session stopped"));
        return;
    }
    QPointer<InboundMediaFetcher> self(this);
    const qint64 offset = m_bytes.size();
    m_session->call(
        QStringLiteral("mediaChunk"), QJsonArray{m_handle, double(offset), kChunkBytes},
        [self, offset](bool ok, const QJsonValue &result, const QString &error) {
            if (!self || !self->m_busy || offset != self->m_bytes.size())
                return;
            if (!ok) {
                self->fail(error);
                return;
            }
            const QByteArray chunk = QByteArray::fromBase64(result.toString().toLatin1());
            if (chunk.isEmpty() || offset + chunk.size() > self->m_size || chunk.size() > kChunkBytes) {
                self->fail(QStringLiteral("the page sent a chunk that does not fit the file"));
                return;
            }
            self->m_bytes.append(chunk);
            if (self->m_bytes.size() < self->m_size) {
                self->pullChunk();
                return;
            }
            FetchedMedia done;
            done.ok = true;
            done.bytes = std::move(self->m_bytes);
            done.mimetype = self->m_mimetype;
            self->finish(done);
        },
        kChunkTimeoutMs);
}

void InboundMediaFetcher::finish(const FetchedMedia &result)
{
    if (!m_handle.isEmpty() && m_session)
        m_session->call(QStringLiteral("mediaRelease"), QJsonArray{m_handle}, [](bool, const QJsonValue &, const QString &) {});
    m_handle.clear();
    m_bytes = QByteArray();
    Job job = std::move(m_current);
    m_current = Job();
    if (!result.ok)
        spdlog::info("the file of WhatsApp message {} was not fetched: {}", job.waMessageId.toStdString(), result.error.toStdString());
    if (job.done)
        job.done(result);
    // The next file after this turn of the event loop: the callback above may still be on the stack.
    QPointer<InboundMediaFetcher> self(this);
    QTimer::singleShot(0, this, [self]() {
        if (self)
            self->next();
    });
}

} // namespace wadesk

#include "ui/common/ImageThumbnailer.h"

#include <QBuffer>
#include <QFile>
#include <QImageReader>
#include <QMetaObject>

namespace wadesk {

namespace {
// Failed keys are remembered so a broken file is not read again on every paint; bounded.
constexpr int kMaxRememberedStates = 4096;
} // namespace

ImageThumbnailer::ImageThumbnailer(int maxEdge, QObject *parent, int cacheKiB)
    : QObject(parent)
    , m_maxEdge(qMax(16, maxEdge))
{
    m_cache.setMaxCost(qMax(1024, cacheKiB));
    // One decoder at a time: thumbnails come in as a thread scrolls, and the GUI keeps a core.
    m_pool.setMaxThreadCount(1);
}

ImageThumbnailer::~ImageThumbnailer()
{
    m_pool.clear();
    m_pool.waitForDone();
}

ImageThumbnailer::State ImageThumbnailer::state(const QString &key) const
{
    if (m_cache.contains(key))
        return State::Ready;
    return m_states.value(key, State::Unknown);
}

QImage ImageThumbnailer::thumbnail(const QString &key) const
{
    const QImage *image = m_cache.object(key);
    return image ? *image : QImage();
}

QImage ImageThumbnailer::decode(QIODevice *device, int maxEdge)
{
    QImageReader reader(device);
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty())
        return {};
    if (qint64(size.width()) * size.height() > kMaxSourcePixels)
        return {};
    if (size.width() > maxEdge || size.height() > maxEdge)
        reader.setScaledSize(size.scaled(maxEdge, maxEdge, Qt::KeepAspectRatio));
    QImage image = reader.read();
    if (image.isNull())
        return {};
    // Formats without a scaled read (PNG, GIF) came back at their full size.
    if (image.width() > maxEdge || image.height() > maxEdge)
        image = image.scaled(maxEdge, maxEdge, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    return image;
}

QImage ImageThumbnailer::decodeFile(const QString &path, int maxEdge)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return decode(&file, maxEdge);
}

void ImageThumbnailer::requestFile(const QString &key, const QString &path)
{
    if (state(key) != State::Unknown)
        return;
    m_states.insert(key, State::Loading);
    const int edge = m_maxEdge;
    m_pool.start([this, key, path, edge]() {
        const QImage image = decodeFile(path, edge);
        // Queued to this object; the destructor waits for this task, so `this` is alive here,
        // and an event left undelivered dies with the object.
        QMetaObject::invokeMethod(this, [this, key, image]() { finished(key, image); }, Qt::QueuedConnection);
    });
}

void ImageThumbnailer::requestBytes(const QString &key, const QByteArray &bytes)
{
    if (state(key) != State::Unknown)
        return;
    m_states.insert(key, State::Loading);
    const int edge = m_maxEdge;
    m_pool.start([this, key, bytes, edge]() {
        QByteArray data = bytes;
        QBuffer buffer(&data);
        buffer.open(QIODevice::ReadOnly);
        const QImage image = decode(&buffer, edge);
        QMetaObject::invokeMethod(this, [this, key, image]() { finished(key, image); }, Qt::QueuedConnection);
    });
}

void ImageThumbnailer::markFailed(const QString &key)
{
    m_cache.remove(key);
    if (m_states.size() >= kMaxRememberedStates)
        m_states.clear();
    m_states.insert(key, State::Failed);
    emit ready(key);
}

void ImageThumbnailer::forget(const QString &key)
{
    m_cache.remove(key);
    m_states.remove(key);
}

void ImageThumbnailer::finished(const QString &key, const QImage &image)
{
    if (m_states.value(key) != State::Loading)
        return; // forgotten meanwhile
    if (image.isNull()) {
        markFailed(key);
        return;
    }
    m_states.remove(key);
    const int cost = qMax<qsizetype>(1, image.sizeInBytes() / 1024);
    m_cache.insert(key, new QImage(image), int(cost));
    emit ready(key);
}

} // namespace wadesk

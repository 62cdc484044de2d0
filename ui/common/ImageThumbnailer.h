#pragma once

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QThreadPool>

class QIODevice;

namespace wadesk {

// Small images of pictures, decoded off the GUI thread and kept by key (a media id, a file path)
// in a cache bounded in bytes. A picture is read scaled (QImageReader::setScaledSize: a JPEG is
// decoded at the size shown, never whole), and one whose header announces more than
// kMaxSourcePixels is not decoded at all: a 100 MB file never becomes a QPixmap.
class ImageThumbnailer final : public QObject {
    Q_OBJECT
public:
    static constexpr qint64 kMaxSourcePixels = 64LL * 1000 * 1000;
    static constexpr int kDefaultCacheKiB = 48 * 1024;

    enum class State { Unknown, Loading, Ready, Failed };

    // `maxEdge`: the longest side of a thumbnail, in device pixels.
    explicit ImageThumbnailer(int maxEdge, QObject *parent = nullptr, int cacheKiB = kDefaultCacheKiB);
    ~ImageThumbnailer() override; // waits for the decodes in flight

    int maxEdge() const { return m_maxEdge; }
    State state(const QString &key) const;
    // The thumbnail when ready (null otherwise).
    QImage thumbnail(const QString &key) const;
    // Starts decoding unless the key is loading, ready or failed already. `ready(key)` follows,
    // on this object's thread, whether it worked or not.
    void requestFile(const QString &key, const QString &path);
    void requestBytes(const QString &key, const QByteArray &bytes);
    // Marks a key as having no picture (a file missing, too large to read): Failed, announced.
    void markFailed(const QString &key);
    void forget(const QString &key);

    // The decode itself (any thread): null when it is not a picture Qt reads, or too large.
    static QImage decode(QIODevice *device, int maxEdge);
    static QImage decodeFile(const QString &path, int maxEdge);

signals:
    void ready(const QString &key);

private:
    void finished(const QString &key, const QImage &image);

    int m_maxEdge;
    QThreadPool m_pool;
    QCache<QString, QImage> m_cache; // cost: KiB
    QHash<QString, State> m_states;  // Loading and Failed; Ready ones are in the cache
};

} // namespace wadesk

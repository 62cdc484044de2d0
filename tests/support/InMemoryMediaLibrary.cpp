#include "tests/support/InMemoryMediaLibrary.h"

#include "core/common/Ids.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QMimeDatabase>
#include <QMutexLocker>

namespace wadesk::test {

namespace {
// The kind WhatsApp gives a type; empty: not a type this library accepts.
QString kindOf(const QString &mimetype, bool voiceNote)
{
    if (mimetype == QLatin1String("image/png") || mimetype == QLatin1String("image/jpeg"))
        return QStringLiteral("image");
    if (mimetype == QLatin1String("image/webp"))
        return QStringLiteral("sticker");
    if (mimetype == QLatin1String("video/mp4") || mimetype == QLatin1String("video/3gpp"))
        return QStringLiteral("video");
    if (mimetype == QLatin1String("audio/ogg") || mimetype == QLatin1String("audio/x-opus+ogg") || mimetype == QLatin1String("audio/mpeg")
        || mimetype == QLatin1String("audio/aac") || mimetype == QLatin1String("audio/mp4"))
        return voiceNote ? QStringLiteral("voice") : QStringLiteral("audio");
    if (mimetype == QLatin1String("application/pdf"))
        return QStringLiteral("document");
    return {};
}
} // namespace

Result<MediaInfo> InMemoryMediaLibrary::store(const QString &organizationId, const QByteArray &bytes, const MediaHints &hints,
                                              const QString &createdBy)
{
    Q_UNUSED(createdBy);
    if (bytes.isEmpty())
        return DomainError::badRequest(QStringLiteral("The file is empty"), QStringLiteral("invalid_media"));
    const QMimeType type = QMimeDatabase().mimeTypeForData(bytes);
    const QString mimetype = type.name();
    const QString kind = kindOf(mimetype, hints.voiceNote);
    if (kind.isEmpty())
        return DomainError{415, QStringLiteral("media_type_not_allowed"), QStringLiteral("This type of file cannot be sent (%1)").arg(mimetype), {}, 0};
    if (!hints.declaredMimetype.isEmpty() && hints.declaredMimetype != mimetype && !type.aliases().contains(hints.declaredMimetype))
        return DomainError{415, QStringLiteral("media_type_mismatch"),
                           QStringLiteral("The file is %1, not %2").arg(mimetype, hints.declaredMimetype), {}, 0};
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    QMutexLocker lock(&m_mutex);
    for (const Entry &e : std::as_const(m_files)) {
        if (e.info.organizationId == organizationId && e.info.sha256 == sha)
            return e.info;
    }
    MediaInfo info;
    info.id = Ids::make("media");
    info.organizationId = organizationId;
    info.filename = hints.filename.isEmpty() ? info.id + QLatin1Char('.') + type.preferredSuffix() : hints.filename;
    info.mimetype = mimetype;
    info.kind = kind;
    info.sha256 = sha;
    info.size = bytes.size();
    info.createdAt = QDateTime::currentMSecsSinceEpoch();
    m_files.insert(info.id, Entry{info, bytes});
    return info;
}

Result<MediaInfo> InMemoryMediaLibrary::info(const QString &organizationId, const QString &mediaId)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_files.constFind(mediaId);
    if (it == m_files.constEnd() || it->info.organizationId != organizationId)
        return DomainError::notFound(QStringLiteral("Media"));
    return it->info;
}

Result<QByteArray> InMemoryMediaLibrary::readAll(const QString &organizationId, const QString &mediaId)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_files.constFind(mediaId);
    if (it == m_files.constEnd() || it->info.organizationId != organizationId)
        return DomainError::notFound(QStringLiteral("Media"));
    return it->bytes;
}

bool InMemoryMediaLibrary::remove(const QString &mediaId)
{
    QMutexLocker lock(&m_mutex);
    return m_files.remove(mediaId) > 0;
}

int InMemoryMediaLibrary::count() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_files.size());
}

} // namespace wadesk::test

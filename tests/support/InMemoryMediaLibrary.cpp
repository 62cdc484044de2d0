#include "tests/support/InMemoryMediaLibrary.h"

#include "core/common/Ids.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QMimeDatabase>
#include <QMutexLocker>

namespace wadesk::test {

namespace {
// The kind WhatsApp gives a type (by its family, as the real store roughly does); empty: a
// type no store accepts (programs, scripts, web pages, unknown binary data).
QString kindOf(const QMimeType &type, bool voiceNote)
{
    const QString name = type.name();
    if (name == QLatin1String("application/octet-stream") || name.startsWith(QLatin1String("application/x-"))
        || name == QLatin1String("text/html") || name == QLatin1String("image/svg+xml") || type.inherits(QStringLiteral("application/x-executable"))
        || name == QLatin1String("application/vnd.microsoft.portable-executable"))
        return {};
    if (voiceNote)
        return QStringLiteral("voice");
    if (name.startsWith(QLatin1String("image/")))
        return name == QLatin1String("image/webp") ? QStringLiteral("sticker") : QStringLiteral("image");
    if (name.startsWith(QLatin1String("video/")))
        return QStringLiteral("video");
    if (name.startsWith(QLatin1String("audio/")))
        return QStringLiteral("audio");
    return QStringLiteral("document");
}
} // namespace

Result<MediaInfo> InMemoryMediaLibrary::store(const QString &organizationId, const QByteArray &bytes, const MediaHints &hints,
                                              const QString &createdBy)
{
    Q_UNUSED(createdBy);
    QMutexLocker lock(&m_mutex);
    ++m_storeCalls;
    m_hints << hints;
    if (m_refusal) {
        DomainError refusal = *m_refusal;
        m_refusal.reset();
        return refusal;
    }
    if (bytes.isEmpty())
        return DomainError::badRequest(QStringLiteral("The file is empty"), QStringLiteral("invalid_media"));
    const QMimeType type = QMimeDatabase().mimeTypeForData(bytes);
    const QString mimetype = type.name();
    const QString kind = kindOf(type, hints.voiceNote);
    if (kind.isEmpty())
        return DomainError{415, QStringLiteral("media_type_not_allowed"), QStringLiteral("This type of file cannot be sent (%1)").arg(mimetype), {}, 0};
    if (!hints.declaredMimetype.isEmpty() && hints.declaredMimetype != mimetype && !type.aliases().contains(hints.declaredMimetype))
        return DomainError{415, QStringLiteral("media_type_mismatch"),
                           QStringLiteral("The file is %1, not %2").arg(mimetype, hints.declaredMimetype), {}, 0};
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
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

void InMemoryMediaLibrary::refuseNextStore(const DomainError &error)
{
    QMutexLocker lock(&m_mutex);
    m_refusal = error;
}

int InMemoryMediaLibrary::storeCalls() const
{
    QMutexLocker lock(&m_mutex);
    return m_storeCalls;
}

QList<MediaHints> InMemoryMediaLibrary::hintsSeen() const
{
    QMutexLocker lock(&m_mutex);
    return m_hints;
}

int InMemoryMediaLibrary::count() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_files.size());
}

} // namespace wadesk::test

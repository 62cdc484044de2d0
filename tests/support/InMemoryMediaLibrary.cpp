#include "tests/support/InMemoryMediaLibrary.h"

#include "core/common/Ids.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QMimeDatabase>

namespace wadesk::test {

Result<MediaInfo> InMemoryMediaLibrary::store(const QString &organizationId, const QByteArray &bytes, const MediaHints &hints,
                                              const QString &)
{
    ++m_storeCalls;
    m_hints << hints;
    if (m_refusal) {
        DomainError refusal = *m_refusal;
        m_refusal.reset();
        return refusal;
    }
    if (bytes.isEmpty())
        return DomainError::badRequest(QStringLiteral("The file is empty"), QStringLiteral("media_empty"));
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    for (const Item &item : m_items) {
        if (item.info.organizationId == organizationId && item.info.sha256 == sha)
            return item.info;
    }
    MediaInfo info;
    info.id = Ids::make("media");
    info.organizationId = organizationId;
    info.filename = hints.filename;
    info.mimetype = QMimeDatabase().mimeTypeForData(bytes).name();
    if (hints.voiceNote)
        info.kind = QStringLiteral("voice");
    else if (info.mimetype.startsWith(QLatin1String("image/")))
        info.kind = info.mimetype == QLatin1String("image/webp") ? QStringLiteral("sticker") : QStringLiteral("image");
    else if (info.mimetype.startsWith(QLatin1String("video/")))
        info.kind = QStringLiteral("video");
    else if (info.mimetype.startsWith(QLatin1String("audio/")))
        info.kind = QStringLiteral("audio");
    else
        info.kind = QStringLiteral("document");
    info.sha256 = sha;
    info.size = bytes.size();
    info.createdAt = QDateTime::currentMSecsSinceEpoch();
    m_items.insert(info.id, Item{info, bytes});
    return info;
}

Result<MediaInfo> InMemoryMediaLibrary::info(const QString &organizationId, const QString &mediaId)
{
    const auto it = m_items.constFind(mediaId);
    if (it == m_items.constEnd() || it->info.organizationId != organizationId)
        return DomainError::notFound(QStringLiteral("Media"));
    return it->info;
}

Result<QByteArray> InMemoryMediaLibrary::readAll(const QString &organizationId, const QString &mediaId)
{
    const auto it = m_items.constFind(mediaId);
    if (it == m_items.constEnd() || it->info.organizationId != organizationId)
        return DomainError::notFound(QStringLiteral("Media"));
    return it->bytes;
}

} // namespace wadesk::test

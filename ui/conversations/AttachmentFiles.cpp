#include "ui/conversations/AttachmentFiles.h"

#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"
#include "core/media/MediaService.h"

#include <QDir>
#include <QFileInfo>
#include <QMimeDatabase>
#include <QSaveFile>
#include <memory>

namespace wadesk {

namespace {
constexpr int kMaxNameLength = 120;
constexpr qint64 kCopyChunk = 1024 * 1024;
} // namespace

AttachmentFiles::AttachmentFiles(DesktopContext &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_dir(QDir::tempPath() + QStringLiteral("/wadesk-attachments-XXXXXX"))
{
}

QString AttachmentFiles::safeFileName(const QString &name, const QString &mimetype, const QString &fallback)
{
    // Only the last path component: "../../x" or "C:\\x" name no folder.
    QString base = name;
    const qsizetype cut = std::max(base.lastIndexOf(QLatin1Char('/')), base.lastIndexOf(QLatin1Char('\\')));
    if (cut >= 0)
        base = base.mid(cut + 1);
    QString safe;
    safe.reserve(base.size());
    for (const QChar c : std::as_const(base)) {
        const char16_t u = c.unicode();
        const bool reserved = u < 0x20 || u == 0x7f || QStringLiteral("<>:\"/\\|?*").contains(c) || c.category() == QChar::Other_Format;
        safe += reserved ? QLatin1Char('_') : c;
    }
    safe = safe.trimmed();
    while (safe.startsWith(QLatin1Char('.')))
        safe.remove(0, 1);
    while (safe.endsWith(QLatin1Char('.')) || safe.endsWith(QLatin1Char(' ')))
        safe.chop(1);
    if (safe.isEmpty())
        safe = fallback;
    QString suffix = QFileInfo(safe).suffix();
    if (suffix.isEmpty() && !mimetype.isEmpty()) {
        const QMimeType type = QMimeDatabase().mimeTypeForName(mimetype);
        if (type.isValid() && !type.preferredSuffix().isEmpty()) {
            suffix = type.preferredSuffix();
            safe += QLatin1Char('.') + suffix;
        }
    }
    if (safe.size() > kMaxNameLength) {
        // Keep the extension: it is what picks the application that opens it.
        const QString ext = suffix.isEmpty() || suffix.size() > 16 ? QString() : QLatin1Char('.') + suffix;
        safe = safe.left(kMaxNameLength - ext.size()) + ext;
    }
    return safe;
}

QString AttachmentFiles::writeTo(const QString &mediaId, const QString &path)
{
    Result<MediaService::Content> content = m_context.media().content(m_context.actor(), mediaId);
    if (!content)
        return errorMessageFor(content.error());
    std::unique_ptr<QIODevice> in = content.value().open ? content.value().open() : nullptr;
    if (!in)
        return tr("The file is no longer stored.");
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return tr("%1 cannot be written: %2").arg(QDir::toNativeSeparators(path), out.errorString());
    QByteArray chunk;
    qint64 copied = 0;
    while (!(chunk = in->read(kCopyChunk)).isEmpty()) {
        copied += chunk.size();
        if (out.write(chunk) != chunk.size()) {
            out.cancelWriting();
            return tr("%1 cannot be written: %2").arg(QDir::toNativeSeparators(path), out.errorString());
        }
    }
    if (copied != content.value().info.size) {
        out.cancelWriting();
        return tr("The stored file could not be read whole.");
    }
    if (!out.commit())
        return tr("%1 cannot be written: %2").arg(QDir::toNativeSeparators(path), out.errorString());
    return {};
}

QString AttachmentFiles::writeTemporary(const QString &mediaId, const QString &name, const QString &mimetype, QString *path)
{
    if (!m_dir.isValid())
        return tr("No temporary folder could be made: %1").arg(m_dir.errorString());
    // One folder per media: two files called "invoice.pdf" do not overwrite each other.
    const QString folder = m_dir.filePath(safeFileName(mediaId, QString(), QStringLiteral("media")));
    if (!QDir().mkpath(folder))
        return tr("No temporary folder could be made: %1").arg(QDir::toNativeSeparators(folder));
    const QString target = QDir(folder).filePath(safeFileName(name, mimetype));
    const QString error = writeTo(mediaId, target);
    if (error.isEmpty() && path)
        *path = target;
    return error;
}

} // namespace wadesk

#include "core/cluster/BrowserStateArchive.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QtEndian>
#include <algorithm>
#include <cstring>

namespace wadesk {

namespace {

const char kMagic[] = "WDBSA1\n";
constexpr int kMagicLength = int(sizeof(kMagic) - 1);
constexpr int kMaxPathBytes = 1024;

DomainError refused(const QString &why)
{
    return DomainError::unprocessable(QStringLiteral("browser state archive refused: ") + why, QStringLiteral("bad_snapshot"));
}

template <typename T>
void appendBigEndian(QByteArray &out, T value)
{
    char bytes[sizeof(T)];
    qToBigEndian(value, bytes);
    out.append(bytes, int(sizeof(T)));
}

// Reads the archive front to back; every read is checked against what is left.
class Reader {
public:
    explicit Reader(const QByteArray &data) : m_data(data) {}
    template <typename T>
    bool read(T *value)
    {
        if (remaining() < qint64(sizeof(T)))
            return false;
        *value = qFromBigEndian<T>(m_data.constData() + m_pos);
        m_pos += qint64(sizeof(T));
        return true;
    }
    bool take(qint64 count, QByteArray *out)
    {
        if (count < 0 || remaining() < count)
            return false;
        *out = QByteArray::fromRawData(m_data.constData() + m_pos, int(count));
        m_pos += count;
        return true;
    }
    qint64 remaining() const { return qint64(m_data.size()) - m_pos; }

private:
    const QByteArray &m_data;
    qint64 m_pos = 0;
};

struct Entry {
    QString path;
    QByteArray bytes; // raw view into the archive
};

} // namespace

const QStringList &BrowserStateArchive::keptFolders()
{
    // Where Chromium keeps them under a QWebEngineProfile's persistent storage path.
    static const QStringList folders{QStringLiteral("IndexedDB"), QStringLiteral("Local Storage")};
    return folders;
}

bool BrowserStateArchive::isSafePath(const QString &path)
{
    if (path.isEmpty() || path.size() > kMaxPathBytes || path.startsWith(QLatin1Char('/')) || path.contains(QLatin1Char('\\'))
        || path.contains(QChar(0)) || path.contains(QLatin1Char(':')))
        return false;
    const QStringList segments = path.split(QLatin1Char('/'));
    if (segments.size() < 2 || !keptFolders().contains(segments.first()))
        return false;
    for (const QString &segment : segments) {
        if (segment.isEmpty() || segment == QLatin1String(".") || segment == QLatin1String(".."))
            return false;
        for (const QChar c : segment) {
            if (c.unicode() < 0x20)
                return false;
        }
    }
    return true;
}

bool BrowserStateArchive::isEmpty(const QByteArray &archive)
{
    return archive.size() <= kMagicLength + 4;
}

Result<QByteArray> BrowserStateArchive::pack(const QString &storageDir, const Limits &limits)
{
    const QDir root(storageDir);
    QStringList files;
    for (const QString &folder : keptFolders()) {
        const QString dir = root.filePath(folder);
        const QFileInfo info(dir);
        if (!info.exists() || info.isSymLink() || !info.isDir())
            continue;
        // Symlinks are neither listed nor descended into: only the profile's own files travel.
        QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            if (QFileInfo(file).isSymLink())
                continue;
            files.append(root.relativeFilePath(file));
            if (files.size() > limits.maxEntries)
                return refused(QStringLiteral("more than %1 files").arg(limits.maxEntries));
        }
    }
    std::sort(files.begin(), files.end());

    QByteArray out(kMagic, kMagicLength);
    appendBigEndian<quint32>(out, quint32(files.size()));
    qint64 total = 0;
    for (const QString &relative : files) {
        if (!isSafePath(relative))
            return refused(QStringLiteral("unexpected file name %1").arg(relative));
        QFile file(root.filePath(relative));
        if (!file.open(QIODevice::ReadOnly))
            return DomainError::internal(QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
        const QByteArray bytes = file.readAll();
        total += bytes.size();
        if (total > limits.maxTotalBytes)
            return refused(QStringLiteral("more than %1 bytes").arg(limits.maxTotalBytes));
        const QByteArray path = relative.toUtf8();
        appendBigEndian<quint16>(out, quint16(path.size()));
        out.append(path);
        appendBigEndian<quint64>(out, quint64(bytes.size()));
        out.append(bytes);
    }
    return out;
}

Status BrowserStateArchive::unpack(const QByteArray &archive, const QString &targetDir, const Limits &limits)
{
    // Everything is checked before anything is written.
    if (archive.size() < kMagicLength || std::memcmp(archive.constData(), kMagic, kMagicLength) != 0)
        return refused(QStringLiteral("not a browser state archive"));
    Reader reader(archive);
    QByteArray magic;
    (void)reader.take(kMagicLength, &magic);
    quint32 count = 0;
    if (!reader.read(&count))
        return refused(QStringLiteral("truncated"));
    if (count > quint32(limits.maxEntries))
        return refused(QStringLiteral("%1 entries, at most %2 allowed").arg(count).arg(limits.maxEntries));
    std::vector<Entry> entries;
    entries.reserve(count);
    QSet<QString> paths;
    QSet<QString> folders;
    qint64 total = 0;
    for (quint32 i = 0; i < count; ++i) {
        quint16 pathLength = 0;
        QByteArray pathBytes;
        quint64 size = 0;
        QByteArray bytes;
        if (!reader.read(&pathLength) || !reader.take(pathLength, &pathBytes) || !reader.read(&size))
            return refused(QStringLiteral("truncated"));
        if (size > quint64(limits.maxTotalBytes) || qint64(size) > limits.maxTotalBytes - total)
            return refused(QStringLiteral("more than %1 bytes").arg(limits.maxTotalBytes));
        if (!reader.take(qint64(size), &bytes))
            return refused(QStringLiteral("truncated"));
        total += qint64(size);
        const QString path = QString::fromUtf8(pathBytes);
        if (path.toUtf8() != pathBytes || !isSafePath(path))
            return refused(QStringLiteral("unsafe path"));
        if (paths.contains(path) || folders.contains(path))
            return refused(QStringLiteral("path %1 twice").arg(path));
        // A file may not stand where another entry needs a folder.
        const QStringList segments = path.split(QLatin1Char('/'));
        for (int s = 1; s < segments.size(); ++s) {
            const QString parent = segments.mid(0, s).join(QLatin1Char('/'));
            if (paths.contains(parent))
                return refused(QStringLiteral("path %1 under a file").arg(path));
            folders.insert(parent);
        }
        paths.insert(path);
        entries.push_back({path, bytes});
    }
    if (reader.remaining() != 0)
        return refused(QStringLiteral("trailing bytes"));

    QDir target(targetDir);
    if (target.exists() && !target.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System))
        return DomainError::internal(QStringLiteral("cannot restore into %1: not empty").arg(targetDir));
    if (!QDir().mkpath(targetDir))
        return DomainError::internal(QStringLiteral("cannot create %1").arg(targetDir));
    auto fail = [&](const QString &why) -> Status {
        QDir(targetDir).removeRecursively();
        return DomainError::internal(why);
    };
    for (const Entry &entry : entries) {
        const QString path = target.filePath(entry.path);
        if (!QDir().mkpath(QFileInfo(path).path()))
            return fail(QStringLiteral("cannot create the folder of %1").arg(path));
        QFile file(path);
        // NewOnly: an existing file (or symlink) is never written through.
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly) || file.write(entry.bytes) != entry.bytes.size() || !file.flush())
            return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
        file.close();
    }
    return Status::success();
}

} // namespace wadesk

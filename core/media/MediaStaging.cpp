#include "core/media/MediaStaging.h"

#include "core/common/Ids.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace wadesk {

namespace {

constexpr qsizetype kPieceChars = 256 * 1024; // base64 characters decoded at a time (a multiple of 4)

DomainError badBase64(const QString &why)
{
    return DomainError::badRequest(QStringLiteral("The file is not valid base64: %1").arg(why), QStringLiteral("invalid_base64"));
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isBase64Char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Writes what it is given to the file and the hash, counting; refuses past the limit.
class Sink {
public:
    Sink(QFile &file, qint64 maxBytes) : m_file(file), m_max(maxBytes) {}
    Status write(QByteArrayView bytes)
    {
        m_size += bytes.size();
        if (m_size > m_max) {
            DomainError e;
            e.httpStatus = 413;
            e.code = QStringLiteral("media_too_large");
            e.message = QStringLiteral("The file is larger than the limit of %1 bytes").arg(m_max);
            return e;
        }
        m_hash.addData(bytes);
        if (m_file.write(bytes.data(), bytes.size()) != bytes.size()) {
            spdlog::error("media staging: cannot write {}: {}", m_file.fileName().toStdString(), m_file.errorString().toStdString());
            return DomainError::internal(QStringLiteral("The file could not be stored"));
        }
        return {};
    }
    qint64 size() const { return m_size; }
    QString hex() const { return QString::fromLatin1(m_hash.result().toHex()); }

private:
    QFile &m_file;
    qint64 m_max;
    qint64 m_size = 0;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
};

Status decodePiece(Sink &sink, QByteArray &clean)
{
    const auto decoded = QByteArray::fromBase64Encoding(clean, QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return badBase64(QStringLiteral("it does not decode"));
    clean.clear();
    return sink.write(decoded.decoded);
}

Status writeBase64(Sink &sink, QByteArrayView data)
{
    QByteArray clean;
    clean.reserve(kPieceChars + 4);
    int padding = 0;
    const qsizetype n = data.size();
    for (qsizetype i = 0; i < n; ++i) {
        char c = data[i];
        if (c == '\\') {
            if (i + 1 >= n)
                return badBase64(QStringLiteral("a stray backslash"));
            const char e = data[++i];
            if (e == 'n' || e == 'r' || e == 't')
                continue;
            if (e == '/') {
                c = '/';
            } else if (e == 'u' && i + 4 < n) {
                int code = 0;
                for (int k = 1; k <= 4; ++k) {
                    const int h = hexValue(data[i + k]);
                    if (h < 0)
                        return badBase64(QStringLiteral("a bad escape"));
                    code = code * 16 + h;
                }
                i += 4;
                if (code == '\n' || code == '\r' || code == ' ' || code == '\t')
                    continue;
                if (code > 0x7f)
                    return badBase64(QStringLiteral("a character outside the alphabet"));
                c = char(code);
            } else {
                return badBase64(QStringLiteral("a bad escape"));
            }
        }
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        if (c == '=') {
            ++padding;
            if (padding > 2)
                return badBase64(QStringLiteral("too much padding"));
            continue;
        }
        if (!isBase64Char(c))
            return badBase64(QStringLiteral("a character outside the alphabet"));
        if (padding > 0)
            return badBase64(QStringLiteral("data after the padding"));
        clean.append(c);
        if (clean.size() >= kPieceChars) {
            if (Status s = decodePiece(sink, clean); !s)
                return s;
        }
    }
    const qsizetype rest = clean.size() % 4;
    if (rest == 1)
        return badBase64(QStringLiteral("its length is wrong"));
    if (padding > 0 && (rest == 0 || 4 - rest != padding))
        return badBase64(QStringLiteral("its padding is wrong"));
    if (rest > 0)
        clean.append(QByteArray(4 - rest, '='));
    if (!clean.isEmpty())
        return decodePiece(sink, clean);
    return {};
}

} // namespace

void syncDirectory(const QString &directory)
{
    const int fd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

StagedFile::~StagedFile()
{
    m_file.close();
    if (m_owned && !m_path.isEmpty())
        QFile::remove(m_path);
}

Result<std::unique_ptr<StagedFile>> StagedFile::write(const QString &stagingDirectory, QByteArrayView data,
                                                      MediaEncoding encoding, qint64 maxBytes)
{
    if (data.isEmpty())
        return DomainError::badRequest(QStringLiteral("The file is empty"), QStringLiteral("empty_media"));
    if (!QDir().mkpath(stagingDirectory)) {
        spdlog::error("media staging: cannot create {}", stagingDirectory.toStdString());
        return DomainError::internal(QStringLiteral("The file could not be stored"));
    }
    std::unique_ptr<StagedFile> staged(new StagedFile);
    staged->m_path = QDir(stagingDirectory).filePath(prefix() + Ids::make("part"));
    staged->m_file.setFileName(staged->m_path);
    if (!staged->m_file.open(QIODevice::ReadWrite | QIODevice::NewOnly)) {
        spdlog::error("media staging: cannot create {}: {}", staged->m_path.toStdString(), staged->m_file.errorString().toStdString());
        staged->m_path.clear();
        return DomainError::internal(QStringLiteral("The file could not be stored"));
    }
    Sink sink(staged->m_file, maxBytes);
    Status written = encoding == MediaEncoding::Raw ? sink.write(data) : writeBase64(sink, data);
    if (!written)
        return written.error();
    if (sink.size() == 0)
        return DomainError::badRequest(QStringLiteral("The file is empty"), QStringLiteral("empty_media"));
    if (!staged->m_file.flush() || ::fsync(staged->m_file.handle()) != 0) {
        spdlog::error("media staging: cannot flush {}", staged->m_path.toStdString());
        return DomainError::internal(QStringLiteral("The file could not be stored"));
    }
    staged->m_size = sink.size();
    staged->m_sha256 = sink.hex();
    staged->m_file.seek(0);
    return Result<std::unique_ptr<StagedFile>>(std::move(staged));
}

bool StagedFile::moveTo(const QString &finalPath)
{
    m_file.close();
    if (::rename(QFile::encodeName(m_path).constData(), QFile::encodeName(finalPath).constData()) != 0) {
        spdlog::error("media: cannot move {} to {}: {}", m_path.toStdString(), finalPath.toStdString(), strerror(errno));
        return false;
    }
    m_owned = false;
    syncDirectory(QFileInfo(finalPath).absolutePath());
    return true;
}

} // namespace wadesk

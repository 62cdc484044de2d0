#include "core/secrets/FileSecretStore.h"

#include "core/secrets/AesGcm.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

namespace wadesk {

FileSecretStore::FileSecretStore(QString path)
    : m_path(std::move(path))
{
}

QString FileSecretStore::description() const
{
    return QStringLiteral("master key in the key file %1").arg(m_path);
}

Result<QByteArray> FileSecretStore::readKeyFile() const
{
    QFile file(m_path);
    const QFileDevice::Permissions loose = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther
        | QFileDevice::WriteOther | QFileDevice::ExeGroup | QFileDevice::ExeOther;
    if (file.permissions() & loose)
        return DomainError::forbidden(
            QStringLiteral("key file %1 is accessible by other users; run: chmod 600 %1").arg(m_path),
            QStringLiteral("key_file_permissions"));
    if (!file.open(QIODevice::ReadOnly))
        return DomainError::internal(QStringLiteral("cannot read key file %1: %2").arg(m_path, file.errorString()));
    const QByteArray key = QByteArray::fromHex(file.readAll().trimmed());
    if (key.size() != AesGcm::kKeyBytes)
        return DomainError::internal(QStringLiteral("key file %1 does not hold a 32-byte hex key").arg(m_path));
    return key;
}

Status FileSecretStore::writeNewKeyFile(const QByteArray &key) const
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    // O_EXCL with mode 0600: the file never exists with looser permissions, and two processes
    // racing to create it cannot both win.
    const QByteArray nativePath = QFile::encodeName(m_path);
    const int fd = ::open(nativePath.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return DomainError::internal(QStringLiteral("cannot create key file %1: %2")
                                         .arg(m_path, QString::fromLocal8Bit(std::strerror(errno))));
    const QByteArray content = key.toHex() + '\n';
    const bool written = ::write(fd, content.constData(), size_t(content.size())) == content.size() && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) {
        QFile::remove(m_path);
        return DomainError::internal(QStringLiteral("cannot write key file %1").arg(m_path));
    }
    return {};
}

Result<QByteArray> FileSecretStore::loadOrCreateMasterKey()
{
    if (QFile::exists(m_path))
        return readKeyFile();
    const QByteArray key = AesGcm::randomBytes(AesGcm::kKeyBytes);
    if (Status s = writeNewKeyFile(key); !s)
        return s.error();
    m_createdNow = true;
    spdlog::warn("created a new master key file {} (0600). Back it up: without it the encrypted secrets "
                 "in the database cannot be read.",
                 m_path.toStdString());
    return key;
}

Result<std::optional<QByteArray>> FileSecretStore::loadExistingMasterKey()
{
    if (!QFile::exists(m_path))
        return std::optional<QByteArray>();
    Result<QByteArray> key = readKeyFile();
    if (!key)
        return key.error();
    return std::optional<QByteArray>(key.value());
}

Status FileSecretStore::installMasterKey(const QByteArray &key)
{
    if (key.size() != AesGcm::kKeyBytes)
        return DomainError::badRequest(QStringLiteral("a master key is 32 bytes"), QStringLiteral("invalid_master_key"));
    return writeNewKeyFile(key);
}

} // namespace wadesk

#include "tests/support/Tmpfs.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <sys/mount.h>
#include <unistd.h>

namespace wadesk::test {

Tmpfs::Tmpfs(const QByteArray &size)
{
    if (::geteuid() != 0) {
        m_why = QStringLiteral("mounting a tmpfs needs root (CI runs the tests as root)");
        return;
    }
    if (!m_dir.isValid()) {
        m_why = QStringLiteral("no temporary directory");
        return;
    }
    const QByteArray options = "size=" + size + ",mode=0700";
    if (::mount("tmpfs", QFile::encodeName(m_dir.path()).constData(), "tmpfs", 0, options.constData()) != 0) {
        m_why = QStringLiteral("mount -t tmpfs failed: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return;
    }
    m_mounted = true;
}

Tmpfs::~Tmpfs()
{
    // Detached: a connection the test left open must not keep the mount (and the test) alive.
    if (m_mounted)
        ::umount2(QFile::encodeName(m_dir.path()).constData(), MNT_DETACH);
}

qint64 Tmpfs::fillUp(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return -1;
    qint64 written = 0;
    for (const qint64 chunk : {qint64(1) << 20, qint64(4096), qint64(512)}) {
        const QByteArray block(int(chunk), 'x');
        while (f.write(block) == chunk && f.flush())
            written += chunk;
        f.close(); // a failed write leaves the device in error: reopen to go on with smaller chunks
        if (!f.open(QIODevice::WriteOnly | QIODevice::Append))
            break;
    }
    return written;
}

} // namespace wadesk::test

#pragma once

#include <QByteArray>
#include <QString>
#include <QTemporaryDir>

namespace wadesk::test {

// A tmpfs of `size` ("24m") mounted on a fresh directory for the object's lifetime and lazily
// unmounted when it goes, also after a failed check: a real small disk for tests of a full one.
// valid() is false, with why(), when this process cannot mount (not root, no CAP_SYS_ADMIN).
class Tmpfs {
public:
    explicit Tmpfs(const QByteArray &size);
    ~Tmpfs();
    Tmpfs(const Tmpfs &) = delete;
    Tmpfs &operator=(const Tmpfs &) = delete;

    bool valid() const { return m_mounted; }
    QString why() const { return m_why; }
    QString filePath(const QString &name) const { return m_dir.filePath(name); }

    // Writes `path` until its file system has no block left; the bytes written, -1 if the file
    // cannot be created.
    static qint64 fillUp(const QString &path);

private:
    QTemporaryDir m_dir;
    QString m_why;
    bool m_mounted = false;
};

} // namespace wadesk::test

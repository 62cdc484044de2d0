#pragma once

#include <QObject>
#include <QString>
#include <QTemporaryDir>

namespace wadesk {

class DesktopContext;

// A message's file taken out of the media store (MediaService::content, with the signed-in
// actor: what they may not read reads as not found): copied to where the user chooses, or to a
// private temporary folder under a safe version of its own name, to be opened with the desktop's
// application for its type. The copy streams: a large file never sits in memory whole.
class AttachmentFiles final : public QObject {
    Q_OBJECT
public:
    explicit AttachmentFiles(DesktopContext &context, QObject *parent = nullptr);

    // A name that is safe to create on any desktop: no folders, no control or reserved
    // characters, no leading dot, at most 120 characters, with an extension for `mimetype` when
    // it has none. `fallback` stands in for an empty name.
    static QString safeFileName(const QString &name, const QString &mimetype, const QString &fallback = QStringLiteral("attachment"));

    // Copies the media to `path` (replaced atomically). Returns the reason it failed, empty on success.
    QString writeTo(const QString &mediaId, const QString &path);
    // Copies it into the temporary folder under its safe name; `*path` gets where. Same return.
    QString writeTemporary(const QString &mediaId, const QString &name, const QString &mimetype, QString *path);
    // The folder those copies go to (removed with this object).
    QString temporaryDirectory() const { return m_dir.path(); }

private:
    DesktopContext &m_context;
    QTemporaryDir m_dir;
};

} // namespace wadesk

#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace wadesk {

// What an archive may hold at most (outside the class: a nested one cannot be a default argument).
struct BrowserStateLimits {
    int maxEntries = 20000;
    qint64 maxTotalBytes = qint64(1) << 30; // of the files, unpacked
};

// The part of a session's Chromium profile that WhatsApp Web needs to open without a new QR code
// (its IndexedDB and Local Storage), as one byte array, the way whatsapp-web.js's RemoteAuth keeps
// a profile in a remote store but without caches, Service Worker storage or GPU and code caches.
//
// Format (big-endian): "WDBSA1\n", u32 entry count, then per entry u16 path length, the relative
// path in UTF-8 ('/' separated), u64 size and the file's bytes.
//
// Unpacking is for an archive that may be hostile or corrupt: no absolute paths, no "." or ".."
// segments, no backslashes or NULs, a bounded entry count and total size, nothing outside the
// kept folders; symlinks are neither followed when packing nor created when unpacking; a refused
// archive leaves nothing behind.
class BrowserStateArchive {
public:
    using Limits = BrowserStateLimits;

    // The profile folders (relative to QWebEngineProfile::persistentStoragePath) that are kept.
    static const QStringList &keptFolders();

    // Packs the kept folders of `storageDir` (a missing folder is simply absent). Fails when
    // the files exceed `limits` or one cannot be read.
    static Result<QByteArray> pack(const QString &storageDir, const Limits &limits = {});
    // Unpacks `archive` into `targetDir`, which must be empty or absent. On failure `targetDir`
    // is removed again (what was written of it goes too).
    static Status unpack(const QByteArray &archive, const QString &targetDir, const Limits &limits = {});
    // An archive without files (the profile had none of the kept folders).
    static bool isEmpty(const QByteArray &archive);
    // Whether `path` is one an archive may hold: relative, inside a kept folder, no "." or ".."
    // segments, no backslash, NUL or empty segment.
    static bool isSafePath(const QString &path);
};

} // namespace wadesk

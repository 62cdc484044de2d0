#pragma once

#include "core/media/MediaLibrary.h"

#include <QHash>
#include <QList>
#include <optional>
#include <QMutex>

namespace wadesk::test {

// A MediaLibrary kept in memory for tests of what uses media (sending, receiving) before or
// without core/media's store: the type comes from the content (QMimeDatabase's magic match),
// programs, scripts and web pages are refused, a declared type must agree, the same bytes of one
// organization are one file, another organization's file reads as 404. Thread-safe (the API
// thread stores, the main thread's sender reads).
class InMemoryMediaLibrary final : public MediaLibrary {
public:
    Result<MediaInfo> store(const QString &organizationId, const QByteArray &bytes, const MediaHints &hints,
                            const QString &createdBy) override;
    Result<MediaInfo> info(const QString &organizationId, const QString &mediaId) override;
    Result<QByteArray> readAll(const QString &organizationId, const QString &mediaId) override;

    // Test helpers: forget a file (as a deletion or retention would), count what is stored.
    bool remove(const QString &mediaId);
    int count() const;
    // The next store() answers this error (a refusal by the real store), once.
    void refuseNextStore(const DomainError &error);
    int storeCalls() const;
    QList<MediaHints> hintsSeen() const;

private:
    struct Entry {
        MediaInfo info;
        QByteArray bytes;
    };
    mutable QMutex m_mutex;
    QHash<QString, Entry> m_files; // media id → file
    std::optional<DomainError> m_refusal;
    int m_storeCalls = 0;
    QList<MediaHints> m_hints;
};

} // namespace wadesk::test

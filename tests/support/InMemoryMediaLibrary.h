#pragma once

#include "core/media/MediaLibrary.h"

#include <QHash>
#include <QList>
#include <optional>

namespace wadesk::test {

// A MediaLibrary that keeps the bytes in memory, for engine tests of messaging before the real
// media store is wired in: it stores and returns the very bytes (the same bytes of one
// organization once), decides the type from the content (QMimeDatabase), refuses empty input
// with 400, reads another organization's media as 404, and can be told to refuse the next store.
class InMemoryMediaLibrary final : public MediaLibrary {
public:
    Result<MediaInfo> store(const QString &organizationId, const QByteArray &bytes, const MediaHints &hints,
                            const QString &createdBy) override;
    Result<MediaInfo> info(const QString &organizationId, const QString &mediaId) override;
    Result<QByteArray> readAll(const QString &organizationId, const QString &mediaId) override;

    void refuseNextStore(const DomainError &error) { m_refusal = error; }
    int storeCalls() const { return m_storeCalls; }
    QList<MediaHints> hintsSeen() const { return m_hints; }
    int count() const { return int(m_items.size()); }

private:
    struct Item {
        MediaInfo info;
        QByteArray bytes;
    };
    QHash<QString, Item> m_items; // by media id
    std::optional<DomainError> m_refusal;
    int m_storeCalls = 0;
    QList<MediaHints> m_hints;
};

} // namespace wadesk::test

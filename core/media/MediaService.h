#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/common/Paging.h"
#include "core/media/MediaLibrary.h"
#include "core/media/MediaRepository.h"
#include "core/media/MediaSettings.h"
#include "core/media/MediaStaging.h"

#include <QByteArrayView>
#include <QIODevice>
#include <functional>
#include <memory>

namespace wadesk {

class Database;
class DatabaseBlobStore;
class EventBus;
class FileBlobStore;
class MediaBlobStore;

// The organization's media: uploads (type decided from the content, quota, content addressing,
// one of two backends), reading, listing, removal, storage use and retention. Implements the
// MediaLibrary that messaging sends and receives through. One per thread's ServiceGraph.
//
// Rights: uploading and removing need can_send_messages (agents remove only what they
// uploaded); every member reads, admins and managers all of the organization's media, agents
// and viewers what they uploaded and what messages of their assigned clients carry; storage use
// needs can_view_analytics, changing the organization's quota can_manage_organization.
class MediaService final : public MediaLibrary {
public:
    static inline const QString kQuotaSetting = QStringLiteral("media/quotaBytes");

    MediaService(Database &database, MediaSettings settings, EventBus *events = nullptr, const Clock &clock = Clock::system());
    ~MediaService() override;

    // MediaLibrary (engine side: no actor; `createdBy` is recorded as the uploader).
    Result<MediaInfo> store(const QString &organizationId, const QByteArray &bytes, const MediaHints &hints,
                            const QString &createdBy) override;
    Result<MediaInfo> info(const QString &organizationId, const QString &mediaId) override;
    Result<QByteArray> readAll(const QString &organizationId, const QString &mediaId) override;

    // The one way bytes come in: decoded (base64) a piece at a time into a staged file, checked,
    // stored. `data` may be a view into a request body. With an actor the upload is audited.
    Result<MediaInfo> ingest(const QString &organizationId, QByteArrayView data, MediaEncoding encoding, const MediaHints &hints,
                             const QString &createdBy, const AuthContext *actor = nullptr);

    // Operators.
    Result<MediaInfo> upload(const AuthContext &actor, QByteArrayView data, MediaEncoding encoding, const MediaHints &hints);
    Result<MediaInfo> get(const AuthContext &actor, const QString &mediaId);
    struct Page {
        QList<MediaInfo> media;
        PageInfo info;
    };
    Result<Page> list(const AuthContext &actor, MediaQuery query);
    // 409 media_in_use while a queued or sending message carries it.
    Status remove(const AuthContext &actor, const QString &mediaId);
    struct Content {
        MediaInfo info;
        std::function<std::unique_ptr<QIODevice>()> open; // on the calling thread
    };
    Result<Content> content(const AuthContext &actor, const QString &mediaId);
    struct Usage {
        qint64 used = 0;
        qint64 limit = 0;
    };
    Result<Usage> usage(const AuthContext &actor);
    Result<Usage> setQuota(const AuthContext &actor, qint64 limitBytes);

    // Retention (system): removes the organization's media created before `cutoff`, except what
    // a queued or sending message carries, `batch` rows looked at a time, each removal in its
    // own short transaction; `stop` is asked between batches. Returns how many went.
    Result<qint64> removeExpired(const QString &organizationId, qint64 cutoff, int batch, const std::function<bool()> &stop = {});

    // Start-up, before any graph stores: removes staged uploads a killed process left behind,
    // and files of the file backend that no blob row names (a kill between the rename and the
    // commit, or between the commit of a removal and the unlink). Returns the files removed.
    static int sweepOrphans(Database &database, const QString &directory);

    const MediaSettings &settings() const { return m_settings; }

private:
    Result<qint64> quotaOf(const QString &organizationId);
    MediaBlobStore *storeNamed(const QString &name);
    Status removeRecord(const MediaRecord &record, const AuthContext *actor);
    QString stagingDirectory() const;

    Database &m_database;
    MediaSettings m_settings;
    EventBus *m_events;
    const Clock &m_clock;
    std::unique_ptr<FileBlobStore> m_files;        // null without a media directory
    std::unique_ptr<DatabaseBlobStore> m_rows;
};

} // namespace wadesk

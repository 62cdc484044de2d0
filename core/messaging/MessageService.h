#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/common/Paging.h"
#include "core/media/MediaLibrary.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/MessagingSettings.h"
#include "core/messaging/RateLimitStatus.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QMutex>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QTimer;

namespace wadesk {

class ClientService;
class Database;
class MediaLibrary;
class SessionControl;

// Accepting sends and reading history, on the API thread. A send is validated, checked against
// the contact's opt-out and the client's daily budget, then stored with its queue entry and
// audit entry in one transaction; the caller gets its id at once and the session's sender takes
// it from there.
class MessageService {
public:
    MessageService(Database &database, ClientService &clients, SessionControl *sessions, MessagingSettings settings,
                   const Clock &clock = Clock::system());

    ~MessageService();

    // Where sends with a file store it and look up a media_id (the thread's media library).
    // Without one, a send with a file is refused (503 media_unavailable).
    void setMediaLibrary(MediaLibrary *media) { m_media = media; }

    // What a send carries: a text, or a file (given inline or as a stored media_id) with an
    // optional caption. For a file, `text` is the caption when `caption` is absent.
    struct Content {
        QString text;
        std::optional<QString> caption;
        std::optional<QByteArray> media; // the file's bytes, stored through the media library
        QString mediaId;                 // or a file of the organization stored already
        QString filename;                // the name to send it under (default: the stored one)
        QString mimetype;                // the type the caller declares (checked against the content)
        bool hasFile() const { return media.has_value() || !mediaId.isEmpty(); }
    };

    struct Accepted {
        QString messageId;
        MessageStatus status = MessageStatus::Queued;
        bool replayed = false; // an earlier answer for the same Idempotency-Key
    };
    using Done = std::function<void(const Result<Accepted> &)>;
    // Takes a send for the next group commit on the calling thread's event loop: the sends that
    // arrive together are checked one by one as a single request would be, then stored in one
    // transaction, and only then answered through `done` (so an answer still means "stored").
    // One commit for many sends is what lets the API keep up with many callers at once.
    void submit(const AuthContext &ctx, const QString &clientId, const QString &to, const Content &content,
                const QString &idempotencyKey, Done done);
    void submit(const AuthContext &ctx, const QString &clientId, const QString &to, const QString &text,
                const QString &idempotencyKey, Done done);
    // The same for one send, stored before it returns (with whatever else was waiting).
    Result<Accepted> send(const AuthContext &ctx, const QString &clientId, const QString &to, const Content &content,
                          const QString &idempotencyKey);
    Result<Accepted> send(const AuthContext &ctx, const QString &clientId, const QString &to, const QString &text,
                          const QString &idempotencyKey);
    Result<MessageRecord> get(const AuthContext &ctx, const QString &messageId);
    struct Page {
        QList<MessageRecord> messages;
        PageInfo info;
    };
    // Safe on any thread (it uses only the database, through that thread's connection): the API
    // runs it on its reader threads.
    Result<Page> history(const AuthContext &ctx, const QString &clientId, MessageQuery query);
    Result<RateLimitStatus> rateLimits(const AuthContext &ctx, const QString &clientId);
    // Messages accepted and not yet sent: of one client the actor may see, or of every client
    // the actor sees (by client id; one query for a whole list).
    Result<int> queueDepth(const AuthContext &ctx, const QString &clientId);
    Result<QHash<QString, int>> queueDepths(const AuthContext &ctx);

private:
    struct Pending {
        AuthContext ctx;
        QString clientId;
        QString to;
        Content content;
        QString idempotencyKey;
        Done done;
        QByteArray requestId; // the HTTP request's, for the log lines written for it later
    };
    struct Item;
    void flush();
    // Stores the sends `group` of `items` in one transaction. False when a database error broke
    // it (nothing of it is kept; for a group of one the error is its outcome).
    bool storeGroup(std::vector<Item> &items, const std::vector<size_t> &group);
    // Whether one more message fits the client's daily budget (sends started in the last 24 h
    // plus messages still queued), inside the caller's write transaction, which has already
    // queued `pending` more for the client. Far from the limit a recent count plus what this
    // service accepted since is enough (the sender moving a message from the queue to `sending`
    // leaves the sum unchanged, and sends leaving the window only lower it); near the limit it
    // is counted exactly. Sets `retryAfter` (seconds) when it does not fit.
    Result<bool> fitsDailyBudget(MessageRepository &messages, const QString &clientId, int perDay, qint64 now, int pending,
                                 int *retryAfter);
    void acceptedOne(const QString &clientId);
    QString regionOf(const QString &clientPhone);
    Result<QString> toE164(const QString &to, const QString &region);
    // The checks of a send's text or caption; for a file, its identity in the request hash
    // (the stored file's content hash, so the same bytes inline or by media_id are one request).
    std::optional<DomainError> checkContent(const Pending &request, QString *caption, QString *fileIdentity,
                                            std::optional<MediaInfo> *stored);

    Database &m_database;
    ClientService &m_clients;
    SessionControl *m_sessions;
    MediaLibrary *m_media = nullptr;
    MessagingSettings m_settings;
    const Clock &m_clock;

    struct Budget {
        int perDay = 0;
        qint64 countedAt = 0;
        int used = 0; // sends in the window plus queued, when counted, plus accepted since
    };
    QMutex m_mutex; // the caches below (the service is meant for the API thread, but cheap to guard)
    QHash<QString, Budget> m_budgets;
    QHash<QString, QString> m_regions; // client phone → region code
    QHash<QString, QString> m_numbers; // region|as written → E.164 (valid numbers only)
    std::vector<Pending> m_pending;
    std::unique_ptr<QTimer> m_flushTimer; // zero-interval, on the thread of the first submit
};

} // namespace wadesk

#pragma once

#include "core/messaging/MessageRepository.h"

#include <QAbstractListModel>
#include <QHash>
#include <QSet>
#include <QVector>

namespace wadesk {

class DesktopContext;
class ImageThumbnailer;
struct Event;

// One conversation: the messages between a client and a contact number, oldest first. Loads
// the last page (kPageSize) through MessageService::history and then follows the message.*
// events: a known message is re-read and its row updated (statuses only move forward in the
// database), a new one for this conversation is appended.
//
// A message with a file (type image, video, audio, voice, document, sticker) carries its media
// id, name, size and type (MediaService, read with the row), and for a picture a thumbnail
// (ThumbnailRole): asked for by the view as it paints, read from the media store on the next
// turn of the event loop, decoded off the GUI thread and cached by media id in a bounded cache;
// the row changes when it is there.
class MessageThreadModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        MessageIdRole = Qt::UserRole + 1,
        BodyRole,
        DirectionRole,     // "outbound" | "inbound"
        OutboundRole,      // bool
        StatusRole,        // queued, sending, sent, delivered, read, failed, received
        TimeRole,          // QDateTime (local) of creation
        StatusTimeRole,    // QDateTime of the latest status change
        FailureReasonRole,
        ContactPhoneRole,
        TypeRole,           // text, image, video, audio, voice, document, sticker, ...
        MediaIdRole,        // the stored file; empty for a text, or a file not downloaded
        CaptionRole,        // the text under a file (for a text message: empty)
        FilenameRole,       // the file's name (as sent or received, else as stored)
        MediaSizeRole,      // qint64 bytes; 0 when unknown
        MediaMimeRole,      // the stored file's type, e.g. image/jpeg
        MediaStateRole,     // MediaState
        ThumbnailRole,      // QImage: a picture's thumbnail once decoded (null before, or without one)
        ThumbnailStateRole, // int(ImageThumbnailer::State); Unknown when the message has no picture
        MediaErrorRole,     // why a received file could not be stored
        DayStartsRole,      // bool: the first message of its day among the rows (the view draws a date above it)
        DayTextRole,        // "Today", "Yesterday", or the date
    };
    enum class MediaState {
        None,          // a text message
        Available,     // the file is in the media store
        Downloading,   // a received file still being fetched from the page (message.received follows)
        NotDownloaded, // a file message whose file was never stored (an inbound download that failed)
        Missing,       // the file was stored once and is gone (removed, or retention)
    };
    Q_ENUM(MediaState)
    static constexpr int kPageSize = 200;

    explicit MessageThreadModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Shows the conversation of `clientId` with `contactPhone` (E.164); empty clears.
    void setThread(const QString &clientId, const QString &contactPhone);
    void clear() { setThread(QString(), QString()); }
    QString clientId() const { return m_clientId; }
    QString contactPhone() const { return m_phone; }
    // Reads one message and adds or updates its row when it belongs to this conversation.
    // Returns whether it does.
    bool refreshMessage(const QString &messageId);
    int rowOf(const QString &messageId) const { return m_index.value(messageId, -1); }
    // Older messages: the page before the oldest row (keyset, kPageSize), prepended. Returns how
    // many rows came; hasOlder() is false once the beginning of the conversation was read.
    bool hasOlder() const { return m_hasOlder; }
    int loadOlder();
    // Loads older pages until the message is among the rows (at most `maxPages`); its row or -1.
    int loadUntil(const QString &messageId, int maxPages = 50);
    // The label of a day separator for a time: "Today", "Yesterday", or the date.
    static QString dayText(const QDateTime &time);

    static QString statusText(MessageStatus status);
    // Whether a message of this type shows a picture (image, sticker).
    static bool showsPicture(const QString &type);
    // "Image", "Document", ... for a message type.
    static QString typeText(const QString &type);
    // Thumbnails are at most this many logical pixels on their longest side.
    static constexpr int kThumbnailEdge = 240;
    // A picture larger than this is not read for a thumbnail (it shows its icon, name and size).
    static constexpr qint64 kMaxThumbnailSourceBytes = 32LL * 1024 * 1024;
    ImageThumbnailer *thumbnails() const { return m_thumbnails; }

signals:
    // A row's thumbnail arrived (or turned out impossible): its size may have changed.
    void thumbnailChanged(const QModelIndex &index);

private:
    struct MediaView {
        MediaState state = MediaState::None;
        qint64 size = 0;
        QString mimetype;
        QString storedName;
    };
    struct Row {
        MessageRecord message;
        MediaView media;
    };
    MediaView describeMedia(const MessageRecord &m) const;
    void onEvent(const Event &event);
    void requestThumbnail(const QString &mediaId) const;
    void loadWantedThumbnails();
    void onThumbnailReady(const QString &mediaId);

    DesktopContext &m_context;
    QString m_clientId;
    QString m_phone;
    QVector<Row> m_rows;
    QHash<QString, int> m_index;
    bool m_hasOlder = false;
    ImageThumbnailer *m_thumbnails = nullptr;
    mutable QSet<QString> m_wanted; // thumbnails asked for while painting, read on the next turn
    mutable bool m_loadScheduled = false;
};

} // namespace wadesk

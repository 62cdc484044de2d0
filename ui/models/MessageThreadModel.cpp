#include "ui/models/MessageThreadModel.h"

#include "core/events/EventBus.h"
#include "core/events/EventPayloads.h"
#include "ui/common/DataSize.h"
#include "ui/common/ImageThumbnailer.h"
#include "ui/desktop/DesktopContext.h"
#include "core/messaging/MessageService.h"
#include "core/media/MediaService.h"

#include <QDateTime>
#include <QFile>
#include <QGuiApplication>
#include <QLocale>
#include <QTimer>
#include <algorithm>

namespace wadesk {

namespace {
QString typeOf(const MessageRecord &m) { return m.type.isEmpty() ? QStringLiteral("text") : m.type; }
bool isText(const QString &type) { return type == QLatin1String("text") || type.isEmpty(); }
} // namespace

MessageThreadModel::MessageThreadModel(DesktopContext &context, QObject *parent)
    : QAbstractListModel(parent)
    , m_context(context)
{
    const qreal dpr = qApp ? qApp->devicePixelRatio() : 1.0;
    m_thumbnails = new ImageThumbnailer(int(kThumbnailEdge * dpr + 0.5), this);
    connect(m_thumbnails, &ImageThumbnailer::ready, this, &MessageThreadModel::onThumbnailReady);
    connect(&m_context.events(), &EventBus::published, this, &MessageThreadModel::onEvent, Qt::QueuedConnection);
}

bool MessageThreadModel::showsPicture(const QString &type)
{
    return type == QLatin1String("image") || type == QLatin1String("sticker");
}

QString MessageThreadModel::typeText(const QString &type)
{
    if (type == QLatin1String("image"))
        return tr("Image");
    if (type == QLatin1String("video"))
        return tr("Video");
    if (type == QLatin1String("audio"))
        return tr("Audio");
    if (type == QLatin1String("voice"))
        return tr("Voice message");
    if (type == QLatin1String("document"))
        return tr("Document");
    if (type == QLatin1String("sticker"))
        return tr("Sticker");
    if (type == QLatin1String("location"))
        return tr("Location");
    if (type == QLatin1String("contact") || type == QLatin1String("vcard") || type == QLatin1String("multi_vcard"))
        return tr("Contact card");
    if (type == QLatin1String("revoked"))
        return tr("Deleted message");
    return tr("Message");
}

MessageThreadModel::MediaView MessageThreadModel::describeMedia(const MessageRecord &m) const
{
    MediaView v;
    const QString type = typeOf(m);
    if (isText(type))
        return v;
    const QString mediaId = m.mediaId;
    if (mediaId.isEmpty()) {
        // Location and contact cards carry no file; any other type without one is being
        // fetched from the page, or was not stored.
        const bool carriesFile = type == QLatin1String("image") || type == QLatin1String("video") || type == QLatin1String("audio")
            || type == QLatin1String("voice") || type == QLatin1String("document") || type == QLatin1String("sticker");
        if (!carriesFile)
            v.state = MediaState::None;
        else if (m.mediaStatus == QLatin1String("pending"))
            v.state = MediaState::Downloading;
        else
            v.state = MediaState::NotDownloaded;
        return v;
    }
    Result<MediaInfo> info = m_context.media().get(m_context.actor(), mediaId);
    if (!info) {
        // Gone (removed, retention) reads as not found; any other error leaves it to opening
        // the file to say what is wrong.
        v.state = info.error().httpStatus == 404 ? MediaState::Missing : MediaState::Available;
        return v;
    }
    v.state = MediaState::Available;
    v.size = info.value().size;
    v.mimetype = info.value().mimetype;
    v.storedName = info.value().filename;
    return v;
}


int MessageThreadModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QString MessageThreadModel::statusText(MessageStatus status)
{
    switch (status) {
    case MessageStatus::Queued: return tr("Queued");
    case MessageStatus::Sending: return tr("Sending");
    case MessageStatus::Sent: return tr("Sent");
    case MessageStatus::Delivered: return tr("Delivered");
    case MessageStatus::Read: return tr("Read");
    case MessageStatus::Failed: return tr("Failed");
    case MessageStatus::Received: return tr("Received");
    }
    return messageStatusName(status);
}

namespace {
qint64 statusTime(const MessageRecord &m)
{
    return std::max({m.createdAt, m.sendingAt, m.sentAt, m.deliveredAt, m.readAt, m.failedAt});
}
} // namespace

QVariant MessageThreadModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    const MessageRecord &m = r.message;
    const bool outbound = m.direction == MessageDirection::Outbound;
    const QString type = typeOf(m);
    const auto filename = [&]() { return m.filename.isEmpty() ? r.media.storedName : m.filename; };
    const auto caption = [&]() { return isText(type) ? QString() : (m.caption.isEmpty() ? m.body : m.caption); };
    switch (role) {
    case Qt::DisplayRole:
        if (!isText(type)) {
            const QString name = filename();
            const QString what = name.isEmpty() ? typeText(type) : tr("%1: %2").arg(typeText(type), name);
            return caption().isEmpty() ? what : tr("%1 — %2").arg(what, caption());
        }
        return m.body;
    case BodyRole: return m.body;
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole: {
        const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(m.createdAt), QLocale::ShortFormat);
        const QString content = data(index, Qt::DisplayRole).toString();
        QString text = outbound ? tr("Sent by you at %1, %2: %3").arg(when, statusText(m.status), content)
                                : tr("Received at %1: %2").arg(when, content);
        if (r.media.state == MediaState::Available && r.media.size > 0)
            text += tr(" (%1)").arg(dataSizeText(r.media.size));
        else if (r.media.state == MediaState::Downloading)
            text += tr(" (the file is being downloaded)");
        else if (r.media.state == MediaState::NotDownloaded && !m.mediaError.isEmpty())
            text += tr(" (the file was not downloaded: %1)").arg(m.mediaError);
        else if (r.media.state == MediaState::NotDownloaded)
            text += tr(" (the file was not downloaded)");
        else if (r.media.state == MediaState::Missing)
            text += tr(" (the file is no longer stored)");
        if (!m.failureReason.isEmpty())
            text += tr(" (failed: %1)").arg(m.failureReason);
        return text;
    }
    case MessageIdRole: return m.id;
    case DirectionRole: return messageDirectionName(m.direction);
    case OutboundRole: return outbound;
    case StatusRole: return messageStatusName(m.status);
    case TimeRole: return QDateTime::fromMSecsSinceEpoch(m.createdAt);
    case StatusTimeRole: return QDateTime::fromMSecsSinceEpoch(statusTime(m));
    case FailureReasonRole: return m.failureReason;
    case ContactPhoneRole: return m.contactPhone;
    case TypeRole: return type;
    case MediaIdRole: return m.mediaId;
    case CaptionRole: return caption();
    case FilenameRole: return filename();
    case MediaSizeRole: return r.media.size;
    case MediaMimeRole: return r.media.mimetype;
    case MediaStateRole: return QVariant::fromValue(r.media.state);
    case MediaErrorRole: return m.mediaError;
    case DayStartsRole:
        return index.row() == 0
            || QDateTime::fromMSecsSinceEpoch(m_rows.at(index.row() - 1).message.createdAt).date() != QDateTime::fromMSecsSinceEpoch(m.createdAt).date();
    case DayTextRole: return dayText(QDateTime::fromMSecsSinceEpoch(m.createdAt));
    case ThumbnailRole:
    case ThumbnailStateRole: {
        const QString mediaId = m.mediaId;
        if (!showsPicture(type) || r.media.state != MediaState::Available || mediaId.isEmpty())
            return role == ThumbnailRole ? QVariant::fromValue(QImage()) : QVariant(int(ImageThumbnailer::State::Unknown));
        ImageThumbnailer::State state = m_thumbnails->state(mediaId);
        if (state == ImageThumbnailer::State::Unknown) {
            requestThumbnail(mediaId);
            state = ImageThumbnailer::State::Loading;
        }
        if (role == ThumbnailStateRole)
            return int(state);
        return QVariant::fromValue(m_thumbnails->thumbnail(mediaId));
    }
    default: return {};
    }
}

void MessageThreadModel::requestThumbnail(const QString &mediaId) const
{
    // Read on the next turn of the event loop, not while the view paints.
    m_wanted.insert(mediaId);
    if (m_loadScheduled)
        return;
    m_loadScheduled = true;
    QTimer::singleShot(0, const_cast<MessageThreadModel *>(this), &MessageThreadModel::loadWantedThumbnails);
}

void MessageThreadModel::loadWantedThumbnails()
{
    m_loadScheduled = false;
    const QSet<QString> wanted = std::exchange(m_wanted, {});
    for (const QString &mediaId : wanted) {
        if (m_thumbnails->state(mediaId) != ImageThumbnailer::State::Unknown)
            continue;
        Result<MediaService::Content> content = m_context.media().content(m_context.actor(), mediaId);
        if (!content || content.value().info.size > kMaxThumbnailSourceBytes) {
            m_thumbnails->markFailed(mediaId);
            continue;
        }
        std::unique_ptr<QIODevice> device = content.value().open ? content.value().open() : nullptr;
        if (!device) {
            m_thumbnails->markFailed(mediaId);
            continue;
        }
        // A file of the file backend is decoded from its path on the decoder's thread; bytes of the
        // database backend are read here (below the cap above) and decoded there.
        if (auto *file = qobject_cast<QFile *>(device.get()); file && !file->fileName().isEmpty())
            m_thumbnails->requestFile(mediaId, file->fileName());
        else
            m_thumbnails->requestBytes(mediaId, device->readAll());
    }
}

void MessageThreadModel::onThumbnailReady(const QString &mediaId)
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).message.mediaId != mediaId)
            continue;
        const QModelIndex at = index(row, 0);
        emit dataChanged(at, at, {ThumbnailRole, ThumbnailStateRole});
        emit thumbnailChanged(at);
    }
}

QHash<int, QByteArray> MessageThreadModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(MessageIdRole, "messageId");
    names.insert(BodyRole, "body");
    names.insert(DirectionRole, "direction");
    names.insert(OutboundRole, "outbound");
    names.insert(StatusRole, "status");
    names.insert(TimeRole, "time");
    names.insert(StatusTimeRole, "statusTime");
    names.insert(FailureReasonRole, "failureReason");
    names.insert(ContactPhoneRole, "contactPhone");
    names.insert(TypeRole, "type");
    names.insert(MediaIdRole, "mediaId");
    names.insert(CaptionRole, "caption");
    names.insert(FilenameRole, "filename");
    names.insert(MediaSizeRole, "mediaSize");
    names.insert(MediaMimeRole, "mediaMimetype");
    names.insert(MediaStateRole, "mediaState");
    names.insert(ThumbnailRole, "thumbnail");
    names.insert(ThumbnailStateRole, "thumbnailState");
    names.insert(MediaErrorRole, "mediaError");
    names.insert(DayStartsRole, "dayStarts");
    names.insert(DayTextRole, "dayText");
    return names;
}

void MessageThreadModel::setThread(const QString &clientId, const QString &contactPhone)
{
    QVector<Row> rows;
    bool older = false;
    if (!clientId.isEmpty() && !contactPhone.isEmpty() && m_context.signedIn()) {
        MessageQuery query;
        query.contactPhone = contactPhone;
        query.limit = kPageSize;
        if (Result<MessageService::Page> page = m_context.messages().history(m_context.actor(), clientId, query)) {
            const QList<MessageRecord> &newestFirst = page.value().messages;
            rows.reserve(newestFirst.size());
            for (auto it = newestFirst.crbegin(); it != newestFirst.crend(); ++it)
                rows << Row{*it, describeMedia(*it)};
            older = page.value().info.hasMore;
        }
    }
    beginResetModel();
    m_hasOlder = older;
    m_clientId = contactPhone.isEmpty() ? QString() : clientId;
    m_phone = clientId.isEmpty() ? QString() : contactPhone;
    m_rows = std::move(rows);
    m_index.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows.at(i).message.id, i);
    endResetModel();
}

QString MessageThreadModel::dayText(const QDateTime &time)
{
    const QDate day = time.date();
    const QDate today = QDate::currentDate();
    if (day == today)
        return tr("Today");
    if (day == today.addDays(-1))
        return tr("Yesterday");
    return QLocale().toString(day, day.year() == today.year() ? tr("dddd, d MMMM") : tr("d MMMM yyyy"));
}

int MessageThreadModel::loadOlder()
{
    if (!m_hasOlder || m_rows.isEmpty() || m_clientId.isEmpty() || !m_context.signedIn())
        return 0;
    MessageQuery query;
    query.contactPhone = m_phone;
    query.limit = kPageSize;
    query.beforeId = m_rows.first().message.id;
    Result<MessageService::Page> page = m_context.messages().history(m_context.actor(), m_clientId, query);
    if (!page) {
        m_hasOlder = false;
        return 0;
    }
    m_hasOlder = page.value().info.hasMore;
    const QList<MessageRecord> &newestFirst = page.value().messages;
    QVector<Row> rows;
    rows.reserve(newestFirst.size());
    for (auto it = newestFirst.crbegin(); it != newestFirst.crend(); ++it) {
        if (!m_index.contains(it->id))
            rows << Row{*it, describeMedia(*it)};
    }
    if (rows.isEmpty())
        return 0;
    const int count = int(rows.size());
    beginInsertRows(QModelIndex(), 0, count - 1);
    rows += m_rows;
    m_rows = std::move(rows);
    m_index.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows.at(i).message.id, i);
    endInsertRows();
    // The row that was first may no longer start its day.
    const QModelIndex was = index(count, 0);
    emit dataChanged(was, was, {DayStartsRole});
    return count;
}

int MessageThreadModel::loadUntil(const QString &messageId, int maxPages)
{
    for (int page = 0; rowOf(messageId) < 0 && page < maxPages && m_hasOlder; ++page) {
        if (loadOlder() == 0)
            break;
    }
    return rowOf(messageId);
}

bool MessageThreadModel::refreshMessage(const QString &messageId)
{
    if (m_clientId.isEmpty() || messageId.isEmpty())
        return false;
    Result<MessageRecord> found = m_context.messages().get(m_context.actor(), messageId);
    if (!found)
        return false;
    const MessageRecord &m = found.value();
    if (m.clientId != m_clientId || m.contactPhone != m_phone)
        return false;
    const int row = rowOf(messageId);
    const MediaView media = describeMedia(m);
    if (row >= 0) {
        const Row &old = m_rows.at(row);
        // A file that arrived after its message (an inbound download finishing) changes the row too.
        // An edit changes the text or caption; a deletion, the type.
        if (old.message.status == m.status && old.message.failureReason == m.failureReason && statusTime(old.message) == statusTime(m)
            && old.message.body == m.body && old.message.caption == m.caption && typeOf(old.message) == typeOf(m)
            && old.message.mediaId == m.mediaId && old.media.state == media.state)
            return true;
        m_rows[row] = Row{m, media};
        const QModelIndex at = index(row, 0);
        emit dataChanged(at, at);
        return true;
    }
    const int end = int(m_rows.size());
    beginInsertRows(QModelIndex(), end, end);
    m_rows.append(Row{m, media});
    m_index.insert(m.id, end);
    endInsertRows();
    return true;
}

void MessageThreadModel::onEvent(const Event &event)
{
    if (m_clientId.isEmpty() || event.organizationId != m_context.actor().organizationId)
        return;
    const std::optional<MessageEventData> message = MessageEvents::parse(event);
    if (!message || message->clientId != m_clientId)
        return;
    if (rowOf(message->messageId) >= 0 || message->counterpart == m_phone)
        refreshMessage(message->messageId);
}

} // namespace wadesk

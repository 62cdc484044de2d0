#pragma once

#include "core/common/DomainError.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

namespace wadesk {

class SqlRunner;

// What a message reported by WhatsApp Web is, in WaDesk's terms. WhatsApp Web puts a base64 JPEG
// thumbnail in the `body` of images, videos, stickers and locations (and the vCard itself in a
// contact card's): `body` here is only ever the text a person wrote — the text of a text
// message, a file's caption, a place's name and address, the names of shared contacts.
struct InboundContent {
    QString type;     // text image video audio voice document sticker location contact revoked ciphertext unsupported
    QString waType;   // WhatsApp's own name: chat, ptt, vcard, multi_vcard, ...
    QString body;
    QString caption;  // media only
    QString filename; // documents (and whatever file name the sender's app gave)
    QString mimetype; // as WhatsApp declared it (the media store decides from the content)
    qint64 size = 0;  // as WhatsApp declared it
    QJsonObject details; // {"location": {...}} | {"contacts": [...]} | {"wa_type": "..."} for unsupported kinds
    bool system = false; // a notification, call log or protocol message: not a message a person wrote

    bool hasMedia() const;
    bool isCiphertext() const { return type == QLatin1String("ciphertext"); }
    // From the bridge's serialized message (resources/engine/bridge.js serializeMessage).
    static InboundContent fromPage(const QJsonObject &message);
};

// A received (or phone-sent) message as the inbound side reads and updates it.
struct InboundRow {
    QString id;
    QString organizationId;
    QString clientId;
    QString waMessageId;
    QString contactPhone;
    QString direction;
    QString type;
    QString body;
    QString caption;
    QString filename;
    QString mediaId;
    QString mediaStatus; // empty, pending, stored, failed
    QString mediaError;
    QJsonObject details;
    qint64 createdAt = 0;
    qint64 editedAt = 0;
    qint64 revokedAt = 0;
};

// The columns of a message that only the inbound side writes (migrations 0008 and 0009): type,
// caption, filename, details, media status; edits, deletions and reactions on the original.
// Rows are created by MessageRepository::insertIfNew; everything here is keyed by the client
// (which belongs to one organization) and the message's own id.
class InboundMessageRepository {
public:
    explicit InboundMessageRepository(SqlRunner &sql) : m_sql(sql) {}

    Result<std::optional<InboundRow>> findByWaId(const QString &clientId, const QString &waMessageId);
    // Writes what the message is; mediaStatus empty for none.
    Status writeContent(const QString &messageId, const InboundContent &content, const QString &mediaStatus,
                        const QString &mediaError, qint64 now);
    // The file's fetch ended: stored as `mediaId`, or failed with `error`.
    Status finishMedia(const QString &messageId, const QString &mediaId, const QString &error, qint64 now);
    Status edit(const QString &messageId, const QString &body, const QString &caption, qint64 at);
    Status revoke(const QString &messageId, qint64 at);
    // One reaction per sender and message; an empty reaction removes it.
    Status react(const QString &organizationId, const QString &messageId, const QString &sender, const QString &reaction,
                 qint64 at);
    // {sender: reaction} of a message.
    Result<QJsonObject> reactions(const QString &messageId);
    // Messages of a client whose file is still being fetched.
    Result<QList<InboundRow>> pendingMedia(const QString &clientId);

private:
    SqlRunner &m_sql;
};

} // namespace wadesk

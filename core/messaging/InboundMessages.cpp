#include "core/messaging/InboundMessages.h"

#include "core/db/SqlRunner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QStringList>

namespace wadesk {

namespace {

const QString kStored = QStringLiteral("stored");
const QString kFailed = QStringLiteral("failed");

// Not messages a person wrote: group and security notifications, call logs, and the protocol
// messages that carry edits and deletions (reported to the bridge as their own events).
const QSet<QString> &systemTypes()
{
    static const QSet<QString> types{QStringLiteral("notification"),         QStringLiteral("notification_template"),
                                     QStringLiteral("group_notification"),   QStringLiteral("gp2"),
                                     QStringLiteral("broadcast_notification"), QStringLiteral("e2e_notification"),
                                     QStringLiteral("call_log"),             QStringLiteral("protocol"),
                                     QStringLiteral("reaction")};
    return types;
}

// A non-null empty string where the column is NOT NULL (a null QString binds as NULL).
QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

QJsonObject locationOf(const QJsonObject &m)
{
    QJsonObject location{{QStringLiteral("latitude"), m.value(QLatin1String("lat")).toDouble()},
                         {QStringLiteral("longitude"), m.value(QLatin1String("lng")).toDouble()}};
    // wa-js writes a place as "name\naddress" (or either alone) in `loc`.
    const QString loc = str(m, "loc");
    const int newline = loc.indexOf(QLatin1Char('\n'));
    const QString name = (newline >= 0 ? loc.left(newline) : loc).trimmed();
    const QString address = newline >= 0 ? loc.mid(newline + 1).trimmed() : QString();
    location.insert(QStringLiteral("name"), name.isEmpty() ? QJsonValue() : QJsonValue(name));
    location.insert(QStringLiteral("address"), address.isEmpty() ? QJsonValue() : QJsonValue(address));
    const QString url = str(m, "url");
    location.insert(QStringLiteral("url"), url.isEmpty() ? QJsonValue() : QJsonValue(url));
    return location;
}

InboundRow fromRow(const QSqlQuery &q)
{
    InboundRow r;
    r.id = q.value(0).toString();
    r.organizationId = q.value(1).toString();
    r.clientId = q.value(2).toString();
    r.contactPhone = q.value(3).toString();
    r.direction = q.value(4).toString();
    r.type = q.value(5).toString();
    r.body = q.value(6).toString();
    r.caption = q.value(7).toString();
    r.filename = q.value(8).toString();
    r.mediaId = q.value(9).toString();
    r.mediaStatus = q.value(10).toString();
    r.mediaError = q.value(11).toString();
    r.details = QJsonDocument::fromJson(q.value(12).toString().toUtf8()).object();
    r.createdAt = q.value(13).toLongLong();
    r.editedAt = q.value(14).toLongLong();
    r.revokedAt = q.value(15).toLongLong();
    r.waMessageId = q.value(16).toString();
    return r;
}

const QString kSelect = QStringLiteral(
    "SELECT m.id, m.organization_id, m.client_id, c.phone_number, m.direction, m.type, m.body, m.caption, m.filename, "
    "m.media_id, m.media_status, m.media_error, m.details, m.created_at, m.edited_at, m.revoked_at, m.wa_message_id "
    "FROM messages m JOIN contacts c ON c.id = m.contact_id");

} // namespace

bool InboundContent::hasMedia() const
{
    static const QSet<QString> media{QStringLiteral("image"), QStringLiteral("video"),    QStringLiteral("audio"),
                                     QStringLiteral("voice"), QStringLiteral("document"), QStringLiteral("sticker")};
    return media.contains(type);
}

InboundContent InboundContent::fromPage(const QJsonObject &m)
{
    InboundContent c;
    c.waType = str(m, "type");
    if (c.waType.isEmpty())
        c.waType = QStringLiteral("chat");
    c.caption = str(m, "caption");
    c.filename = str(m, "filename");
    c.mimetype = str(m, "mimetype");
    c.size = qint64(m.value(QLatin1String("size")).toDouble());
    const QString &w = c.waType;
    if (w == QLatin1String("chat")) {
        c.type = QStringLiteral("text");
        c.body = str(m, "body");
        c.caption.clear();
    } else if (w == QLatin1String("image") || w == QLatin1String("video") || w == QLatin1String("audio")
               || w == QLatin1String("document") || w == QLatin1String("sticker") || w == QLatin1String("ptt")) {
        c.type = w == QLatin1String("ptt") ? QStringLiteral("voice") : w;
        c.body = c.caption; // the body WhatsApp Web reports is a thumbnail: never kept
        if (!c.mimetype.isEmpty() || c.size > 0)
            c.details = QJsonObject{{QStringLiteral("mimetype"), c.mimetype}, {QStringLiteral("size"), double(c.size)}};
    } else if (w == QLatin1String("location")) {
        c.type = QStringLiteral("location");
        const QJsonObject location = locationOf(m);
        c.details = QJsonObject{{QStringLiteral("location"), location}};
        QStringList place;
        for (const char *key : {"name", "address"}) {
            if (location.value(QLatin1String(key)).isString())
                place << location.value(QLatin1String(key)).toString();
        }
        c.body = place.join(QLatin1Char('\n'));
        c.caption.clear();
    } else if (w == QLatin1String("vcard") || w == QLatin1String("multi_vcard")) {
        c.type = QStringLiteral("contact");
        QJsonArray contacts;
        if (w == QLatin1String("vcard")) {
            contacts.append(QJsonObject{{QStringLiteral("name"), str(m, "vcardFormattedName")}, {QStringLiteral("vcard"), str(m, "body")}});
        } else {
            for (const QJsonValue &v : m.value(QLatin1String("vcardList")).toArray()) {
                const QJsonObject card = v.toObject();
                contacts.append(QJsonObject{{QStringLiteral("name"), str(card, "displayName")}, {QStringLiteral("vcard"), str(card, "vcard")}});
            }
        }
        QStringList names;
        for (const QJsonValue &v : contacts) {
            const QString name = v.toObject().value(QLatin1String("name")).toString();
            if (!name.isEmpty())
                names << name;
        }
        c.details = QJsonObject{{QStringLiteral("contacts"), contacts}};
        c.body = names.join(QStringLiteral(", "));
        c.caption.clear();
    } else if (w == QLatin1String("ciphertext") || w == QLatin1String("revoked")) {
        c.type = w; // no content (yet, or any more)
        c.caption.clear();
    } else if (systemTypes().contains(w)) {
        c.type = w;
        c.system = true;
    } else {
        // Polls, lists, buttons, orders, ...: kept with what they are, without guessing a text.
        c.type = QStringLiteral("unsupported");
        c.details = QJsonObject{{QStringLiteral("wa_type"), w}};
        c.caption.clear();
    }
    return c;
}

Result<std::optional<InboundRow>> InboundMessageRepository::findByWaId(const QString &clientId, const QString &waMessageId)
{
    static const QString sql = kSelect + QStringLiteral(" WHERE m.client_id = ? AND m.wa_message_id = ?");
    return m_sql.query(sql, {clientId, waMessageId}, "inbound.findByWaId", [](QSqlQuery &q) {
        return q.next() ? std::optional<InboundRow>(fromRow(q)) : std::optional<InboundRow>();
    });
}

Status InboundMessageRepository::writeContent(const QString &messageId, const InboundContent &c, const QString &mediaStatus,
                                              const QString &mediaError, qint64 now)
{
    const QString details = c.details.isEmpty() ? QString() : QString::fromUtf8(QJsonDocument(c.details).toJson(QJsonDocument::Compact));
    Result<int> r = m_sql.change(QStringLiteral("UPDATE messages SET type = ?, body = ?, caption = ?, filename = ?, details = ?, "
                                                "media_status = ?, media_error = ?, updated_at = ? WHERE id = ?"),
                                 {c.type, text(c.body), textOrNull(c.caption), textOrNull(c.filename), textOrNull(details),
                                  textOrNull(mediaStatus), textOrNull(mediaError), now, messageId},
                                 "inbound.writeContent");
    if (!r)
        return r.error();
    return {};
}

Status InboundMessageRepository::finishMedia(const QString &messageId, const QString &mediaId, const QString &error, qint64 now)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE messages SET media_id = ?, media_status = ?, media_error = ?, updated_at = ? "
                                                "WHERE id = ? AND media_status = 'pending'"),
                                 {textOrNull(mediaId), mediaId.isEmpty() ? kFailed : kStored, textOrNull(error), now, messageId},
                                 "inbound.finishMedia");
    if (!r)
        return r.error();
    return {};
}

Status InboundMessageRepository::edit(const QString &messageId, const QString &body, const QString &caption, qint64 at)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE messages SET body = ?, caption = ?, edited_at = ?, updated_at = ? WHERE id = ?"),
                                 {text(body), textOrNull(caption), at, at, messageId}, "inbound.edit");
    if (!r)
        return r.error();
    return {};
}

Status InboundMessageRepository::revoke(const QString &messageId, qint64 at)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE messages SET revoked_at = ?, updated_at = ? WHERE id = ?"), {at, at, messageId},
                                 "inbound.revoke");
    if (!r)
        return r.error();
    return {};
}

Status InboundMessageRepository::react(const QString &organizationId, const QString &messageId, const QString &sender,
                                       const QString &reaction, qint64 at)
{
    Result<int> removed = m_sql.change(QStringLiteral("DELETE FROM message_reactions WHERE message_id = ? AND sender = ?"),
                                       {messageId, sender}, "inbound.unreact");
    if (!removed)
        return removed.error();
    if (reaction.isEmpty())
        return {};
    Result<int> added = m_sql.change(QStringLiteral("INSERT INTO message_reactions (message_id, organization_id, sender, reaction, reacted_at) "
                                                    "VALUES (?, ?, ?, ?, ?)"),
                                     {messageId, organizationId, sender, reaction, at}, "inbound.react");
    if (!added)
        return added.error();
    return {};
}

Result<QJsonObject> InboundMessageRepository::reactions(const QString &messageId)
{
    return m_sql.query(QStringLiteral("SELECT sender, reaction FROM message_reactions WHERE message_id = ? ORDER BY reacted_at, sender"),
                       {messageId}, "inbound.reactions", [](QSqlQuery &q) {
                           QJsonObject out;
                           while (q.next())
                               out.insert(q.value(0).toString(), q.value(1).toString());
                           return out;
                       });
}

Result<QList<InboundRow>> InboundMessageRepository::pendingMedia(const QString &clientId)
{
    static const QString sql = kSelect + QStringLiteral(" WHERE m.client_id = ? AND m.media_status = 'pending' ORDER BY m.created_at");
    return m_sql.query(sql, {clientId}, "inbound.pendingMedia", [](QSqlQuery &q) {
        QList<InboundRow> out;
        while (q.next())
            out << fromRow(q);
        return out;
    });
}

} // namespace wadesk

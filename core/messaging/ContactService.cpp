#include "core/messaging/ContactService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactAttributes.h"

#include <QDateTime>
#include <QJsonArray>

namespace wadesk {

Result<ContactService::Page> ContactService::list(const AuthContext &ctx, ContactQuery query)
{
    SqlRunner sql(m_database);
    ContactRepository contacts(sql, m_clock);
    if (!query.beforeId.isEmpty()) {
        // Checked before any SQL (QPSQL inlines values); another organization's contact is
        // refused like a malformed id, so a cursor tells nothing.
        const auto badCursor = [] {
            return DomainError::badRequest(QStringLiteral("before must be the id of a contact"), QStringLiteral("invalid_cursor"));
        };
        if (!Ids::looksValid(query.beforeId, "contact"))
            return badCursor();
        Result<std::optional<qint64>> at = contacts.position(ctx.organizationId, query.beforeId);
        if (!at)
            return at.error();
        if (!at.value())
            return badCursor();
        query.beforeUpdatedAt = *at.value();
    }
    Result<QList<ContactRecord>> rows = contacts.list(ctx.organizationId, query);
    if (!rows)
        return rows.error();
    Page page;
    page.contacts = rows.value();
    page.info = Paging::trim(page.contacts, query.limit, [](const ContactRecord &c) { return c.id; });
    page.info.total = Paging::freeTotal(page.info, page.contacts.size(), query.offset, !query.beforeId.isEmpty());
    if (query.exactTotal) {
        Result<int> total = contacts.count(ctx.organizationId, query);
        if (!total)
            return total.error();
        page.info.total = total.value();
    }
    return page;
}

Result<ContactRecord> ContactService::get(const AuthContext &ctx, const QString &contactId)
{
    SqlRunner sql(m_database);
    ContactRepository contacts(sql, m_clock);
    Result<std::optional<ContactRecord>> found = contacts.find(ctx.organizationId, contactId);
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Contact"));
    return *found.value();
}

Result<ContactRecord> ContactService::update(const AuthContext &ctx, const QString &contactId, const Change &change)
{
    // PATCH /api/contacts/:contactId's permission, here too for the desktop (viewers only read).
    if (Status s = ctx.require(Permission::SendMessages); !s)
        return s.error();
    Result<ContactRecord> found = get(ctx, contactId);
    if (!found)
        return found;
    ContactRecord c = found.value();
    const qint64 now = m_clock.nowMs();
    QJsonObject details;
    if (change.name) {
        if (change.name->size() > 100)
            return DomainError::validation(QStringLiteral("name"), QStringLiteral("name must be at most 100 characters"));
        c.name = *change.name;
        details.insert(QStringLiteral("name"), c.name);
    }
    if (change.tags) {
        if (change.tags->size() > 50)
            return DomainError::validation(QStringLiteral("tags"), QStringLiteral("at most 50 tags"));
        QStringList tags;
        for (const QString &t : *change.tags) {
            const QString tag = t.trimmed();
            if (tag.isEmpty() || tag.size() > 50 || tag.contains(QLatin1Char('"')))
                return DomainError::validation(QStringLiteral("tags"), QStringLiteral("each tag must be 1 to 50 characters, without quotes"));
            if (!tags.contains(tag))
                tags << tag;
        }
        c.tags = tags;
        details.insert(QStringLiteral("tags"), QJsonArray::fromStringList(tags));
    }
    if (change.attributes) {
        Result<QJsonObject> merged = ContactAttributes::apply(c.attributes, *change.attributes, QStringLiteral("attributes"));
        if (!merged)
            return merged.error();
        c.attributes = merged.value();
        details.insert(QStringLiteral("attributes"), *change.attributes);
    }
    const bool optChange = change.optedOut && *change.optedOut != c.optedOut;
    if (change.optedOut) {
        c.optedOut = *change.optedOut;
        c.optedOutAt = c.optedOut ? (optChange ? now : c.optedOutAt) : 0;
        details.insert(QStringLiteral("opted_out"), c.optedOut);
    }
    c.updatedAt = now;
    const QString action = optChange ? (c.optedOut ? QStringLiteral("contact_opted_out") : QStringLiteral("contact_opted_in"))
                                     : QStringLiteral("update_contact");
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = ContactRepository(write.sql, write.clock).update(c); !s)
            return s;
        return write.audit.append(auditBy(ctx, action, QStringLiteral("contacts"), c.id, details));
    }, m_clock);
    if (!stored)
        return stored.error();
    return c;
}

} // namespace wadesk

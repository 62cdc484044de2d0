#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/messaging/ContactRepository.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <functional>
#include <optional>

namespace wadesk {

class Database;
class SqlRunner;

// A segment's rules, all of which a contact must meet (an empty set: every contact):
//   tags_all: [..]                   every one of these tags
//   tags_any: [..]                   at least one of these tags
//   attributes: {key: value}         each attribute equal to the value (exact, case-sensitive)
//   last_inbound_within_days: N      wrote to the organization within the last N days
//   never_messaged: true | false     no message was ever sent to it (false: one was)
// Compiled to SQL with bound values for both dialects. Tags and attributes are matched in the
// stored JSON text ('"tag"' and '"key":"value"', which the compact form writes exactly once per
// element), so no JSON functions are needed.
struct SegmentRules {
    QStringList tagsAll;
    QStringList tagsAny;
    QJsonObject attributes;
    int lastInboundWithinDays = 0; // 0: no such rule
    std::optional<bool> neverMessaged;

    // 400 naming rules.<field> for anything else.
    static Result<SegmentRules> fromJson(const QJsonValue &value);
    QJsonObject toJson() const;
    // " FROM contacts WHERE organization_id = ? AND ..." with its bound values.
    QString fromWhere(bool postgres, const QString &organizationId, qint64 nowMs, QVariantList &bind) const;
};

struct SegmentRecord {
    QString id;
    QString organizationId;
    QString name;
    SegmentRules rules;
    QString createdBy;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

class SegmentRepository {
public:
    explicit SegmentRepository(SqlRunner &sql) : m_sql(sql) {}
    Result<std::optional<SegmentRecord>> find(const QString &organizationId, const QString &segmentId);
    Result<QList<SegmentRecord>> list(const QString &organizationId);
    Status insert(const SegmentRecord &segment);
    Status update(const SegmentRecord &segment);
    Status remove(const QString &organizationId, const QString &segmentId);
    Result<int> count(const QString &organizationId, const SegmentRules &rules, qint64 nowMs);
    Result<QList<ContactRecord>> sample(const QString &organizationId, const SegmentRules &rules, qint64 nowMs, int limit);
    // Every member in id order, in batches (no transaction or cursor held between them); stops
    // when `each` returns false.
    Status members(const QString &organizationId, const SegmentRules &rules, qint64 nowMs,
                   const std::function<bool(const ContactRecord &)> &each);

private:
    SqlRunner &m_sql;
};

// The segment use cases (/api/segments): admins and managers (can_manage_clients); audited.
class SegmentService {
public:
    static constexpr int kSampleSize = 10;
    static constexpr int kMaxSegments = 500;

    SegmentService(Database &database, const Clock &clock = Clock::system()) : m_database(database), m_clock(clock) {}

    struct Preview {
        int count = 0;
        QList<ContactRecord> sample;
    };
    Result<SegmentRecord> create(const AuthContext &ctx, const QString &name, const SegmentRules &rules);
    Result<QList<SegmentRecord>> list(const AuthContext &ctx);
    Result<SegmentRecord> get(const AuthContext &ctx, const QString &segmentId);
    Result<SegmentRecord> update(const AuthContext &ctx, const QString &segmentId, const std::optional<QString> &name,
                                 const std::optional<SegmentRules> &rules);
    Status remove(const AuthContext &ctx, const QString &segmentId);
    Result<Preview> preview(const AuthContext &ctx, const SegmentRules &rules);

private:
    Database &m_database;
    const Clock &m_clock;
};

} // namespace wadesk

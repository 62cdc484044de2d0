#include "core/db/Migrator.h"

#include "core/db/Database.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <map>
#include <spdlog/spdlog.h>

namespace wadesk {

Migrator::Migrator(Database &database, QString directory, const Clock &clock)
    : m_database(database)
    , m_directory(std::move(directory))
    , m_clock(clock)
{
}

QString Migrator::embeddedDirectory(const QString &dialect)
{
    return QStringLiteral(":/migrations/") + dialect;
}

Result<std::vector<Migrator::Migration>> Migrator::available() const
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d{4})_([a-z0-9_]+)\\.sql$"));
    std::vector<Migration> out;
    const QDir dir(m_directory);
    const QStringList files = dir.entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    if (files.isEmpty())
        return DomainError::internal(QStringLiteral("no migrations found in %1").arg(m_directory));
    for (const QString &fileName : files) {
        const auto match = pattern.match(fileName);
        if (!match.hasMatch())
            return DomainError::internal(QStringLiteral("migration file name '%1' is not NNNN_name.sql").arg(fileName));
        QFile file(dir.filePath(fileName));
        if (!file.open(QIODevice::ReadOnly))
            return DomainError::internal(QStringLiteral("cannot read migration %1").arg(fileName));
        Migration m;
        m.version = match.captured(1).toInt();
        m.name = match.captured(2);
        const QByteArray bytes = file.readAll();
        m.sql = QString::fromUtf8(bytes);
        m.checksum = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        if (!out.empty() && out.back().version == m.version)
            return DomainError::internal(QStringLiteral("two migrations share version %1").arg(m.version));
        out.push_back(std::move(m));
    }
    return out;
}

QStringList Migrator::splitStatements(const QString &script)
{
    QStringList statements;
    QString current;
    enum class Mode { Normal, Single, Double, LineComment, BlockComment, Dollar } mode = Mode::Normal;
    QString dollarTag;
    // In CREATE TRIGGER ... BEGIN ... END, the statements of the body end with ';' too: the
    // trigger ends at the ';' after the END that closes its BEGIN. CASE ... END nests inside.
    bool inTrigger = false;
    int blockDepth = 0;
    const int n = script.size();
    auto isWordChar = [](QChar ch) { return ch.isLetterOrNumber() || ch == QLatin1Char('_') || ch == QLatin1Char('$'); };
    auto flush = [&]() {
        const QString s = current.trimmed();
        if (!s.isEmpty())
            statements << s;
        current.clear();
        inTrigger = false;
        blockDepth = 0;
    };
    for (int i = 0; i < n; ++i) {
        const QChar c = script.at(i);
        const QChar next = i + 1 < n ? script.at(i + 1) : QChar();
        switch (mode) {
        case Mode::Normal:
            if (c == QLatin1Char('-') && next == QLatin1Char('-')) {
                mode = Mode::LineComment;
                ++i;
                continue;
            }
            if (c == QLatin1Char('/') && next == QLatin1Char('*')) {
                mode = Mode::BlockComment;
                ++i;
                continue;
            }
            if (c == QLatin1Char('\''))
                mode = Mode::Single;
            else if (c == QLatin1Char('"'))
                mode = Mode::Double;
            else if (c == QLatin1Char('$') && (i == 0 || !isWordChar(script.at(i - 1)))) {
                // $$ or $tag$ opens a dollar-quoted body; $1 (a parameter) and a$b (an
                // identifier) do not.
                const int end = script.indexOf(QLatin1Char('$'), i + 1);
                static const QRegularExpression tagChars(QStringLiteral("^([A-Za-z_][A-Za-z0-9_]*)?$"));
                if (end > i && tagChars.match(script.mid(i + 1, end - i - 1)).hasMatch()) {
                    dollarTag = script.mid(i, end - i + 1);
                    current += dollarTag;
                    i = end;
                    mode = Mode::Dollar;
                    continue;
                }
            } else if (c.isLetter() && (i == 0 || !isWordChar(script.at(i - 1)))) {
                int end = i + 1;
                while (end < n && isWordChar(script.at(end)))
                    ++end;
                const QString word = script.mid(i, end - i);
                if (current.trimmed().isEmpty() && word.compare(QLatin1String("CREATE"), Qt::CaseInsensitive) == 0) {
                    // CREATE [TEMP|TEMPORARY] TRIGGER
                    static const QRegularExpression createTrigger(
                        QStringLiteral("^CREATE\\s+(TEMP\\s+|TEMPORARY\\s+)?TRIGGER\\b"),
                        QRegularExpression::CaseInsensitiveOption);
                    inTrigger = createTrigger.match(script.mid(i, 64)).hasMatch();
                } else if (inTrigger) {
                    if (word.compare(QLatin1String("BEGIN"), Qt::CaseInsensitive) == 0
                        || word.compare(QLatin1String("CASE"), Qt::CaseInsensitive) == 0)
                        ++blockDepth;
                    else if (word.compare(QLatin1String("END"), Qt::CaseInsensitive) == 0 && blockDepth > 0)
                        --blockDepth;
                }
                current += word;
                i = end - 1;
                continue;
            } else if (c == QLatin1Char(';')) {
                if (inTrigger && blockDepth > 0) {
                    current += c;
                    continue;
                }
                flush();
                continue;
            }
            current += c;
            break;
        case Mode::Single:
            current += c;
            if (c == QLatin1Char('\''))
                mode = Mode::Normal; // a doubled '' re-enters Single on the next character
            break;
        case Mode::Double:
            current += c;
            if (c == QLatin1Char('"'))
                mode = Mode::Normal;
            break;
        case Mode::LineComment:
            if (c == QLatin1Char('\n')) {
                mode = Mode::Normal;
                current += c;
            }
            break;
        case Mode::BlockComment:
            if (c == QLatin1Char('*') && next == QLatin1Char('/')) {
                mode = Mode::Normal;
                current += QLatin1Char(' '); // a comment separates tokens
                ++i;
            }
            break;
        case Mode::Dollar:
            if (c == QLatin1Char('$') && script.mid(i, dollarTag.size()) == dollarTag) {
                current += dollarTag;
                i += dollarTag.size() - 1;
                mode = Mode::Normal;
                continue;
            }
            current += c;
            break;
        }
    }
    flush();
    return statements;
}

Result<int> Migrator::migrate()
{
    Result<std::vector<Migration>> migrations = available();
    if (!migrations)
        return migrations.error();
    Result<QSqlDatabase> connection = m_database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = connection.value();
    QSqlQuery q(db);

    auto fail = [&](const QString &message) -> DomainError {
        QSqlQuery rollback(db);
        rollback.exec(QStringLiteral("ROLLBACK"));
        return DomainError::internal(message);
    };

    const bool postgres = m_database.isPostgres();
    if (!q.exec(postgres ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE")))
        return DomainError::internal(QStringLiteral("cannot start the migration transaction: %1").arg(q.lastError().text()));
    // A constant key: every WaDesk instance sharing this PostgreSQL waits for the one migrating.
    if (postgres && !q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7301205519)")))
        return fail(QStringLiteral("cannot take the migration lock: %1").arg(q.lastError().text()));
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                               "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                               "checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)")))
        return fail(QStringLiteral("cannot create schema_migrations: %1").arg(q.lastError().text()));

    std::map<int, QString> applied;
    if (!q.exec(QStringLiteral("SELECT version, checksum FROM schema_migrations")))
        return fail(QStringLiteral("cannot read schema_migrations: %1").arg(q.lastError().text()));
    while (q.next())
        applied[q.value(0).toInt()] = q.value(1).toString();

    const int newestKnown = migrations.value().back().version;
    if (!applied.empty() && applied.rbegin()->first > newestKnown)
        return fail(QStringLiteral("the database schema (version %1) is newer than this WaDesk supports (%2); "
                                   "upgrade WaDesk")
                        .arg(applied.rbegin()->first)
                        .arg(newestKnown));

    int count = 0;
    for (const Migration &m : migrations.value()) {
        const auto it = applied.find(m.version);
        if (it != applied.end()) {
            if (it->second != m.checksum)
                return fail(QStringLiteral("migration %1_%2 was changed after it was applied")
                                .arg(m.version, 4, 10, QLatin1Char('0'))
                                .arg(m.name));
            continue;
        }
        for (const QString &statement : splitStatements(m.sql)) {
            if (!q.exec(statement))
                return fail(QStringLiteral("migration %1_%2 failed: %3")
                                .arg(m.version, 4, 10, QLatin1Char('0'))
                                .arg(m.name, q.lastError().text()));
        }
        q.prepare(QStringLiteral("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)"));
        q.addBindValue(m.version);
        q.addBindValue(m.name);
        q.addBindValue(m.checksum);
        q.addBindValue(m_clock.nowMs());
        if (!q.exec())
            return fail(QStringLiteral("cannot record migration %1: %2").arg(m.version).arg(q.lastError().text()));
        ++count;
    }
    if (!q.exec(QStringLiteral("COMMIT")))
        return fail(QStringLiteral("cannot commit migrations: %1").arg(q.lastError().text()));
    if (count > 0)
        spdlog::info("applied {} migration(s) to {}", count, m_database.url().describe().toStdString());
    return count;
}

} // namespace wadesk

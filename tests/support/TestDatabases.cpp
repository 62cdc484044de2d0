#include "tests/support/TestDatabases.h"

#include "tests/support/PgCluster.h"

namespace wadesk::test {

void addDialectRows()
{
    QTest::addColumn<QString>("dialect");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

TestDatabase makeDatabase(const QString &dialect, QString *skipReason)
{
    TestDatabase out;
    if (dialect == QLatin1String("postgres")) {
        PgCluster *cluster = PgCluster::shared(skipReason);
        if (!cluster)
            return out;
        out.url = cluster->createDatabase();
    } else {
        out.dir = std::make_unique<QTemporaryDir>();
        out.url = out.dir->filePath(QStringLiteral("test.db"));
    }
    const Result<DatabaseUrl> url = DatabaseUrl::parse(out.url, QDir::tempPath());
    if (!url) {
        *skipReason = url.error().message;
        return out;
    }
    out.database = std::make_unique<Database>(url.value());
    return out;
}

} // namespace wadesk::test

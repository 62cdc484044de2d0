#pragma once

#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"

#include <QTemporaryDir>
#include <QTest>
#include <memory>

namespace wadesk::test {

// A fresh, migrated-or-not database of either dialect, for tests that run on both.
// Data-driven tests add a "dialect" column with rows "sqlite" and "postgres".
struct TestDatabase {
    std::unique_ptr<QTemporaryDir> dir;  // holds the SQLite file
    std::unique_ptr<Database> database;
    QString url;
};

// Returns a database, or an empty one after QSKIP/QFAIL-style reporting through `skipReason`
// (PostgreSQL not installed and not required).
TestDatabase makeDatabase(const QString &dialect, QString *skipReason);
// Adds the "dialect" column and its two rows.
void addDialectRows();

} // namespace wadesk::test

// A fresh database of the given dialect, or skip (PostgreSQL not installed) or fail (required).
#define WADESK_DATABASE_OR_SKIP(var, dialectName)                                                         \
    QString var##SkipReason;                                                                              \
    wadesk::test::TestDatabase var = wadesk::test::makeDatabase(dialectName, &var##SkipReason);          \
    if (!var.database) {                                                                                  \
        if (wadesk::test::PgCluster::required())                                                          \
            QFAIL(qPrintable(var##SkipReason));                                                           \
        QSKIP(qPrintable(var##SkipReason));                                                               \
    }

// In a data-driven test function: a fresh database for the current "dialect" row, or skip/fail.
#define WADESK_FRESH_DATABASE(var)                                                                        \
    QFETCH(QString, dialect);                                                                             \
    WADESK_DATABASE_OR_SKIP(var, dialect)

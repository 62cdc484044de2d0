#pragma once

#include "core/common/DomainError.h"

#include <QList>
#include <QString>
#include <array>

namespace wadesk {

class Database;

// One cell of message_rollups (organization, client, UTC hour) whose stored counts differ from
// what the raw messages give. Counts in the order total, sent, delivered, read, failed, received;
// a cell missing on one side reads as zeros there.
struct RollupDifference {
    QString organizationId;
    QString clientId;
    qint64 hourStart = 0;
    std::array<qint64, 6> stored{};
    std::array<qint64, 6> actual{};
};

// `wadesk analytics --verify` / `--repair`: recomputes every roll-up cell from the raw messages
// and compares (the triggers of migration 0012 keep them exact; this finds a cell edited by
// hand or a bug), and on request rewrites the roll-ups from the raw rows in one transaction that
// holds off writers of messages meanwhile.
class RollupCheck {
public:
    explicit RollupCheck(Database &database) : m_database(database) {}

    Result<QList<RollupDifference>> verify();
    // Rewrites every cell; returns how many cells were stored afterwards.
    Result<qint64> repair();

    static QString describe(const RollupDifference &difference); // one line for the terminal

private:
    Database &m_database;
};

} // namespace wadesk

// The outage journal's costs (bench/README.md): appending one record (written and fdatasync'ed
// before append() returns) in the data directory's file system, and replaying records: the
// journal alone (read, cursor synced per record) and through PageReportJournal against a SQLite
// database, one transaction per ack.
//
//   ninja -C build bench_journal && build/tests/bench_journal [records, default 2000] [directory]

#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventBus.h"
#include "core/journal/OutageJournal.h"
#include "core/engine/PageReportJournal.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/InboundProcessor.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/OutboundAcks.h"
#include "core/sessions/SessionRecorder.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>

using namespace wadesk;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int n = argc > 1 ? std::max(10, atoi(argv[1])) : 2000;
    QTemporaryDir dir(argc > 2 ? QString::fromLocal8Bit(argv[2]) + QStringLiteral("/bench_journal-XXXXXX") : QString());
    if (!dir.isValid())
        return 1;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    Database db(DatabaseUrl::parse(dir.filePath(QStringLiteral("bench.db")), dir.path()).value());
    if (!Migrator(db, Migrator::embeddedDirectory(QStringLiteral("sqlite"))).migrate())
        return 1;
    const QString org = Ids::make("org");
    const QString client = Ids::make("client");
    SqlRunner sql(db);
    (void)sql.change(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"), {org, QStringLiteral("B"), now, now});
    (void)sql.change(QStringLiteral("INSERT INTO clients (id, organization_id, name, phone_number, status, linked, created_at, updated_at) "
                                    "VALUES (?, ?, ?, ?, 'ready', 1, ?, ?)"),
                     {client, org, QStringLiteral("B"), QStringLiteral("+15550001111"), now, now});
    Result<ContactRecord> contact = ContactRepository(sql).upsert(org, QStringLiteral("+14155550100"));
    QList<MessageRecord> sent;
    for (int i = 0; i < n; ++i) {
        MessageRecord m;
        m.id = Ids::make("msg");
        m.organizationId = org;
        m.clientId = client;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Outbound;
        m.body = QStringLiteral("bench");
        m.status = MessageStatus::Sent;
        m.waMessageId = QStringLiteral("true_14155550100@c.us_BENCH%1").arg(i);
        m.createdAt = m.updatedAt = now;
        sent << m;
    }
    if (!MessageRepository(sql).insertMany(sent))
        return 1;

    EventBus bus;
    OutageJournal journal(dir.filePath(QStringLiteral("journal")));
    if (!journal.open())
        return 1;
    SessionRecorder recorder(db, &bus);
    InboundProcessor inbound(db, &bus, MessagingSettings());
    OutboundAcks acks(db, &bus);
    PageReportJournal reports(journal, db, &bus, recorder, inbound, acks, Clock::system(), 3600 * 1000);

    QElapsedTimer t;
    t.start();
    for (const MessageRecord &m : std::as_const(sent)) {
        const QJsonObject ack{{QStringLiteral("ack"), 2}, {QStringLiteral("ids"), QJsonArray{m.waMessageId}}};
        if (!journal.append(JournalRecord{QStringLiteral("ack"), org, client, now, ack}))
            return 1;
    }
    const qint64 appendNs = t.nsecsElapsed();
    std::printf("append: %d records, %.1f us per record (fdatasync each), %lld bytes\n", n, appendNs / 1000.0 / n,
                static_cast<long long>(journal.bytesOnDisk()));

    t.restart();
    const int applied = reports.replay();
    const qint64 replayNs = t.nsecsElapsed();
    std::printf("replay through PageReportJournal on SQLite: %d acks in %.0f ms, %.0f records/s\n", applied, replayNs / 1e6,
                applied / (replayNs / 1e9));

    for (int i = 0; i < n; ++i)
        journal.append(JournalRecord{QStringLiteral("noop"), org, client, now, QJsonObject{{QStringLiteral("i"), i}}});
    t.restart();
    const int drained = journal.replay([](const JournalRecord &) { return OutageJournal::Step::Applied; });
    const qint64 aloneNs = t.nsecsElapsed();
    std::printf("replay of the journal alone (cursor synced every 64 records): %d in %.0f ms, %.0f records/s\n", drained, aloneNs / 1e6,
                drained / (aloneNs / 1e9));
    return 0;
}

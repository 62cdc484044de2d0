// Webhook delivery bench (not a test; built on demand: ninja bench_webhooks). See bench/webhooks.sh.
//
//   bench_webhooks throughput [--rate N] [--seconds S] [--endpoints K] [--dialect sqlite|postgres]
//       In process, as the application runs it: a migrated database, K webhooks ("*") to a healthy
//       receiver on loopback (its own thread), the DeliveryService thread woken by the event bus,
//       and a producer recording N events per second through EventLog, one transaction each (as
//       messaging and the engine do). Prints deliveries/s and event-to-receipt latency.
//   bench_webhooks drain [--events N] [--endpoints K] [--dialect ...]
//       N events recorded up front, then the time until every delivery was received.
//   bench_webhooks mixed [--backlog N] [--rate R] [--seconds S]
//       A dead endpoint (connection refused) with N deliveries pending, and a healthy endpoint
//       receiving R events/s: the healthy endpoint's delivery rate and latency.
//   bench_webhooks seed --db <sqlite file> --org <id> --events N
//       Records N events for an organization into an existing WaDesk database (the binary
//       stopped), so its webhooks have N pending deliveries.

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "tests/support/WebhookReceiver.h"
#include "core/events/EventBus.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/secrets/AesGcm.h"
#include "core/webhooks/DeliveryService.h"
#include "core/webhooks/DeliveryWorker.h"
#include "core/events/EventLog.h"
#include "core/webhooks/WebhookService.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QHash>
#include <QSqlQuery>
#include <QTcpServer>
#include <QThread>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <spdlog/spdlog.h>
#include <unistd.h>

using namespace wadesk;
using wadesk::test::WebhookReceiver;

namespace {

QString option(const QStringList &args, const QString &name, const QString &fallback)
{
    const int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1) : fallback;
}

// CPU seconds used so far by each thread of this process, by thread name.
QMap<QString, double> threadCpu()
{
    QMap<QString, double> out;
    const long ticks = sysconf(_SC_CLK_TCK);
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(tid + QStringLiteral("/stat")));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = f.readAll();
        const int open = stat.indexOf('(');
        const int close = stat.lastIndexOf(')');
        const QString name = QString::fromLatin1(stat.mid(open + 1, close - open - 1));
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        // fields[11], [12]: utime, stime (the 14th and 15th of the whole line)
        out[name] += double(fields.value(11).toLongLong() + fields.value(12).toLongLong()) / double(ticks);
    }
    return out;
}

void printCpu(const QMap<QString, double> &before, const QMap<QString, double> &after, int deliveries)
{
    for (auto it = after.begin(); it != after.end(); ++it) {
        const double used = it.value() - before.value(it.key());
        if (used < 0.01)
            continue;
        std::printf("cpu %-15s %6.2f s  (%.3f ms per delivery)\n", qPrintable(it.key()), used, deliveries ? used * 1000.0 / deliveries : 0.0);
    }
}

double percentile(std::vector<qint64> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    return double(v[i]);
}

struct Rig {
    wadesk::test::TestDatabase db;
    std::unique_ptr<AesGcm> cipher;
    EventBus bus;
    std::unique_ptr<DeliveryService> deliveries;
    std::vector<std::unique_ptr<WebhookReceiver>> receivers;
    QString org = QStringLiteral("org_bench");

    bool init(const QString &dialect, int endpoints, const QStringList &events = {QStringLiteral("*")}, const QStringList &deadEvents = {})
    {
        QString why;
        db = wadesk::test::makeDatabase(dialect, &why);
        if (!db.database) {
            std::fprintf(stderr, "no database: %s\n", qPrintable(why));
            return false;
        }
        Migrator migrator(*db.database, Migrator::embeddedDirectory(db.database->url().dialectName()));
        if (!migrator.migrate())
            return false;
        cipher = std::make_unique<AesGcm>(AesGcm::randomBytes(AesGcm::kKeyBytes));
        SqlRunner sql(*db.database);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (!sql.change(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"), {org, org, now, now}))
            return false;
        WebhookService service(*db.database, *cipher, nullptr, true, QString());
        AuthContext ctx;
        ctx.organizationId = org;
        ctx.userId = QStringLiteral("usr_bench");
        ctx.role = Role::Admin;
        for (int i = 0; i < endpoints; ++i) {
            receivers.push_back(std::make_unique<WebhookReceiver>(true));
            if (!receivers.back()->start())
                return false;
            WebhookService::Input in;
            in.url = receivers.back()->url(QStringLiteral("/bench"));
            in.events = events;
            if (!service.create(ctx, in))
                return false;
        }
        if (!deadEvents.isEmpty()) {
            // A dead endpoint: a port nothing listens on (connection refused at once).
            QTcpServer probe;
            probe.listen(QHostAddress::LocalHost, 0);
            WebhookService::Input in;
            in.url = QStringLiteral("http://127.0.0.1:%1/dead").arg(probe.serverPort());
            in.events = deadEvents;
            probe.close();
            if (!service.create(ctx, in))
                return false;
        }
        DeliverySettings s; // the application's defaults
        s.allowPrivateTargets = true;
        deliveries = std::make_unique<DeliveryService>(*db.database, *cipher, s);
        QObject::connect(&bus, &EventBus::published, deliveries->worker(), &DeliveryWorker::wake, Qt::QueuedConnection);
        return true;
    }

    ~Rig()
    {
        deliveries.reset();
        for (auto &r : receivers)
            r->stop();
        if (db.database)
            db.database->closeThreadConnection();
    }

    int received() const
    {
        int n = 0;
        for (const auto &r : receivers)
            n += r->count();
        return n;
    }

    // One event in its own transaction, published after the commit.
    bool record(QHash<QString, qint64> &createdAt, const QString &type = QStringLiteral("message.sent"))
    {
        SqlRunner sql(*db.database);
        EventLog log(sql, &bus);
        Transaction tx(*db.database);
        if (!tx.begin())
            return false;
        const Event e = Event::make(EventTypes::fromName(type).value(), org,
                                    {{QStringLiteral("messageId"), QStringLiteral("msg_bench")}, {QStringLiteral("to"), QStringLiteral("14155550123")}});
        if (!log.record(e) || !tx.commit())
            return false;
        createdAt.insert(e.id, e.timestamp);
        log.publishRecorded();
        return true;
    }

    void report(const QHash<QString, qint64> &createdAt, qint64 windowStart, qint64 windowEnd)
    {
        std::vector<qint64> latency;
        int inWindow = 0;
        qint64 last = 0;
        for (const auto &r : receivers) {
            for (const auto &req : r->requests()) {
                const auto it = createdAt.find(req.webhookId());
                if (it != createdAt.end())
                    latency.push_back(req.receivedAtMs - it.value());
                if (req.receivedAtMs >= windowStart && req.receivedAtMs <= windowEnd)
                    ++inWindow;
                last = std::max(last, req.receivedAtMs);
            }
        }
        const double seconds = double(windowEnd - windowStart) / 1000.0;
        std::printf("deliveries:        %zu received (%zu expected)\n", latency.size(), size_t(createdAt.size()) * receivers.size());
        std::printf("delivery rate:     %.0f/s while producing; all received %.2f s after the first event\n", inWindow / seconds,
                    double(last - windowStart) / 1000.0);
        std::printf("event-to-receipt:  p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms\n", percentile(latency, 0.50), percentile(latency, 0.95),
                    percentile(latency, 0.99), percentile(latency, 1.0));
    }
};

int throughput(const QStringList &args)
{
    const int rate = option(args, QStringLiteral("--rate"), QStringLiteral("1000")).toInt();
    const int seconds = option(args, QStringLiteral("--seconds"), QStringLiteral("10")).toInt();
    const int endpoints = option(args, QStringLiteral("--endpoints"), QStringLiteral("1")).toInt();
    Rig rig;
    if (!rig.init(option(args, QStringLiteral("--dialect"), QStringLiteral("sqlite")), endpoints))
        return 1;
    rig.deliveries->start();
    QThread::msleep(300);
    std::printf("throughput: %d events/s for %d s, %d endpoint(s), %s\n", rate, seconds, endpoints, qPrintable(rig.db.database->url().dialectName()));
    QHash<QString, qint64> createdAt;
    const int total = rate * seconds;
    const QMap<QString, double> cpuBefore = threadCpu();
    QElapsedTimer clock;
    clock.start();
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    int produced = 0;
    while (produced < total) {
        const qint64 due = std::min<qint64>(total, clock.nsecsElapsed() * rate / 1000000000LL);
        while (produced < due) {
            if (!rig.record(createdAt)) {
                std::fprintf(stderr, "recording failed\n");
                return 1;
            }
            ++produced;
        }
        QThread::usleep(200);
    }
    const qint64 end = QDateTime::currentMSecsSinceEpoch();
    std::printf("produced:          %d events in %.2f s (%.0f/s)\n", produced, (end - start) / 1000.0, produced * 1000.0 / double(end - start));
    QElapsedTimer wait;
    wait.start();
    while (rig.received() < total * endpoints && wait.elapsed() < 120000)
        QThread::msleep(20);
    rig.report(createdAt, start, end);
    printCpu(cpuBefore, threadCpu(), rig.received());
    return rig.received() >= total * endpoints ? 0 : 2;
}

// A dead endpoint with a backlog of `--backlog` deliveries, and a healthy one receiving `--rate`
// events/s: what the healthy endpoint's latency becomes.
int mixed(const QStringList &args)
{
    const int backlog = option(args, QStringLiteral("--backlog"), QStringLiteral("20000")).toInt();
    const int rate = option(args, QStringLiteral("--rate"), QStringLiteral("50")).toInt();
    const int seconds = option(args, QStringLiteral("--seconds"), QStringLiteral("10")).toInt();
    Rig rig;
    if (!rig.init(option(args, QStringLiteral("--dialect"), QStringLiteral("sqlite")), 1, {QStringLiteral("message.sent")},
                  {QStringLiteral("message.failed")}))
        return 1;
    QHash<QString, qint64> ignored;
    for (int i = 0; i < backlog; ++i) {
        if (!rig.record(ignored, QStringLiteral("message.failed")))
            return 1;
    }
    rig.deliveries->start();
    std::printf("mixed: %d deliveries pending to a dead endpoint; %d events/s for %d s to a healthy one\n", backlog, rate, seconds);
    QHash<QString, qint64> createdAt;
    const int total = rate * seconds;
    QElapsedTimer clock;
    clock.start();
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    for (int produced = 0; produced < total;) {
        const qint64 due = std::min<qint64>(total, clock.nsecsElapsed() * rate / 1000000000LL);
        while (produced < due) {
            if (!rig.record(createdAt))
                return 1;
            ++produced;
        }
        QThread::msleep(1);
    }
    const qint64 end = QDateTime::currentMSecsSinceEpoch();
    QElapsedTimer wait;
    wait.start();
    while (rig.received() < total && wait.elapsed() < 120000)
        QThread::msleep(20);
    rig.report(createdAt, start, end);
    return rig.received() >= total ? 0 : 2;
}

int drain(const QStringList &args)
{
    const int events = option(args, QStringLiteral("--events"), QStringLiteral("10000")).toInt();
    const int endpoints = option(args, QStringLiteral("--endpoints"), QStringLiteral("1")).toInt();
    Rig rig;
    if (!rig.init(option(args, QStringLiteral("--dialect"), QStringLiteral("sqlite")), endpoints))
        return 1;
    QHash<QString, qint64> createdAt;
    for (int i = 0; i < events; ++i) {
        if (!rig.record(createdAt))
            return 1;
    }
    std::printf("drain: %d events x %d endpoint(s) pending, %s\n", events, endpoints, qPrintable(rig.db.database->url().dialectName()));
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    const QMap<QString, double> cpuBefore = threadCpu();
    rig.deliveries->start();
    QElapsedTimer wait;
    wait.start();
    while (rig.received() < events * endpoints && wait.elapsed() < 300000)
        QThread::msleep(20);
    const qint64 end = QDateTime::currentMSecsSinceEpoch();
    std::printf("drained:           %d deliveries in %.2f s = %.0f deliveries/s\n", rig.received(), (end - start) / 1000.0,
                rig.received() * 1000.0 / double(end - start));
    printCpu(cpuBefore, threadCpu(), rig.received());
    return rig.received() >= events * endpoints ? 0 : 2;
}

int seed(const QStringList &args)
{
    const QString file = option(args, QStringLiteral("--db"), QString());
    const QString org = option(args, QStringLiteral("--org"), QString());
    const int events = option(args, QStringLiteral("--events"), QStringLiteral("100000")).toInt();
    const Result<DatabaseUrl> url = DatabaseUrl::parse(file, QDir::tempPath());
    if (file.isEmpty() || org.isEmpty() || !url) {
        std::fprintf(stderr, "seed needs --db <file> --org <organization id>\n");
        return 1;
    }
    Database database(url.value());
    {
        SqlRunner sql(database);
        EventLog log(sql, nullptr);
        for (int done = 0; done < events;) {
            Transaction tx(database);
            if (!tx.begin())
                return 1;
            for (int i = 0; i < 1000 && done < events; ++i, ++done) {
                if (!log.record(Event::make(EventType::MessageReceived, org,
                                            {{QStringLiteral("from"), QStringLiteral("14155550123")}, {QStringLiteral("n"), done}})))
                    return 1;
            }
            if (!tx.commit())
                return 1;
        }
        Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT COUNT(*) FROM webhook_deliveries WHERE status IN ('pending', 'retrying')"));
        if (q && q.value().next())
            std::printf("seeded %d events; %lld deliveries pending\n", events, q.value().value(0).toLongLong());
    }
    database.closeThreadConnection();
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qRegisterMetaType<wadesk::Event>();
    spdlog::set_level(spdlog::level::warn);
    const QStringList args = app.arguments();
    const QString mode = args.value(1);
    if (mode == QLatin1String("throughput"))
        return throughput(args);
    if (mode == QLatin1String("mixed"))
        return mixed(args);
    if (mode == QLatin1String("drain"))
        return drain(args);
    if (mode == QLatin1String("seed"))
        return seed(args);
    std::fprintf(stderr, "usage: bench_webhooks throughput|drain|seed [options] (see the source)\n");
    return 1;
}

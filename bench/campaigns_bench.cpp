// Campaign bench (issue 13, "Tests and benchmarks"; not a test; built on demand: ninja
// bench_campaigns; bench/campaigns.sh runs it). Figures in bench/README.md.
//
//   bench_campaigns [--dialect sqlite|postgres] [--recipients N] [--runs R] [--feed M]
//
// In process over real HTTP on loopback (ApiTestHarness: the application's ApiService on its own
// thread, a migrated SQLite file or a throwaway PostgreSQL cluster): one organization, N
// contacts imported through POST /api/contacts/import (tagged "bench", a `city` attribute), a
// linked client, a template using {{name}} and {{attributes.city}}. Then R times:
// POST /api/campaigns {template_id, audience {tags: [bench]}} and POST /api/campaigns/:id/start,
// which freezes the audience and renders every recipient's text: the wall time of each request,
// of both, and of the campaign's GET (its counts) after the start.
// Then the scheduler's cost per message: CampaignScheduler::runOnce on this thread, as the engine
// runs it, queueing M messages of the last campaign one at a time (one campaign message per
// client's queue), the sender's part played by the repositories between passes (claimNext and
// markSent, not timed): mean and p99 µs of the passes that queued one message.

#include "tests/support/ApiTestHarness.h"
#include "core/campaigns/CampaignScheduler.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/MessageRepository.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <algorithm>
#include <cstdio>
#include <spdlog/spdlog.h>
#include <vector>

using namespace wadesk;
using namespace wadesk::test;

namespace {

QString option(const QStringList &args, const QString &name, const QString &fallback)
{
    const int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1) : fallback;
}

QByteArray contactsCsv(int n)
{
    QByteArray csv = "phone,name,tags,city\r\n";
    csv.reserve(n * 48);
    for (int i = 0; i < n; ++i)
        csv += QStringLiteral("+1415%1,Name %2,bench,City%3\r\n").arg(3000000 + i).arg(i).arg(i % 50).toUtf8();
    return csv;
}

double ms(const QElapsedTimer &t) { return double(t.nsecsElapsed()) / 1e6; }

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    spdlog::set_level(spdlog::level::warn);
    const QStringList args = app.arguments();
    const QString dialect = option(args, QStringLiteral("--dialect"), QStringLiteral("sqlite"));
    const int recipients = option(args, QStringLiteral("--recipients"), QStringLiteral("10000")).toInt();
    const int runs = option(args, QStringLiteral("--runs"), QStringLiteral("3")).toInt();
    const int feed = option(args, QStringLiteral("--feed"), QStringLiteral("2000")).toInt();

    ApiTestHarness api;
    QString whyNot;
    if (!api.start(dialect, &whyNot)) {
        std::fprintf(stderr, "cannot start (%s): %s\n", qPrintable(dialect), qPrintable(whyNot));
        return 2;
    }
    api.setRawRequestTimeoutMs(600000);
    const Account admin = api.registerOrganization(QStringLiteral("bench@campaigns.test"), QStringLiteral("Bench"));
    const QString client = api.createClient(admin, QStringLiteral("Bench client"));
    if (!admin.valid() || client.isEmpty()
        || !api.exec(QStringLiteral("UPDATE clients SET linked = 1, phone_number = ? WHERE id = ?"), {QStringLiteral("+14155550000"), client})) {
        std::fprintf(stderr, "setup failed\n");
        return 2;
    }
    HeaderList csvHeaders = ApiTestHarness::apiKey(admin.apiKey);
    csvHeaders.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/csv")});
    QElapsedTimer t;
    t.start();
    const ApiResponse imported = api.requestRaw("POST", QStringLiteral("/api/contacts/import"), contactsCsv(recipients), csvHeaders);
    if (imported.status != 200) {
        std::fprintf(stderr, "import: %s\n", imported.describe().constData());
        return 2;
    }
    std::printf("%s: %d contacts imported in %.0f ms\n", qPrintable(dialect), recipients, ms(t));

    const HeaderList key = ApiTestHarness::apiKey(admin.apiKey);
    const ApiResponse templated = api.request("POST", QStringLiteral("/api/templates"),
                                            QJsonObject{{QStringLiteral("name"), QStringLiteral("Bench")},
                                                        {QStringLiteral("body"), QStringLiteral("Hello {{name}}, news from {{attributes.city|our city}}")}},
                                            key);
    const QString templateId = templated.json.value(QStringLiteral("template")).toObject().value(QStringLiteral("id")).toString();
    if (templateId.isEmpty()) {
        std::fprintf(stderr, "template: %s\n", templated.describe().constData());
        return 2;
    }
    QString lastCampaign;
    for (int run = 1; run <= runs; ++run) {
        const QJsonObject body{{QStringLiteral("name"), QStringLiteral("Bench %1").arg(run)},
                               {QStringLiteral("client_id"), client},
                               {QStringLiteral("template_id"), templateId},
                               {QStringLiteral("audience"), QJsonObject{{QStringLiteral("tags"), QJsonArray{QStringLiteral("bench")}}}}};
        t.restart();
        const ApiResponse created = api.request("POST", QStringLiteral("/api/campaigns"), body, key);
        const double createMs = ms(t);
        if (created.status != 201) {
            std::fprintf(stderr, "create: %s\n", created.describe().constData());
            return 2;
        }
        lastCampaign = created.json.value(QStringLiteral("campaign")).toObject().value(QStringLiteral("id")).toString();
        t.restart();
        const ApiResponse started = api.request("POST", QStringLiteral("/api/campaigns/%1/start").arg(lastCampaign), QJsonValue(QJsonValue::Undefined), key);
        const double startMs = ms(t);
        if (started.status != 200) {
            std::fprintf(stderr, "start: %s\n", started.describe().constData());
            return 2;
        }
        t.restart();
        const ApiResponse view = api.request("GET", QStringLiteral("/api/campaigns/%1").arg(lastCampaign), QJsonValue(QJsonValue::Undefined), key);
        const double viewMs = ms(t);
        const int total = view.json.value(QStringLiteral("campaign")).toObject().value(QStringLiteral("total")).toInt();
        std::printf("run %d: create %.0f ms, start %.0f ms (audience frozen: %d recipients), create+start %.0f ms; GET %.0f ms\n", run,
                    createMs, startMs, total, createMs + startMs, viewMs);
        if (run < runs) // one running campaign at a time on the client: the next run starts afresh
            api.request("POST", QStringLiteral("/api/campaigns/%1/cancel").arg(lastCampaign), QJsonValue(QJsonValue::Undefined), key);
    }

    // The scheduler, as the engine's thread runs it. Tiers high enough that only the queue limit
    // (one campaign message per client) holds it back.
    MessagingSettings messaging;
    messaging.defaultTiers = RateTiers{1000000, 1000000, 1000000};
    CampaignScheduler scheduler(api.database(), nullptr, nullptr, messaging, CampaignSettings());
    SqlRunner sql(api.database());
    MessageRepository messages(sql);
    std::vector<double> passes;
    passes.reserve(size_t(feed));
    QElapsedTimer pass;
    for (int i = 0; i < feed; ++i) {
        pass.start();
        const int queued = scheduler.runOnce();
        const double us = double(pass.nsecsElapsed()) / 1e3;
        if (queued != 1) {
            std::fprintf(stderr, "pass %d queued %d\n", i, queued);
            break;
        }
        passes.push_back(us);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        Result<std::optional<MessageRecord>> claimed = messages.claimNext(client, now);
        if (!claimed || !claimed.value() || !messages.markSent(claimed.value()->id, QStringLiteral("true_bench_%1").arg(i), now)) {
            std::fprintf(stderr, "sender part failed at %d\n", i);
            break;
        }
    }
    if (!passes.empty()) {
        std::vector<double> sorted = passes;
        std::sort(sorted.begin(), sorted.end());
        double sum = 0;
        for (double v : passes)
            sum += v;
        std::printf("scheduler: %zu messages queued one per pass: mean %.0f µs, median %.0f µs, p99 %.0f µs per message\n", passes.size(),
                    sum / double(passes.size()), sorted[sorted.size() / 2], sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)]);
    }
    api.stop();
    return 0;
}

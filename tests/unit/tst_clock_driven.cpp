// What depends on the time of day, driven by a ManualClock instead of waited for, on SQLite and
// PostgreSQL: a sign-in ban lifts when its window has passed (not a second before), a session
// token and an API key stop working when they expire, the rate tiers' windows roll over, and
// retention removes an event (stamped with the clock's time) once it is older than its window.
// Every check is made on both sides of the moment, so a service that read the wall clock
// instead of the injected one would fail it.

#include "tests/support/ManualClock.h"
#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "core/auth/AccountService.h"
#include "core/auth/ApiKeyService.h"
#include "core/auth/Authenticator.h"
#include "core/auth/JwtCodec.h"
#include "core/common/Ids.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/MessageService.h"
#include "core/retention/RetentionPruner.h"
#include "core/sessions/ClientService.h"

#include <QSqlQuery>
#include <QTest>

using namespace wadesk;
using namespace wadesk::test;

namespace {

constexpr qint64 kT0 = 1900000000000LL; // 2030-03-17: far from the wall clock on purpose
constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;
constexpr qint64 kDay = 24 * 60 * kMinute;
constexpr qint64 kJwtLifetimeSeconds = 3600;
const QString kEmail = QStringLiteral("clock@example.com");
const QString kAddress = QStringLiteral("192.0.2.7");

// A migrated database with one organization and its admin, registered at the clock's time.
struct World {
    explicit World(TestDatabase database) : db(std::move(database)) {}
    TestDatabase db;
    ManualClock clock{kT0};
    JwtCodec jwt{QByteArray(32, 'k'), kJwtLifetimeSeconds};
    AccountService::Registration registration;

    bool setUp()
    {
        const Result<int> migrated = Migrator(*db.database, Migrator::embeddedDirectory(db.database->url().dialectName()), clock).migrate();
        if (!migrated) {
            qWarning("migration: %s", qPrintable(migrated.error().message));
            return false;
        }
        AccountService accounts(*db.database, jwt, clock);
        Result<AccountService::Registration> r = accounts.registerOrganization(
            {kEmail, QStringLiteral("Clock Admin"), QStringLiteral("Clock Org"), QStringLiteral("$argon2id$unused"), kAddress});
        if (!r) {
            qWarning("registration: %s", qPrintable(r.error().message));
            return false;
        }
        registration = r.value();
        return true;
    }

    Result<AuthContext> bearer(Authenticator &auth, const QString &token)
    {
        return auth.authenticate(QByteArray(), "Bearer " + token.toLatin1(), kAddress);
    }
};

#define WORLD(w)                                                                                                       \
    QFETCH(QString, dialect);                                                                                          \
    QString w##Skip;                                                                                                   \
    World w{makeDatabase(dialect, &w##Skip)};                                                                          \
    if (!w.db.database) {                                                                                              \
        if (PgCluster::required())                                                                                     \
            QFAIL(qPrintable(w##Skip));                                                                                \
        QSKIP(qPrintable(w##Skip));                                                                                    \
    }                                                                                                                  \
    QVERIFY(w.setUp())

} // namespace

class ClockDrivenTest : public QObject {
    Q_OBJECT

private slots:
    // Five failures in 15 minutes ban the account: the ban is counted from the first failure
    // and lifts when that failure leaves the window.
    void signInBanLiftsWhenItsWindowHasPassed_data() { addDialectRows(); }
    void signInBanLiftsWhenItsWindowHasPassed()
    {
        WORLD(w);
        AccountService accounts(*w.db.database, w.jwt, w.clock);
        for (int i = 0; i < 5; ++i) {
            Result<AccountService::LoginAttempt> attempt = accounts.beginLogin(kEmail, kAddress);
            QVERIFY2(attempt, qPrintable(QString::number(i)));
            Result<AccountService::LoginSuccess> refused = accounts.finishLogin(kEmail, attempt.value(), false, kAddress);
            QVERIFY(!refused);
            QCOMPARE(refused.error().httpStatus, 401);
            if (i == 0)
                w.clock.advance(10 * kSecond); // the later failures come after the first
        }
        Result<AccountService::LoginAttempt> banned = accounts.beginLogin(kEmail, kAddress);
        QVERIFY(!banned);
        QCOMPARE(banned.error().httpStatus, 429);
        QCOMPARE(banned.error().code, QStringLiteral("too_many_attempts"));
        QCOMPARE(banned.error().retryAfterSeconds, 15 * 60 - 10);

        // A second before the first failure is 15 minutes old: still banned, for that second.
        w.clock.set(kT0 + 15 * kMinute - kSecond);
        banned = accounts.beginLogin(kEmail, kAddress);
        QVERIFY(!banned);
        QCOMPARE(banned.error().retryAfterSeconds, 1);

        // Then four failures remain in the window: signing in is allowed again, and succeeds.
        w.clock.set(kT0 + 15 * kMinute);
        Result<AccountService::LoginAttempt> allowed = accounts.beginLogin(kEmail, kAddress);
        QVERIFY2(allowed, allowed ? "" : qPrintable(allowed.error().message));
        Result<AccountService::LoginSuccess> in = accounts.finishLogin(kEmail, allowed.value(), true, kAddress);
        QVERIFY(in);
        QCOMPARE(in.value().expiresAt, kT0 + 15 * kMinute + kJwtLifetimeSeconds * kSecond);
    }

    // The desktop signs in from the address "desktop": failures there count per account only,
    // so wrong sign-ins with other emails do not lock the real user out; failures from a network
    // address still ban that address whatever emails it tries.
    void signInBanIsPerAccountForTheDesktop_data() { addDialectRows(); }
    void signInBanIsPerAccountForTheDesktop()
    {
        WORLD(w);
        AccountService accounts(*w.db.database, w.jwt, w.clock);
        const auto fail = [&](const QString &email, const QString &address) {
            Result<AccountService::LoginAttempt> attempt = accounts.beginLogin(email, address);
            if (!attempt)
                return attempt.error().httpStatus;
            Result<AccountService::LoginSuccess> refused = accounts.finishLogin(email, attempt.value(), false, address);
            return refused ? 200 : refused.error().httpStatus;
        };
        const QString desktop = QStringLiteral("desktop");
        for (int i = 0; i < 5; ++i)
            QCOMPARE(fail(QStringLiteral("stranger%1@example.com").arg(i), desktop), 401);
        Result<AccountService::LoginAttempt> owner = accounts.beginLogin(kEmail, desktop);
        QVERIFY2(owner, owner ? "" : qPrintable(owner.error().message));
        QVERIFY(accounts.finishLogin(kEmail, owner.value(), true, desktop));

        // The account itself is still throttled on the desktop after its own five failures.
        for (int i = 0; i < 5; ++i)
            QCOMPARE(fail(kEmail, desktop), 401);
        Result<AccountService::LoginAttempt> banned = accounts.beginLogin(kEmail, desktop);
        QVERIFY(!banned);
        QCOMPARE(banned.error().code, QStringLiteral("too_many_attempts"));
        QVERIFY(accounts.beginLogin(QStringLiteral("someone@example.com"), desktop));

        // A network address guessing many emails is banned as an address.
        const QString guesser = QStringLiteral("2001:db8::7");
        for (int i = 0; i < 5; ++i)
            QCOMPARE(fail(QStringLiteral("guess%1@example.com").arg(i), guesser), 401);
        Result<AccountService::LoginAttempt> byAddress = accounts.beginLogin(QStringLiteral("fresh@example.com"), guesser);
        QVERIFY(!byAddress);
        QCOMPARE(byAddress.error().httpStatus, 429);
        QVERIFY(accounts.beginLogin(QStringLiteral("fresh@example.com"), kAddress));
    }

    // A session token is accepted up to its expiry and refused from then on.
    void sessionTokenExpiresWithTheClock_data() { addDialectRows(); }
    void sessionTokenExpiresWithTheClock()
    {
        WORLD(w);
        Authenticator auth(*w.db.database, w.jwt, 5000, w.clock);
        const QString token = w.registration.token; // issued at kT0
        QVERIFY(w.bearer(auth, token));
        w.clock.set(kT0 + (kJwtLifetimeSeconds - 1) * kSecond); // past the cache, a second before expiry
        Result<AuthContext> late = w.bearer(auth, token);
        QVERIFY2(late, late ? "" : qPrintable(late.error().message));
        QCOMPARE(late.value().userId, w.registration.admin.id);
        w.clock.set(kT0 + (kJwtLifetimeSeconds + 1) * kSecond);
        Result<AuthContext> expired = w.bearer(auth, token);
        QVERIFY(!expired);
        QCOMPARE(expired.error().httpStatus, 401);
    }

    // An API key created to expire in a day works for that day (also from the cache) and not after.
    void apiKeyExpiresWithTheClock_data() { addDialectRows(); }
    void apiKeyExpiresWithTheClock()
    {
        WORLD(w);
        Authenticator auth(*w.db.database, w.jwt, 60'000, w.clock);
        ApiKeyService keys(*w.db.database, auth, w.clock);
        Result<AuthContext> admin = w.bearer(auth, w.registration.token);
        QVERIFY(admin);
        // Already expired by the service's clock (not the wall clock's, which is years earlier).
        QVERIFY(!keys.create(admin.value(), QStringLiteral("stale"), kT0 - kSecond));
        Result<ApiKeyService::Created> key = keys.create(admin.value(), QStringLiteral("one day"), kT0 + kDay);
        QVERIFY(key);
        const QByteArray header = key.value().plaintext.toLatin1();
        QVERIFY(auth.authenticate(header, QByteArray(), kAddress));
        w.clock.set(kT0 + kDay - kSecond);
        QVERIFY(auth.authenticate(header, QByteArray(), kAddress));
        w.clock.advance(30 * kSecond); // within the cache's minute: the cached key is refused too
        Result<AuthContext> expired = auth.authenticate(header, QByteArray(), kAddress);
        QVERIFY(!expired);
        QCOMPARE(expired.error().httpStatus, 401);
    }

    // The per-minute / per-hour / per-day windows, as the rate-limit route reports them, roll
    // over as the clock passes each edge.
    void rateWindowsRollOver_data() { addDialectRows(); }
    void rateWindowsRollOver()
    {
        WORLD(w);
        Authenticator auth(*w.db.database, w.jwt, 5000, w.clock);
        Result<AuthContext> admin = w.bearer(auth, w.registration.token);
        QVERIFY(admin);
        ClientService clients(*w.db.database, w.clock);
        Result<ClientRecord> client = clients.create(admin.value(), QStringLiteral("Front desk"), QString());
        QVERIFY2(client, client ? "" : qPrintable(client.error().message));
        MessagingSettings settings;
        settings.defaultTiers = RateTiers{3, 5, 10};
        MessageService messages(*w.db.database, clients, nullptr, settings, w.clock);

        // Three sends at kT0 fill the minute; one more half an hour earlier counts for the hour and day.
        QVERIFY(sendAt(w, client.value().id, kT0));
        QVERIFY(sendAt(w, client.value().id, kT0));
        QVERIFY(sendAt(w, client.value().id, kT0));
        QVERIFY(sendAt(w, client.value().id, kT0 - 30 * kMinute));

        auto used = [&](TierUsage RateState::*tier) {
            Result<RateLimitStatus> r = messages.rateLimits(admin.value(), client.value().id);
            return r ? (r.value().rate.*tier).used : -1;
        };
        auto allowed = [&]() {
            Result<RateLimitStatus> r = messages.rateLimits(admin.value(), client.value().id);
            return r && r.value().allowed;
        };
        QCOMPARE(used(&RateState::minute), 3);
        QCOMPARE(used(&RateState::hour), 4);
        QCOMPARE(used(&RateState::day), 4);
        QVERIFY(!allowed());

        w.clock.set(kT0 + kMinute - 1); // the last millisecond of the minute
        QCOMPARE(used(&RateState::minute), 3);
        QVERIFY(!allowed());
        w.clock.set(kT0 + kMinute); // the minute has rolled over
        QCOMPARE(used(&RateState::minute), 0);
        QCOMPARE(used(&RateState::hour), 4);
        QVERIFY(allowed());

        w.clock.set(kT0 + 30 * kMinute); // the earliest send leaves the hour
        QCOMPARE(used(&RateState::hour), 3);
        QCOMPARE(used(&RateState::day), 4);
        w.clock.set(kT0 + kDay); // and the others leave the day
        QCOMPARE(used(&RateState::hour), 0);
        QCOMPARE(used(&RateState::day), 0);
    }

    // An event is stamped with the clock's time, and retention removes it once it is older than
    // its window by that same clock (and the sign-in failures once they are a day old).
    void retentionCutsOffByTheClock_data() { addDialectRows(); }
    void retentionCutsOffByTheClock()
    {
        WORLD(w);
        const QString org = w.registration.organization.id;
        {
            SqlRunner sql(*w.db.database);
            EventLog events(sql, nullptr);
            Transaction tx(*w.db.database);
            QVERIFY(tx.begin());
            QVERIFY(events.record(ClientEvents::paused(org, QStringLiteral("client_x"), QStringLiteral("test"), w.clock)));
            QVERIFY(tx.commit());
        }
        AccountService accounts(*w.db.database, w.jwt, w.clock);
        Result<AccountService::LoginAttempt> attempt = accounts.beginLogin(kEmail, kAddress);
        QVERIFY(attempt);
        QVERIFY(!accounts.finishLogin(kEmail, attempt.value(), false, kAddress));
        QCOMPARE(count(w, "SELECT created_at FROM events"), kT0);
        QCOMPARE(count(w, "SELECT created_at FROM login_failures"), kT0);

        RetentionSettings settings;
        settings.eventsDays = 30;
        RetentionPruner pruner(*w.db.database, settings, w.clock);
        w.clock.set(kT0 + 30 * kDay); // exactly 30 days old: kept
        RetentionReport report = pruner.run();
        QVERIFY2(!report.failed && !report.skipped, qPrintable(report.summary()));
        QCOMPARE(report.events, 0);
        QCOMPARE(report.loginFailures, 1); // a day is their window
        QCOMPARE(count(w, "SELECT COUNT(*) FROM events"), 1);
        w.clock.advance(1);
        report = pruner.run();
        QCOMPARE(report.events, 1);
        QCOMPARE(count(w, "SELECT COUNT(*) FROM events"), 0);
    }

private:
    // A sent message of `clientId` whose send started at `at`.
    static bool sendAt(World &w, const QString &clientId, qint64 at)
    {
        SqlRunner sql(*w.db.database);
        ContactRepository contacts(sql, w.clock);
        MessageRepository messages(sql);
        Result<ContactRecord> contact = contacts.upsert(w.registration.organization.id, QStringLiteral("+14155550100"));
        if (!contact)
            return false;
        MessageRecord m;
        m.id = Ids::make("msg");
        m.organizationId = w.registration.organization.id;
        m.clientId = clientId;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Outbound;
        m.body = QStringLiteral("hello");
        m.status = MessageStatus::Sent;
        m.createdAt = m.updatedAt = m.sentAt = at;
        return messages.insertMany({m}).ok()
            && sql.change(QStringLiteral("UPDATE messages SET sending_at = ? WHERE id = ?"), {at, m.id}, "test.sendingAt").ok();
    }

    static qint64 count(World &w, const char *select)
    {
        SqlRunner sql(*w.db.database);
        Result<QSqlQuery> q = sql.run(QString::fromLatin1(select), {}, "test.count");
        if (!q || !q.value().next())
            return -1;
        return q.value().value(0).toLongLong();
    }
};

QTEST_GUILESS_MAIN(ClockDrivenTest)
#include "tst_clock_driven.moc"

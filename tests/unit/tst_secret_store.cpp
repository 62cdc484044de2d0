// Where the master key lives: environment, 0600 key file, system keychain (a real gnome-keyring
// when WADESK_TEST_KEYCHAIN=1), how `auto` chooses between them, and the fingerprint check that
// catches a different key on a later start.
//
// The functions run in declaration order, and the "no D-Bus" cases come first on purpose: GLib
// keeps the session-bus connection for the life of the process once it has one.

#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/db/SettingsRepository.h"
#include "core/secrets/AesGcm.h"
#include "core/secrets/EnvironmentSecretStore.h"
#include "core/secrets/FileSecretStore.h"
#include "core/secrets/KeychainSecretStore.h"
#include "core/secrets/MasterKeyCheck.h"
#include "core/secrets/SecretStoreSelector.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QSemaphore>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <qt6keychain/keychain.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace wadesk;

namespace {

const QString kValidHex = QStringLiteral("00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF");

bool keychainTestsWanted()
{
    return qEnvironmentVariable("WADESK_TEST_KEYCHAIN") == QLatin1String("1");
}

// The child mode of this executable used by lockedKeyringRefuses(): runs in a private D-Bus
// session with its own gnome-keyring, set up by the parent.
bool isLockedKeyringChild()
{
    return qEnvironmentVariable("WADESK_SECRET_STORE_CHILD") == QLatin1String("locked-keyring");
}

mode_t modeOf(const QString &path)
{
    struct stat st {};
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return 0;
    return st.st_mode & 07777;
}

bool writeFile(const QString &path, const QByteArray &content, mode_t mode)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    f.write(content);
    f.close();
    return ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

// Removes a keychain entry this test created, so a developer's own keyring is left as it was.
void deleteKeychainEntry(const QString &entryKey)
{
    auto *job = new QKeychain::DeletePasswordJob(QStringLiteral("WaDesk"));
    job->setAutoDelete(true);
    job->setKey(entryKey);
    QEventLoop loop;
    QObject::connect(job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job->start();
    loop.exec();
}

// Locks the default collection of the Secret Service on the session bus, the way a screen lock
// or `Lock` from the user does. Returns what was tried when it did not work.
bool lockDefaultCollection(QString *log)
{
    auto run = [log](const QString &program, const QStringList &args, QString *out) {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(program, args);
        const bool ok = p.waitForFinished(15000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        const QString text = QString::fromLocal8Bit(p.readAll()).trimmed();
        *log += program + QLatin1Char(' ') + args.join(QLatin1Char(' ')) + QStringLiteral(" -> ") + text + QLatin1Char('\n');
        if (out)
            *out = text;
        return ok;
    };
    const QString busctl = QStandardPaths::findExecutable(QStringLiteral("busctl"));
    const QString gdbus = QStandardPaths::findExecutable(QStringLiteral("gdbus"));
    // Which collection "default" is: `o "/org/freedesktop/secrets/collection/login"`.
    QString collection;
    QString out;
    if (!busctl.isEmpty()
        && run(busctl, {QStringLiteral("--user"), QStringLiteral("call"), QStringLiteral("org.freedesktop.secrets"),
                        QStringLiteral("/org/freedesktop/secrets"), QStringLiteral("org.freedesktop.Secret.Service"),
                        QStringLiteral("ReadAlias"), QStringLiteral("s"), QStringLiteral("default")},
               &out)) {
        collection = out.section(QLatin1Char('"'), 1, 1);
    } else if (!gdbus.isEmpty()
               && run(gdbus, {QStringLiteral("call"), QStringLiteral("--session"), QStringLiteral("--dest"),
                              QStringLiteral("org.freedesktop.secrets"), QStringLiteral("--object-path"),
                              QStringLiteral("/org/freedesktop/secrets"), QStringLiteral("--method"),
                              QStringLiteral("org.freedesktop.Secret.Service.ReadAlias"), QStringLiteral("default")},
                      &out)) {
        collection = out.section(QLatin1Char('\''), 1, 1); // (objectpath '/org/...',)
    }
    if (collection.isEmpty() || collection == QLatin1String("/"))
        return false;
    if (!busctl.isEmpty()
        && run(busctl, {QStringLiteral("--user"), QStringLiteral("call"), QStringLiteral("org.freedesktop.secrets"),
                        QStringLiteral("/org/freedesktop/secrets"), QStringLiteral("org.freedesktop.Secret.Service"),
                        QStringLiteral("Lock"), QStringLiteral("ao"), QStringLiteral("1"), collection},
               nullptr))
        return true;
    return !gdbus.isEmpty()
        && run(gdbus, {QStringLiteral("call"), QStringLiteral("--session"), QStringLiteral("--dest"),
                       QStringLiteral("org.freedesktop.secrets"), QStringLiteral("--object-path"),
                       QStringLiteral("/org/freedesktop/secrets"), QStringLiteral("--method"),
                       QStringLiteral("org.freedesktop.Secret.Service.Lock"),
                       QStringLiteral("['%1']").arg(collection)},
               nullptr);
}

} // namespace

class TestSecretStore : public QObject {
    Q_OBJECT

    QStringList m_entriesToDelete;

private slots:
    // ---- no session bus (first: see the note at the top) ----

    void noDbusAutoFallsBackToKeyFile()
    {
        const QByteArray saved = qgetenv("DBUS_SESSION_BUS_ADDRESS");
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/wadesk-test/bus");
        auto restore = qScopeGuard([&]() {
            if (saved.isNull())
                qunsetenv("DBUS_SESSION_BUS_ADDRESS");
            else
                qputenv("DBUS_SESSION_BUS_ADDRESS", saved);
        });

        QTemporaryDir dataDir;
        QElapsedTimer timer;
        timer.start();
        Result<SecretStoreChoice> choice =
            SecretStoreSelector::select(QStringLiteral("auto"), dataDir.path(), QProcessEnvironment(), 8000);
        QVERIFY2(choice.ok(), choice.ok() ? "" : qPrintable(choice.error().message));
        // Decided from the missing bus, not by waiting for a keychain that will never answer.
        QVERIFY2(timer.elapsed() < 8000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(choice.value().store->backend(), QStringLiteral("file"));
        QVERIFY2(choice.value().reason.contains(QStringLiteral("no system keychain")), qPrintable(choice.value().reason));
        QVERIFY2(choice.value().reason.contains(QLatin1Char('(')), "the reason carries the keychain's own answer");
        QVERIFY(choice.value().store->description().contains(SecretStoreSelector::keyFilePath(dataDir.path())));
        // The fallback really works: a key file is created and the same key comes back.
        const Result<QByteArray> key = choice.value().store->loadOrCreateMasterKey();
        QVERIFY(key.ok());
        QCOMPARE(key.value().size(), 32);
        QCOMPARE(modeOf(SecretStoreSelector::keyFilePath(dataDir.path())), mode_t(0600));

        // The probe itself says "no backend", not "refused".
        KeychainSecretStore keychain(dataDir.path(), 8000);
        QCOMPARE(int(keychain.probe().availability), int(KeychainSecretStore::Availability::NoBackend));
    }

    void noDbusKeychainSettingIsAnError()
    {
        const QByteArray saved = qgetenv("DBUS_SESSION_BUS_ADDRESS");
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/wadesk-test/bus");
        auto restore = qScopeGuard([&]() {
            if (saved.isNull())
                qunsetenv("DBUS_SESSION_BUS_ADDRESS");
            else
                qputenv("DBUS_SESSION_BUS_ADDRESS", saved);
        });
        QTemporaryDir dataDir;
        Result<SecretStoreChoice> choice =
            SecretStoreSelector::select(QStringLiteral("keychain"), dataDir.path(), QProcessEnvironment(), 8000);
        QVERIFY(!choice.ok());
        QCOMPARE(choice.error().code, QStringLiteral("keychain_unavailable"));
        QVERIFY2(choice.error().message.contains(QStringLiteral("keychain")), qPrintable(choice.error().message));
        // No silent fallback: no key file was made.
        QVERIFY(!QFile::exists(SecretStoreSelector::keyFilePath(dataDir.path())));
    }

    // ---- environment ----

    void environmentStore_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("valid");
        QTest::newRow("lower and upper case") << kValidHex << true;
        QTest::newRow("surrounding whitespace") << QStringLiteral("  ") + kValidHex.toLower() + QStringLiteral("\n") << true;
        QTest::newRow("63 characters") << kValidHex.left(63) << false;
        QTest::newRow("65 characters") << kValidHex + QLatin1Char('0') << false;
        QTest::newRow("32 characters") << kValidHex.left(32) << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("non-hex character") << kValidHex.left(63) + QLatin1Char('g') << false;
        QTest::newRow("0x prefix") << QStringLiteral("0x") + kValidHex.left(62) << false;
        QTest::newRow("space inside") << kValidHex.left(32) + QLatin1Char(' ') + kValidHex.mid(33) << false;
        QTest::newRow("base64 of 32 bytes") << QString::fromLatin1(QByteArray(32, 'k').toBase64()) << false;
    }

    void environmentStore()
    {
        QFETCH(QString, value);
        QFETCH(bool, valid);
        EnvironmentSecretStore store(value);
        QCOMPARE(store.backend(), QStringLiteral("env"));
        QVERIFY(store.description().contains(QStringLiteral("WADESK_MASTER_KEY")));
        const Result<QByteArray> key = store.loadOrCreateMasterKey();
        if (valid) {
            QVERIFY2(key.ok(), key.ok() ? "" : qPrintable(key.error().message));
            QCOMPARE(key.value(), QByteArray::fromHex(kValidHex.toLatin1()));
            QCOMPARE(key.value().size(), 32);
        } else {
            QVERIFY(!key.ok());
            QCOMPARE(key.error().code, QStringLiteral("invalid_master_key"));
            QVERIFY(key.error().message.contains(QStringLiteral("WADESK_MASTER_KEY")));
            QVERIFY(key.error().message.contains(QStringLiteral("64")));
            if (value.size() > 8) // the message never repeats the (would-be) key
                QVERIFY2(!key.error().message.contains(value.trimmed().left(16)), qPrintable(key.error().message));
        }
    }

    // ---- key file ----

    void fileStoreCreatesOwnerOnlyFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("nested/dir/master.key"));
        // A permissive umask must not loosen the file.
        const mode_t oldMask = ::umask(0);
        FileSecretStore store(path);
        const Result<QByteArray> key = store.loadOrCreateMasterKey();
        ::umask(oldMask);
        QVERIFY2(key.ok(), key.ok() ? "" : qPrintable(key.error().message));
        QCOMPARE(key.value().size(), 32);
        QVERIFY(store.createdNow());
        QCOMPARE(store.backend(), QStringLiteral("file"));
        QVERIFY(store.description().contains(path));
        QCOMPARE(modeOf(path), mode_t(0600));

        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray content = f.readAll();
        QCOMPARE(content, key.value().toHex() + '\n');

        // Read back by a new instance: the same key, nothing created.
        FileSecretStore again(path);
        const Result<QByteArray> reread = again.loadOrCreateMasterKey();
        QVERIFY(reread.ok());
        QCOMPARE(reread.value(), key.value());
        QVERIFY(!again.createdNow());
        QCOMPARE(modeOf(path), mode_t(0600));

        // Another file gives another key.
        FileSecretStore other(dir.filePath(QStringLiteral("other.key")));
        const Result<QByteArray> otherKey = other.loadOrCreateMasterKey();
        QVERIFY(otherKey.ok());
        QVERIFY(otherKey.value() != key.value());
    }

    void fileStoreDoesNotFollowAPlantedSymlink()
    {
        // O_CREAT|O_EXCL: a symlink put where the key file will be is not followed, so the new key
        // cannot be written into a file someone else chose (and can read).
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("master.key"));
        const QString target = dir.filePath(QStringLiteral("attacker-readable"));
        QVERIFY(QFile::link(target, path));
        FileSecretStore store(path);
        const Result<QByteArray> key = store.loadOrCreateMasterKey();
        QVERIFY(!key.ok());
        QVERIFY(!store.createdNow());
        QVERIFY2(key.error().message.contains(path), qPrintable(key.error().message));
        QVERIFY(!QFile::exists(target));
    }

    void fileStoreRefusesLoosePermissions_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("0600") << 0600 << true;
        QTest::newRow("0400") << 0400 << true;
        QTest::newRow("0644") << 0644 << false;
        QTest::newRow("0640") << 0640 << false;
        QTest::newRow("0604") << 0604 << false;
        QTest::newRow("0620") << 0620 << false;
        QTest::newRow("0602") << 0602 << false;
        QTest::newRow("0666") << 0666 << false;
    }

    void fileStoreRefusesLoosePermissions()
    {
        QFETCH(int, mode);
        QFETCH(bool, accepted);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("master.key"));
        QVERIFY(writeFile(path, kValidHex.toLatin1() + '\n', mode_t(mode)));
        FileSecretStore store(path);
        const Result<QByteArray> key = store.loadOrCreateMasterKey();
        if (accepted) {
            QVERIFY2(key.ok(), key.ok() ? "" : qPrintable(key.error().message));
            QCOMPARE(key.value(), QByteArray::fromHex(kValidHex.toLatin1()));
        } else {
            QVERIFY(!key.ok());
            QCOMPARE(key.error().code, QStringLiteral("key_file_permissions"));
            QVERIFY2(key.error().message.contains(QStringLiteral("chmod 600 ") + path), qPrintable(key.error().message));
            // The file is left alone for the user to fix, not replaced.
            QCOMPARE(modeOf(path), mode_t(mode));
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(f.readAll().trimmed(), kValidHex.toLatin1());
        }
        QVERIFY(!store.createdNow());
    }

    void fileStoreRefusesDamagedFile_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("short") << kValidHex.left(62).toLatin1();
        QTest::newRow("not hex") << QByteArray(64, 'z');
        QTest::newRow("raw bytes") << QByteArray(32, '\x01');
    }

    void fileStoreRefusesDamagedFile()
    {
        QFETCH(QByteArray, content);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("master.key"));
        QVERIFY(writeFile(path, content, 0600));
        FileSecretStore store(path);
        const Result<QByteArray> key = store.loadOrCreateMasterKey();
        QVERIFY(!key.ok());
        QVERIFY(key.error().message.contains(path));
        // Never "repaired" with a new key: that would orphan everything sealed with the old one.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), content);
    }

    // ---- selection without the keychain ----

    void selectorEnvironmentWinsInAuto()
    {
        QTemporaryDir dataDir;
        QProcessEnvironment env;
        env.insert(QStringLiteral("WADESK_MASTER_KEY"), kValidHex);
        Result<SecretStoreChoice> choice = SecretStoreSelector::select(QStringLiteral("auto"), dataDir.path(), env, 8000);
        QVERIFY(choice.ok());
        QCOMPARE(choice.value().store->backend(), QStringLiteral("env"));
        QVERIFY(choice.value().reason.contains(QStringLiteral("WADESK_MASTER_KEY")));
        const Result<QByteArray> key = choice.value().store->loadOrCreateMasterKey();
        QVERIFY(key.ok());
        QCOMPARE(key.value(), QByteArray::fromHex(kValidHex.toLatin1()));
        // An empty setting means auto.
        Result<SecretStoreChoice> empty = SecretStoreSelector::select(QString(), dataDir.path(), env, 8000);
        QVERIFY(empty.ok());
        QCOMPARE(empty.value().store->backend(), QStringLiteral("env"));
        // Explicit `env` as well; and a bad key is reported when the key is loaded.
        env.insert(QStringLiteral("WADESK_MASTER_KEY"), QStringLiteral("nothex"));
        Result<SecretStoreChoice> bad = SecretStoreSelector::select(QStringLiteral("env"), dataDir.path(), env, 8000);
        QVERIFY(bad.ok());
        QCOMPARE(bad.value().store->backend(), QStringLiteral("env"));
        QCOMPARE(bad.value().store->loadOrCreateMasterKey().error().code, QStringLiteral("invalid_master_key"));
        QVERIFY(!QFile::exists(SecretStoreSelector::keyFilePath(dataDir.path())));
    }

    void selectorEnvSettingNeedsTheVariable()
    {
        QTemporaryDir dataDir;
        Result<SecretStoreChoice> choice =
            SecretStoreSelector::select(QStringLiteral("env"), dataDir.path(), QProcessEnvironment(), 8000);
        QVERIFY(!choice.ok());
        QCOMPARE(choice.error().code, QStringLiteral("invalid_master_key"));
        QVERIFY(choice.error().message.contains(QStringLiteral("WADESK_MASTER_KEY")));
    }

    void selectorFileSetting()
    {
        QTemporaryDir dataDir;
        // `file` is honoured even when WADESK_MASTER_KEY is set: an explicit choice wins.
        QProcessEnvironment env;
        env.insert(QStringLiteral("WADESK_MASTER_KEY"), kValidHex);
        Result<SecretStoreChoice> choice = SecretStoreSelector::select(QStringLiteral("file"), dataDir.path(), env, 8000);
        QVERIFY(choice.ok());
        QCOMPARE(choice.value().store->backend(), QStringLiteral("file"));
        QVERIFY(choice.value().reason.contains(QStringLiteral("file")));
        QCOMPARE(SecretStoreSelector::keyFilePath(dataDir.path()), dataDir.path() + QStringLiteral("/master.key"));
        const Result<QByteArray> key = choice.value().store->loadOrCreateMasterKey();
        QVERIFY(key.ok());
        QVERIFY(key.value() != QByteArray::fromHex(kValidHex.toLatin1()));
        QCOMPARE(modeOf(SecretStoreSelector::keyFilePath(dataDir.path())), mode_t(0600));
    }

    // ---- the real keychain (WADESK_TEST_KEYCHAIN=1: scripts/test.sh runs an unlocked gnome-keyring) ----

    void keychainRoundTrip()
    {
        if (!keychainTestsWanted())
            QSKIP("set WADESK_TEST_KEYCHAIN=1 inside a session with an unlocked keyring (scripts/test.sh does)");
        QTemporaryDir dirA;
        QTemporaryDir dirB;
        KeychainSecretStore storeA(dirA.path(), 15000);
        KeychainSecretStore storeB(dirB.path(), 15000);
        m_entriesToDelete << storeA.entryKey() << storeB.entryKey();
        QCOMPARE(storeA.backend(), QStringLiteral("keychain"));
        QVERIFY(storeA.entryKey() != storeB.entryKey());
        QVERIFY(storeA.description().contains(storeA.entryKey()));
        QCOMPARE(KeychainSecretStore(dirA.path()).entryKey(), storeA.entryKey()); // stable per data dir

        const KeychainSecretStore::Probe probe = storeA.probe();
        QVERIFY2(probe.availability == KeychainSecretStore::Availability::Available, qPrintable(probe.detail));

        const Result<QByteArray> first = storeA.loadOrCreateMasterKey();
        QVERIFY2(first.ok(), first.ok() ? "" : qPrintable(first.error().message));
        QCOMPARE(first.value().size(), 32);
        // A second call, and a new instance, return the same key.
        const Result<QByteArray> second = storeA.loadOrCreateMasterKey();
        QVERIFY(second.ok());
        QCOMPARE(second.value(), first.value());
        KeychainSecretStore storeAAgain(dirA.path(), 15000);
        const Result<QByteArray> third = storeAAgain.loadOrCreateMasterKey();
        QVERIFY(third.ok());
        QCOMPARE(third.value(), first.value());
        // Another data directory has its own key.
        const Result<QByteArray> other = storeB.loadOrCreateMasterKey();
        QVERIFY(other.ok());
        QVERIFY(other.value() != first.value());

        // `auto` without WADESK_MASTER_KEY picks the keychain, which hands out the same key, and
        // no key file is written.
        Result<SecretStoreChoice> choice =
            SecretStoreSelector::select(QStringLiteral("auto"), dirA.path(), QProcessEnvironment(), 15000);
        QVERIFY2(choice.ok(), choice.ok() ? "" : qPrintable(choice.error().message));
        QCOMPARE(choice.value().store->backend(), QStringLiteral("keychain"));
        QVERIFY(choice.value().reason.contains(QStringLiteral("keychain")));
        const Result<QByteArray> viaChoice = choice.value().store->loadOrCreateMasterKey();
        QVERIFY(viaChoice.ok());
        QCOMPARE(viaChoice.value(), first.value());
        QVERIFY(!QFile::exists(SecretStoreSelector::keyFilePath(dirA.path())));
        // So does an explicit `keychain`.
        Result<SecretStoreChoice> explicitChoice =
            SecretStoreSelector::select(QStringLiteral("keychain"), dirB.path(), QProcessEnvironment(), 15000);
        QVERIFY(explicitChoice.ok());
        QCOMPARE(explicitChoice.value().store->loadOrCreateMasterKey().value(), other.value());
    }

    void keychainTimeoutIsSafe()
    {
        // A probe that gives up before the keychain answers must not leave the late answer to a
        // job that no longer exists (that crashed). Timeouts of 0-2 ms give up almost always.
        if (!keychainTestsWanted())
            QSKIP("set WADESK_TEST_KEYCHAIN=1 inside a session with an unlocked keyring (scripts/test.sh does)");
        QTemporaryDir dir;
        // A write that was abandoned may still land: remove what it could have left.
        m_entriesToDelete << KeychainSecretStore(dir.path()).entryKey()
                          << KeychainSecretStore(dir.path()).entryKey() + QStringLiteral("-probe");
        int gaveUp = 0;
        for (int i = 0; i < 30; ++i) {
            KeychainSecretStore store(dir.path(), i % 3);
            const KeychainSecretStore::Probe probe = store.probe();
            if (probe.availability == KeychainSecretStore::Availability::Refused) {
                ++gaveUp;
                QVERIFY2(probe.detail.contains(QStringLiteral("did not answer")), qPrintable(probe.detail));
            }
        }
        qInfo("%d of 30 probes timed out", gaveUp);
        QTest::qWait(500); // the late answers arrive now
        KeychainSecretStore store(dir.path(), 15000);
        QCOMPARE(int(store.probe().availability), int(KeychainSecretStore::Availability::Available));
    }

    void lockedKeyringRefuses()
    {
        // Runs this executable again in a private D-Bus session with its own gnome-keyring (so the
        // lock does not disturb other tests sharing the session keyring); the child creates a key,
        // locks the keyring, and checks that selection then fails instead of falling back.
        if (!keychainTestsWanted())
            QSKIP("set WADESK_TEST_KEYCHAIN=1 inside a session with an unlocked keyring (scripts/test.sh does)");
        const QString dbusRunSession = QStandardPaths::findExecutable(QStringLiteral("dbus-run-session"));
        const QString daemon = QStandardPaths::findExecutable(QStringLiteral("gnome-keyring-daemon"));
        QVERIFY2(!dbusRunSession.isEmpty() && !daemon.isEmpty(), "dbus-run-session and gnome-keyring-daemon are needed");

        QTemporaryDir runtimeDir;
        QTemporaryDir dataHome;
        QVERIFY(::chmod(QFile::encodeName(runtimeDir.path()).constData(), 0700) == 0);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
        env.remove(QStringLiteral("GNOME_KEYRING_CONTROL"));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtimeDir.path());
        env.insert(QStringLiteral("XDG_DATA_HOME"), dataHome.path());
        env.insert(QStringLiteral("WADESK_SECRET_STORE_CHILD"), QStringLiteral("locked-keyring"));
        QProcess child;
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::MergedChannels);
        // The daemon runs in the foreground so that it is stopped by its pid at the end; the
        // child waits for it to own the Secret Service name (D-Bus activation would otherwise
        // start a second, locked daemon).
        const QString script = QStringLiteral(
            "printf 'child-password\\n' | gnome-keyring-daemon --foreground --unlock --components=secrets "
            ">/dev/null 2>&1 &\n"
            "daemon=$!\n"
            "for i in $(seq 1 300); do\n"
            "  busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus NameHasOwner s "
            "org.freedesktop.secrets 2>/dev/null | grep -q true && break\n"
            "  sleep 0.1\n"
            "done\n"
            "\"$0\" lockedKeyringChild\n"
            "status=$?\n"
            "kill \"$daemon\" 2>/dev/null; wait \"$daemon\" 2>/dev/null\n"
            "exit $status\n");
        child.start(dbusRunSession, {QStringLiteral("--"), QStringLiteral("bash"), QStringLiteral("-c"), script,
                                     QCoreApplication::applicationFilePath()});
        QVERIFY(child.waitForStarted());
        QVERIFY2(child.waitForFinished(120000), "the child did not finish");
        const QString output = QString::fromLocal8Bit(child.readAll());
        if (child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0)
            qWarning("child output:\n%s", qPrintable(output));
        QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, "the child failed (output above)");
        QVERIFY2(output.contains(QStringLiteral("PASS   : TestSecretStore::lockedKeyringChild()")), qPrintable(output));
        // The lock stayed in the child's private keyring: the shared one still answers.
        QTemporaryDir dataDir;
        KeychainSecretStore shared(dataDir.path(), 15000);
        QCOMPARE(int(shared.probe().availability), int(KeychainSecretStore::Availability::Available));
    }

    void lockedKeyringChild()
    {
        if (!isLockedKeyringChild())
            QSKIP("runs only as the child of lockedKeyringRefuses()");
        QTemporaryDir withEntry;
        QTemporaryDir withoutEntry;
        // While unlocked: the keychain answers and keeps a key.
        KeychainSecretStore store(withEntry.path(), 20000);
        QCOMPARE(int(store.probe().availability), int(KeychainSecretStore::Availability::Available));
        const Result<QByteArray> key = store.loadOrCreateMasterKey();
        QVERIFY2(key.ok(), key.ok() ? "" : qPrintable(key.error().message));

        QString log;
        QVERIFY2(lockDefaultCollection(&log), qPrintable(log));
        qInfo("locked: %s", qPrintable(log));

        // A data dir whose key is in the locked keyring: refused, and said so.
        const KeychainSecretStore::Probe probe = KeychainSecretStore(withEntry.path(), 20000).probe();
        QVERIFY2(probe.availability == KeychainSecretStore::Availability::Refused,
                 qPrintable(QStringLiteral("availability %1: %2").arg(int(probe.availability)).arg(probe.detail)));
        for (const QString &setting : {QStringLiteral("auto"), QStringLiteral("keychain")}) {
            Result<SecretStoreChoice> choice =
                SecretStoreSelector::select(setting, withEntry.path(), QProcessEnvironment(), 20000);
            QVERIFY2(!choice.ok(), qPrintable(setting + QStringLiteral(" fell back to ")
                                              + (choice.ok() ? choice.value().store->backend() : QString())));
            QCOMPARE(choice.error().code, QStringLiteral("keychain_refused"));
            QVERIFY2(choice.error().message.contains(QStringLiteral("refused")), qPrintable(choice.error().message));
            QVERIFY(!QFile::exists(SecretStoreSelector::keyFilePath(withEntry.path())));
        }
        const Result<QByteArray> lockedRead = KeychainSecretStore(withEntry.path(), 20000).loadOrCreateMasterKey();
        QVERIFY(!lockedRead.ok());
        QCOMPARE(lockedRead.error().code, QStringLiteral("keychain_refused"));

        // A data dir without an entry yet: whatever is chosen, no key may be made anywhere else
        // while the keychain is locked.
        Result<SecretStoreChoice> fresh =
            SecretStoreSelector::select(QStringLiteral("auto"), withoutEntry.path(), QProcessEnvironment(), 20000);
        if (fresh.ok()) {
            QCOMPARE(fresh.value().store->backend(), QStringLiteral("keychain"));
            const Result<QByteArray> created = fresh.value().store->loadOrCreateMasterKey();
            QVERIFY2(!created.ok(), "a key was stored in a locked keychain");
            QCOMPARE(created.error().code, QStringLiteral("keychain_refused"));
        } else {
            QCOMPARE(fresh.error().code, QStringLiteral("keychain_refused"));
        }
        QVERIFY(!QFile::exists(SecretStoreSelector::keyFilePath(withoutEntry.path())));
        // The environment still overrides a locked keychain.
        QProcessEnvironment env;
        env.insert(QStringLiteral("WADESK_MASTER_KEY"), kValidHex);
        QVERIFY(SecretStoreSelector::select(QStringLiteral("auto"), withEntry.path(), env, 20000).ok());
    }

    // ---- the master key fingerprint ----

    void masterKeyCheck()
    {
        QTemporaryDir dir;
        const Result<DatabaseUrl> url = DatabaseUrl::parse(QStringLiteral("wadesk.db"), dir.path());
        QVERIFY(url.ok());
        Database db(url.value());
        Migrator migrator(db, Migrator::embeddedDirectory(db.url().dialectName()));
        const Result<int> applied = migrator.migrate();
        QVERIFY2(applied.ok(), applied.ok() ? "" : qPrintable(applied.error().message));
        SettingsRepository settings(db);

        const QByteArray keyA = AesGcm::randomBytes(32);
        const QByteArray keyB = AesGcm::randomBytes(32);
        QCOMPARE(MasterKeyCheck::fingerprint(keyA), MasterKeyCheck::fingerprint(keyA));
        QVERIFY(MasterKeyCheck::fingerprint(keyA) != MasterKeyCheck::fingerprint(keyB));
        QCOMPARE(MasterKeyCheck::fingerprint(keyA).size(), 64);

        // First start: recorded (the fingerprint, never the key).
        QVERIFY(MasterKeyCheck::verifyOrRecord(settings, keyA, QStringLiteral("the key file")).ok());
        const Result<std::optional<QString>> stored =
            settings.get(SettingsRepository::kInstallation, QStringLiteral("secrets.master_key_fingerprint"));
        QVERIFY(stored.ok() && stored.value().has_value());
        QCOMPARE(stored.value()->toLatin1(), MasterKeyCheck::fingerprint(keyA));
        QVERIFY(!stored.value()->contains(QString::fromLatin1(keyA.toHex())));

        // Same key: passes, again and again.
        QVERIFY(MasterKeyCheck::verifyOrRecord(settings, keyA, QStringLiteral("the key file")).ok());
        QVERIFY(MasterKeyCheck::verifyOrRecord(settings, QByteArray(keyA), QStringLiteral("WADESK_MASTER_KEY")).ok());

        // Another key: 409 key_mismatch naming where the key came from; nothing overwritten.
        const Status mismatch = MasterKeyCheck::verifyOrRecord(settings, keyB, QStringLiteral("WADESK_MASTER_KEY"));
        QVERIFY(!mismatch.ok());
        QCOMPARE(mismatch.error().code, QStringLiteral("key_mismatch"));
        QCOMPARE(mismatch.error().httpStatus, 409);
        QVERIFY2(mismatch.error().message.contains(QStringLiteral("WADESK_MASTER_KEY")), qPrintable(mismatch.error().message));
        QCOMPARE(settings.get(SettingsRepository::kInstallation, QStringLiteral("secrets.master_key_fingerprint"))
                     .value()
                     ->toLatin1(),
                 MasterKeyCheck::fingerprint(keyA));
        QVERIFY(MasterKeyCheck::verifyOrRecord(settings, keyA, QStringLiteral("the key file")).ok());

        // The record survives a restart (a new Database on the same file).
        db.closeThreadConnection();
        Database reopened(url.value());
        SettingsRepository settingsAfterRestart(reopened);
        QCOMPARE(MasterKeyCheck::verifyOrRecord(settingsAfterRestart, keyB, QStringLiteral("x")).error().code,
                 QStringLiteral("key_mismatch"));
        QVERIFY(MasterKeyCheck::verifyOrRecord(settingsAfterRestart, keyA, QStringLiteral("x")).ok());
        // Per installation, not per organization: an organization's settings do not count.
        QVERIFY(settingsAfterRestart.set(QStringLiteral("org_1"), QStringLiteral("secrets.master_key_fingerprint"),
                                         QString::fromLatin1(MasterKeyCheck::fingerprint(keyB)))
                    .ok());
        QCOMPARE(MasterKeyCheck::verifyOrRecord(settingsAfterRestart, keyB, QStringLiteral("x")).error().code,
                 QStringLiteral("key_mismatch"));
        reopened.closeThreadConnection();
    }

    void masterKeyCheckFirstStartRace()
    {
        // Two instances sharing one database start together with different keys (the very
        // misconfiguration the check is for): exactly one may record its fingerprint, the other
        // must get key_mismatch, never both "first start".
        const QByteArray keys[2] = {AesGcm::randomBytes(32), AesGcm::randomBytes(32)};
        int bothPassed = 0;
        for (int round = 0; round < 20; ++round) {
            QTemporaryDir dir;
            Database db(DatabaseUrl::parse(QStringLiteral("race.db"), dir.path()).value());
            QVERIFY(Migrator(db, Migrator::embeddedDirectory(QStringLiteral("sqlite"))).migrate().ok());
            db.closeThreadConnection();
            QSemaphore ready;
            QSemaphore go;
            QString codes[2];
            QThread *threads[2];
            for (int i = 0; i < 2; ++i) {
                threads[i] = QThread::create([&, i]() {
                    SettingsRepository settings(db);
                    (void)settings.get(SettingsRepository::kInstallation, QStringLiteral("warm-up")); // connect first
                    ready.release();
                    go.acquire();
                    const Status s = MasterKeyCheck::verifyOrRecord(settings, keys[i], QStringLiteral("instance"));
                    codes[i] = s.ok() ? QStringLiteral("ok") : s.error().code;
                    db.closeThreadConnection();
                });
                threads[i]->start();
            }
            ready.acquire(2);
            go.release(2);
            for (QThread *t : threads) {
                QVERIFY(t->wait(30000));
                delete t;
            }
            QStringList outcome{codes[0], codes[1]};
            outcome.sort();
            if (outcome == QStringList{QStringLiteral("ok"), QStringLiteral("ok")})
                ++bothPassed;
            else
                QCOMPARE(outcome, (QStringList{QStringLiteral("key_mismatch"), QStringLiteral("ok")}));
        }
        QCOMPARE(bothPassed, 0);
    }

    void cleanupTestCase()
    {
        for (const QString &entry : std::as_const(m_entriesToDelete))
            deleteKeychainEntry(entry);
    }
};

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secret_store.moc"

#include "core/secrets/KeychainSecretStore.h"

#include "core/secrets/AesGcm.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QTimer>
#include <qt6keychain/keychain.h>

namespace wadesk {

namespace {
const QString kService = QStringLiteral("WaDesk");

// Runs a job and waits for it at most `timeoutMs`. The job lives on the heap and deletes itself
// when it finishes: after a timeout it is abandoned, not destroyed, because the keychain's late
// answer still arrives at it (QtKeychain cannot cancel a request in flight).
template <typename Job, typename Setup, typename Collect>
void runJob(Job *job, int timeoutMs, bool &timedOut, Setup setup, Collect collect)
{
    job->setAutoDelete(true);
    setup(*job);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    bool finished = false;
    // The connections have `loop` as context: once this function has returned, the late
    // `finished` of an abandoned job reaches nothing of ours.
    QObject::connect(job, &QKeychain::Job::finished, &loop, [&](QKeychain::Job *) {
        finished = true;
        collect(*job);
        loop.quit();
    });
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    job->start();
    if (!finished)
        loop.exec();
    timedOut = !finished;
}
} // namespace

KeychainSecretStore::KeychainSecretStore(QString dataDir, int timeoutMs)
    : m_entryKey(QStringLiteral("master-key-")
                 + QString::fromLatin1(QCryptographicHash::hash(dataDir.toUtf8(), QCryptographicHash::Sha256).toHex().left(16)))
    , m_timeoutMs(timeoutMs)
{
}

QString KeychainSecretStore::description() const
{
    return QStringLiteral("master key in the system keychain (service %1, entry %2)").arg(kService, m_entryKey);
}

KeychainSecretStore::ReadOutcome KeychainSecretStore::readEntry(const QString &key)
{
    ReadOutcome out;
    runJob(
        new QKeychain::ReadPasswordJob(kService), m_timeoutMs, out.timedOut,
        [&key](QKeychain::ReadPasswordJob &j) { j.setKey(key); },
        [&out](QKeychain::ReadPasswordJob &j) {
            out.error = j.error();
            out.errorText = j.errorString();
            out.data = j.binaryData();
        });
    return out;
}

KeychainSecretStore::ReadOutcome KeychainSecretStore::writeEntry(const QString &key, const QByteArray &data)
{
    ReadOutcome out;
    runJob(
        new QKeychain::WritePasswordJob(kService), m_timeoutMs, out.timedOut,
        [&key, &data](QKeychain::WritePasswordJob &j) {
            j.setKey(key);
            j.setBinaryData(data);
        },
        [&out](QKeychain::WritePasswordJob &j) {
            out.error = j.error();
            out.errorText = j.errorString();
        });
    return out;
}

void KeychainSecretStore::removeEntry(const QString &key)
{
    bool timedOut = false;
    runJob(
        new QKeychain::DeletePasswordJob(kService), m_timeoutMs, timedOut,
        [&key](QKeychain::DeletePasswordJob &j) { j.setKey(key); }, [](QKeychain::DeletePasswordJob &) {});
}

QString KeychainSecretStore::refusalOfWrite()
{
    const QString canary = m_entryKey + QStringLiteral("-probe");
    const ReadOutcome w = writeEntry(canary, QByteArrayLiteral("probe"));
    if (w.timedOut)
        return QStringLiteral("the keychain did not answer within %1 ms").arg(m_timeoutMs);
    if (w.error != QKeychain::NoError)
        return w.errorText.isEmpty() ? QStringLiteral("error %1").arg(w.error) : w.errorText;
    removeEntry(canary);
    return {};
}

KeychainSecretStore::Probe KeychainSecretStore::probe()
{
    const ReadOutcome r = readEntry(m_entryKey);
    if (r.timedOut)
        return {Availability::Refused, QStringLiteral("the keychain did not answer within %1 ms").arg(m_timeoutMs)};
    switch (r.error) {
    case QKeychain::NoError:
        return {Availability::Available, QString()};
    case QKeychain::EntryNotFound: {
        // First start, or a locked keychain hiding the entry: only a write tells them apart.
        const QString refusal = refusalOfWrite();
        if (refusal.isEmpty())
            return {Availability::Available, QString()};
        return {Availability::Refused, refusal};
    }
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return {Availability::Refused, r.errorText};
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError: // QtKeychain's answer when no session bus or service exists
    default:
        return {Availability::NoBackend, r.errorText};
    }
}

Result<QByteArray> KeychainSecretStore::loadOrCreateMasterKey()
{
    auto keyFrom = [this](const ReadOutcome &r) -> Result<QByteArray> {
        const QByteArray key = QByteArray::fromHex(r.data);
        if (key.size() != AesGcm::kKeyBytes)
            return DomainError::internal(QStringLiteral("the keychain entry %1 does not hold a 32-byte key").arg(m_entryKey));
        return key;
    };
    const ReadOutcome r = readEntry(m_entryKey);
    if (r.timedOut)
        return DomainError::unavailable(QStringLiteral("the system keychain did not answer"), QStringLiteral("keychain_timeout"));
    if (r.error == QKeychain::NoError)
        return keyFrom(r);
    if (r.error != QKeychain::EntryNotFound)
        return DomainError::unavailable(QStringLiteral("the system keychain refused: %1").arg(r.errorText),
                                        QStringLiteral("keychain_refused"));
    // "Not found" from a locked keychain must not lead to a new key replacing the one it holds
    // (everything sealed with it would be lost): first make the keychain take a write (a locked
    // one refuses, or unlocks on the user's prompt), then read again.
    const QString refusal = refusalOfWrite();
    if (!refusal.isEmpty())
        return DomainError::unavailable(QStringLiteral("the system keychain refused: %1").arg(refusal),
                                        QStringLiteral("keychain_refused"));
    const ReadOutcome again = readEntry(m_entryKey);
    if (again.timedOut)
        return DomainError::unavailable(QStringLiteral("the system keychain did not answer"), QStringLiteral("keychain_timeout"));
    if (again.error == QKeychain::NoError)
        return keyFrom(again);
    if (again.error != QKeychain::EntryNotFound)
        return DomainError::unavailable(QStringLiteral("the system keychain refused: %1").arg(again.errorText),
                                        QStringLiteral("keychain_refused"));
    const QByteArray key = AesGcm::randomBytes(AesGcm::kKeyBytes);
    const ReadOutcome w = writeEntry(m_entryKey, key.toHex());
    if (w.timedOut || w.error != QKeychain::NoError)
        return DomainError::unavailable(QStringLiteral("the system keychain refused to store the master key: %1")
                                            .arg(w.timedOut ? QStringLiteral("no answer") : w.errorText),
                                        QStringLiteral("keychain_refused"));
    return key;
}

Result<std::optional<QByteArray>> KeychainSecretStore::loadExistingMasterKey()
{
    const ReadOutcome r = readEntry(m_entryKey);
    if (r.timedOut)
        return DomainError::unavailable(QStringLiteral("the system keychain did not answer"), QStringLiteral("keychain_timeout"));
    if (r.error == QKeychain::EntryNotFound)
        return std::optional<QByteArray>();
    if (r.error != QKeychain::NoError)
        return DomainError::unavailable(QStringLiteral("the system keychain refused: %1").arg(r.errorText),
                                        QStringLiteral("keychain_refused"));
    const QByteArray key = QByteArray::fromHex(r.data);
    if (key.size() != AesGcm::kKeyBytes)
        return DomainError::internal(QStringLiteral("the keychain entry %1 does not hold a 32-byte key").arg(m_entryKey));
    return std::optional<QByteArray>(key);
}

Status KeychainSecretStore::installMasterKey(const QByteArray &key)
{
    if (key.size() != AesGcm::kKeyBytes)
        return DomainError::badRequest(QStringLiteral("a master key is 32 bytes"), QStringLiteral("invalid_master_key"));
    const ReadOutcome w = writeEntry(m_entryKey, key.toHex());
    if (w.timedOut || w.error != QKeychain::NoError)
        return DomainError::unavailable(QStringLiteral("the system keychain refused to store the master key: %1")
                                            .arg(w.timedOut ? QStringLiteral("no answer") : w.errorText),
                                        QStringLiteral("keychain_refused"));
    return {};
}

} // namespace wadesk

#include "secrets/KeychainSecretStore.h"

#include "secrets/AesGcm.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QTimer>
#include <qt6keychain/keychain.h>

namespace wadesk {

namespace {
const QString kService = QStringLiteral("WaDesk");

template <typename Job, typename Setup>
void runJob(Job &job, int timeoutMs, bool &timedOut, Setup setup)
{
    job.setAutoDelete(false);
    setup(job);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, [&]() {
        timedOut = true;
        loop.quit();
    });
    timer.start(timeoutMs);
    job.start();
    loop.exec();
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

KeychainSecretStore::ReadOutcome KeychainSecretStore::read()
{
    ReadOutcome out;
    QKeychain::ReadPasswordJob job(kService);
    runJob(job, m_timeoutMs, out.timedOut, [this](QKeychain::ReadPasswordJob &j) { j.setKey(m_entryKey); });
    if (!out.timedOut) {
        out.error = job.error();
        out.errorText = job.errorString();
        out.data = job.binaryData();
    }
    return out;
}

KeychainSecretStore::ReadOutcome KeychainSecretStore::write(const QByteArray &data)
{
    ReadOutcome out;
    QKeychain::WritePasswordJob job(kService);
    runJob(job, m_timeoutMs, out.timedOut, [this, &data](QKeychain::WritePasswordJob &j) {
        j.setKey(m_entryKey);
        j.setBinaryData(data);
    });
    if (!out.timedOut) {
        out.error = job.error();
        out.errorText = job.errorString();
    }
    return out;
}

KeychainSecretStore::Probe KeychainSecretStore::probe()
{
    const ReadOutcome r = read();
    if (r.timedOut)
        return {Availability::Refused, QStringLiteral("the keychain did not answer within %1 ms").arg(m_timeoutMs)};
    switch (r.error) {
    case QKeychain::NoError:
    case QKeychain::EntryNotFound:
        return {Availability::Available, QString()};
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
    const ReadOutcome r = read();
    if (r.timedOut)
        return DomainError::unavailable(QStringLiteral("the system keychain did not answer"), QStringLiteral("keychain_timeout"));
    if (r.error == QKeychain::NoError) {
        const QByteArray key = QByteArray::fromHex(r.data);
        if (key.size() != AesGcm::kKeyBytes)
            return DomainError::internal(QStringLiteral("the keychain entry %1 does not hold a 32-byte key").arg(m_entryKey));
        return key;
    }
    if (r.error != QKeychain::EntryNotFound)
        return DomainError::unavailable(QStringLiteral("the system keychain refused: %1").arg(r.errorText),
                                        QStringLiteral("keychain_refused"));
    const QByteArray key = AesGcm::randomBytes(AesGcm::kKeyBytes);
    const ReadOutcome w = write(key.toHex());
    if (w.timedOut || w.error != QKeychain::NoError)
        return DomainError::unavailable(QStringLiteral("cannot store the master key in the keychain: %1")
                                            .arg(w.timedOut ? QStringLiteral("no answer") : w.errorText),
                                        QStringLiteral("keychain_refused"));
    return key;
}

} // namespace wadesk

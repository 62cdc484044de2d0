#include "core/network/EgressRouteTable.h"

#include <QRandomGenerator>

#include <array>

namespace wadesk {

namespace {
// Compares without an early exit, so the time taken says nothing about where a guess went wrong.
bool sameBytes(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}
} // namespace

QByteArray EgressRouteTable::issue(const QString &clientId, const EgressRoute &route)
{
    std::array<quint32, 8> words{};
    QRandomGenerator::system()->generate(words.begin(), words.end());
    const QByteArray raw(reinterpret_cast<const char *>(words.data()), int(sizeof(words)));
    const QByteArray token = raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    QWriteLocker locker(&m_lock);
    m_entries.insert(clientId, Entry{token, route});
    return token;
}

void EgressRouteTable::setRoute(const QString &clientId, const EgressRoute &route)
{
    QWriteLocker locker(&m_lock);
    const auto it = m_entries.find(clientId);
    if (it != m_entries.end())
        it->route = route;
}

void EgressRouteTable::remove(const QString &clientId)
{
    QWriteLocker locker(&m_lock);
    m_entries.remove(clientId);
}

std::optional<EgressRoute> EgressRouteTable::authenticate(const QString &clientId, const QByteArray &token) const
{
    QReadLocker locker(&m_lock);
    const auto it = m_entries.constFind(clientId);
    if (it == m_entries.constEnd() || token.isEmpty() || !sameBytes(it->token, token))
        return std::nullopt;
    return it->route;
}

bool EgressRouteTable::contains(const QString &clientId) const
{
    QReadLocker locker(&m_lock);
    return m_entries.contains(clientId);
}

} // namespace wadesk

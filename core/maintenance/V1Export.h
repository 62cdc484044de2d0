#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace wadesk {

// The v1 server's export (`GET /api/v1/export`, saved as clients-backup.json), read strictly:
// `{"clients": [{"name": ..., "phone": ..., "status": ...}, ...]}` or a bare array of clients.
// Unknown fields are ignored; `phone_number` is accepted for `phone`; v1's `status` is ignored
// (a v1 session cannot be carried over: every client needs a new QR scan). Phones are
// normalised to E.164 with libphonenumber. Any problem refuses the whole file, with every
// problem listed by entry, so nothing is imported half.
struct V1Client {
    int index = 0;      // position in the file's list, from 0
    QString name;
    QString phoneE164;  // empty: the client has no number yet
};

namespace V1Export {
constexpr qint64 kMaxFileBytes = 8 * 1024 * 1024;
constexpr int kMaxClients = 10000;

Result<QList<V1Client>> parse(const QByteArray &json);
// Reads and parses `path` (at most kMaxFileBytes).
Result<QList<V1Client>> readFile(const QString &path, QByteArray *contents);
} // namespace V1Export

} // namespace wadesk

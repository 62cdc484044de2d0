#pragma once

#include "auth/AuthContext.h"
#include "common/DomainError.h"
#include "messaging/MessageRepository.h"
#include "messaging/MessagingSettings.h"

#include <QJsonObject>

namespace wadesk {

class ClientService;
class Database;
class SessionControl;
struct ClientRecord;

// Accepting sends and reading history, on the API thread. A send is validated, checked against
// the contact's opt-out and the client's daily budget, then stored with its queue entry and
// audit entry in one transaction; the caller gets its id at once and the session's sender takes
// it from there.
class MessageService {
public:
    MessageService(Database &database, ClientService &clients, SessionControl *sessions, MessagingSettings settings);

    struct Accepted {
        QString messageId;
        QString status;
        bool replayed = false; // an earlier answer for the same Idempotency-Key
    };
    Result<Accepted> send(const AuthContext &ctx, const QString &clientId, const QString &to, const QString &text,
                          const QString &idempotencyKey);
    Result<MessageRecord> get(const AuthContext &ctx, const QString &messageId);
    struct Page {
        QList<MessageRecord> messages;
        int total = 0;
    };
    Result<Page> history(const AuthContext &ctx, const QString &clientId, MessageQuery query);
    Result<QJsonObject> rateLimits(const AuthContext &ctx, const QString &clientId);
    static RateTiers tiersOf(const ClientRecord &client, const RateTiers &defaults);

private:
    Database &m_database;
    ClientService &m_clients;
    SessionControl *m_sessions;
    MessagingSettings m_settings;
};

} // namespace wadesk

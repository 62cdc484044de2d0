#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/messaging/ConversationRepository.h"

namespace wadesk {

class ClientService;
class Database;

// A client's inbox: its conversations (most recent first, in keyset pages), the unread counts
// that the thread's opening clears, and a search over the text of its messages. Every call is
// scoped to a client the actor may see (another organization's, or one not assigned to an
// agent, reads as not found), like MessageService::history.
class ConversationService {
public:
    ConversationService(Database &database, ClientService &clients, const Clock &clock = Clock::system())
        : m_database(database), m_clients(clients), m_clock(clock) {}

    static constexpr int kMaxPage = 500;
    static constexpr int kMaxSearchResults = 200;
    static constexpr int kMaxSearchLength = 200;

    struct Page {
        QList<ConversationRecord> conversations;
        bool hasMore = false;
    };
    Result<Page> list(const AuthContext &ctx, const QString &clientId, ConversationQuery query);
    // The conversation with the contact of this number (E.164); not found when they never wrote.
    Result<ConversationRecord> get(const AuthContext &ctx, const QString &clientId, const QString &phone);
    // The thread was opened: its unread count goes to 0. Returns the count it had.
    Result<int> markRead(const AuthContext &ctx, const QString &clientId, const QString &phone);
    // Messages whose text or caption contains `text` (2 to kMaxSearchLength characters).
    Result<QList<MessageHit>> search(const AuthContext &ctx, const QString &clientId, const QString &text, int limit = 50);

private:
    Database &m_database;
    ClientService &m_clients;
    const Clock &m_clock;
};

} // namespace wadesk

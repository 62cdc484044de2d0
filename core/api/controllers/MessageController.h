#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class ContactService;
class MessageService;

// Sending, message status, history, rate limits, and contacts.
class MessageController {
public:
    MessageController(MessageService &messages, ContactService &contacts) : m_messages(messages), m_contacts(contacts) {}
    void registerRoutes(ApiRoutes &routes);

private:
    // Deferred: answered once the send is stored with the others that arrived with it.
    void send(ApiRequest &request, const AuthContext &ctx, Reply reply);
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    // Checked here, read on a reader thread (MessageService::history is safe there).
    Result<ApiRoutes::Read> history(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> rateLimits(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> listContacts(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> getContact(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> updateContact(ApiRequest &request, const AuthContext &ctx);

    MessageService &m_messages;
    ContactService &m_contacts;
};

} // namespace wadesk

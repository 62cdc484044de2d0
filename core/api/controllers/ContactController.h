#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class Database;

// POST /api/contacts/import (CSV body, report; ?dry_run=true previews the mapping) and
// GET /api/contacts/export?format=csv|json (streamed). Both need can_manage_clients (admins,
// managers): a whole address book goes in or out. Registered before /api/contacts/:contactId.
class ContactController {
public:
    explicit ContactController(Database &database) : m_database(database) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<ApiRoutes::Read> importCsv(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> exportContacts(ApiRequest &request, const AuthContext &ctx);

    Database &m_database;
};

} // namespace wadesk

#!/usr/bin/env python3
"""Writes resources/openapi.json from the route list below.

The route list is the single place the API is described for people; tests/api/tst_openapi.cpp
checks that it names exactly the routes the server registers."""
import json, os

ERR = {"$ref": "#/components/responses/Error"}

def op(summary, ok_status, ok_schema=None, body=None, perm=None, errors=(400, 401, 403), public=False, params=()):
    o = {"summary": summary, "responses": {}}
    if perm:
        o["description"] = f"Requires `{perm}`."
    if public:
        o["security"] = []
    if body:
        o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        o["parameters"] = [{"$ref": f"#/components/parameters/{p}"} for p in params]
    o["responses"][str(ok_status)] = {"description": "Success", "content": {"application/json": {"schema": ok_schema or {"$ref": "#/components/schemas/Message"}}}}
    for e in errors:
        o["responses"][str(e)] = ERR
    return o

S = lambda name: {"$ref": f"#/components/schemas/{name}"}
obj = lambda props, req=(): {"type": "object", "properties": props, **({"required": list(req)} if req else {})}
arr = lambda item: {"type": "array", "items": item}
string = {"type": "string"}
# What a webhook may subscribe to (core/events/EventType.cpp), or "*" for all.
EVENTS = {"type": "array", "items": {"type": "string", "enum": ["*", "message.sent", "message.delivered", "message.read", "message.failed",
          "message.received", "client.qr", "client.connected", "client.disconnected", "client.logged_out", "client.paused",
          "client.proxy_failed", "campaign.started", "campaign.completed", "system.status", "test"]}}

paths = {
  "/health": {"get": op("Liveness and database reachability", 200, S("Health"), public=True, errors=(503,))},
  "/api/openapi.json": {"get": op("This document", 200, {"type": "object"}, public=True, errors=())},
  "/api/auth/register": {"post": op("Create an organization and its first admin", 201,
      obj({"message": string, "user": S("User"), "organization": obj({"id": string, "name": string}), "token": string,
           "api_key": {"type": "string", "description": "Shown only here"}}),
      body=obj({"email": string, "password": {"type": "string", "minLength": 8}, "name": string, "organization_name": string},
               ["email", "password", "name", "organization_name"]), public=True, errors=(400, 409, 415))},
  "/api/auth/login": {"post": op("Sign in; returns a JWT", 200,
      obj({"message": string, "token": string, "expires_at": {"type": "string", "format": "date-time"}, "user": S("User")}),
      body=obj({"email": string, "password": string}, ["email", "password"]), public=True, errors=(400, 401, 415, 429))},
  "/api/api-keys": {
      "post": op("Create an API key (returned once)", 201, obj({"message": string, "api_key": string, "key": S("ApiKey")}),
                 body=obj({"name": string, "expires_at": {"type": "string", "format": "date-time"}, "expires_in_days": {"type": "integer"}}, ["name"]),
                 errors=(400, 401, 409)),
      "get": op("List API keys (admins: the organization's; others: their own)", 200,
                obj({"api_keys": arr(S("ApiKey")), "count": {"type": "integer"}}), params=("limit", "offset"))},
  "/api/api-keys/{keyId}": {"delete": op("Revoke an API key", 200, params=("keyId",), errors=(401, 404, 409))},
  "/api/team/members": {
      "post": op("Create a team member", 201, obj({"message": string, "user": S("User")}),
                 body=obj({"email": string, "password": string, "name": string, "role": {"type": "string", "enum": ["admin", "manager", "agent", "viewer"]},
                           "org_id": string}, ["email", "password", "name", "role"]), perm="can_manage_team", errors=(400, 401, 403, 409)),
      "get": op("List team members", 200, obj({"members": arr(S("User")), "count": {"type": "integer"}, "total": {"type": "integer"}}),
                perm="can_manage_team", params=("limit", "offset"))},
  "/api/team/members/{userId}": {
      "get": op("A team member and the clients assigned to them", 200, obj({"user": S("User")}), perm="can_manage_team", params=("userId",), errors=(401, 403, 404)),
      "patch": op("Change a member's name, role or active flag", 200, obj({"message": string, "user": S("User")}),
                  body=obj({"name": string, "role": string, "active": {"type": "boolean"}}), perm="can_manage_team", params=("userId",), errors=(400, 401, 403, 404, 409)),
      "delete": op("Remove a team member", 200, perm="can_manage_team", params=("userId",), errors=(401, 403, 404, 409))},
  "/api/team/members/{userId}/clients/{clientId}": {
      "post": op("Assign a client to a member", 200, perm="can_manage_team", params=("userId", "clientId"), errors=(401, 403, 404)),
      "delete": op("Remove a client assignment", 200, perm="can_manage_team", params=("userId", "clientId"), errors=(401, 403, 404))},
  "/api/clients": {
      "post": op("Create a WhatsApp client record", 201, obj({"message": string, "client": S("Client")}),
                 body=obj({"name": string, "phone_number": {"type": "string", "description": "Any format libphonenumber understands; stored as E.164"}, "org_id": string}, ["name"]),
                 perm="can_manage_clients", errors=(400, 401, 403, 409)),
      "get": op("List clients (agents and viewers: only assigned ones)", 200,
                obj({"clients": arr(S("Client")), "count": {"type": "integer"}, "total": {"type": "integer"}}), params=("limit", "offset"))},
  "/api/clients/{clientId}": {
      "get": op("One client", 200, obj({"client": S("Client")}), params=("clientId",), errors=(401, 404)),
      "patch": {**op("Rename a client, set its rate tiers, its proxy or whether it may fail over to another proxy", 200, obj({"message": string, "client": S("Client")}),
                  body=obj({"name": string, "rate_limits": obj({"per_minute": {"type": "integer"}, "per_hour": {"type": "integer"}, "per_day": {"type": "integer"}}),
                            "proxy_id": {"type": "string", "nullable": True, "description": "A proxy id (px_…), \"auto\" (the healthy or unchecked proxy with the fewest clients under its maximum) or null (no proxy)"},
                            "proxy_failover": {"type": "boolean", "description": "Whether the client may be moved to another healthy proxy when its own fails"}}),
                  perm="can_manage_clients", params=("clientId",), errors=(400, 401, 403, 404, 409, 503)),
                "description": "Requires `can_manage_clients`. 409 proxy_full (the proxy serves its max_clients) or no_proxy_available (for \"auto\"); 503 proxies_unavailable where the master key is not loaded. A refused proxy change changes nothing else."},
      "delete": op("Delete a client", 200, perm="can_manage_clients", params=("clientId",), errors=(401, 403, 404))},
  "/api/clients/{clientId}/init": {"post": op("Start the client's WhatsApp session (an already running one answers with its status)", 200,
      obj({"message": string, "clientId": string, "status": S("SessionStatus")}), perm="can_manage_clients",
      params=("clientId",), errors=(401, 403, 404, 503))},
  "/api/clients/{clientId}/status": {"get": op("Live state of the client's session", 200, S("ClientStatus"),
      params=("clientId",), errors=(401, 404))},
  "/api/clients/{clientId}/qr": {"get": {**op("The QR code to link the number: PNG, or JSON with ?format=json", 200,
      obj({"qr": string, "data_url": string, "expires_at": {"type": "string", "format": "date-time"}}),
      params=("clientId", "format"), errors=(401, 403, 404, 409, 429, 503)),
      "description": "Requires `can_manage_clients`, or `can_send_messages` on an assigned client. 409 client_not_in_qr_state when no code is showing; 429 qr_refreshing (with Retry-After) while an expired code is being renewed."}},
  "/api/clients/{clientId}/logout": {"post": op("Log the linked number out of WhatsApp", 200,
      obj({"message": string, "clientId": string, "status": S("SessionStatus")}), perm="can_manage_clients",
      params=("clientId",), errors=(401, 403, 404, 409, 503))},
  "/api/clients/{clientId}/pause": {"post": op("Pause the client's send queue (account safety); its page keeps running", 200,
      obj({"message": string, "clientId": string, "status": string}), perm="can_manage_clients", params=("clientId",), errors=(401, 403, 404, 503))},
  "/api/clients/{clientId}/resume": {"post": op("Resume a paused client", 200, obj({"message": string, "clientId": string}),
      perm="can_manage_clients", params=("clientId",), errors=(401, 403, 404, 503))},
  "/api/clients/{clientId}/send-message": {"post": {**op("Queue a text message; answers as soon as it is stored", 200,
      obj({"message": string, "messageId": string, "status": {"type": "string", "enum": ["queued"]}}),
      body=obj({"to": {"type": "string", "description": "Phone number; without a country code the client's own country is assumed"},
                "message": {"type": "string", "maxLength": 4096}, "media": {"nullable": True, "description": "Not supported yet: must be absent or null"},
                "org_id": string}, ["to", "message"]),
      perm="can_send_messages", params=("clientId", "idempotencyKey"), errors=(400, 401, 403, 404, 409, 415, 422, 429)),
      "description": "Requires `can_send_messages`; agents only on assigned clients (others read as 404). 409 client_not_ready / client_paused; 422 contact_opted_out, idempotency_key_reused, media_not_supported; 429 rate_limited (daily budget spoken for) with Retry-After. A repeated Idempotency-Key answers the first answer again with `Idempotent-Replayed: true`."}},
  "/api/clients/{clientId}/messages": {"get": op("Message history of a client, newest first", 200,
      obj({"messages": arr(S("Message")), "count": {"type": "integer"}, "total": {"type": "integer"}}),
      params=("clientId", "limit", "offset", "contact", "direction", "status", "since", "until"), errors=(400, 401, 404))},
  "/api/clients/{clientId}/rate-limits": {"get": op("Rate-tier usage, queue depth and when the last queued message should go out", 200,
      S("RateLimits"), params=("clientId",), errors=(401, 404))},
  "/api/messages/{messageId}": {"get": op("One message and its status history", 200, S("Message"), params=("messageId",), errors=(401, 404))},
  "/api/contacts": {"get": op("The organization's contacts", 200, obj({"contacts": arr(S("Contact")), "count": {"type": "integer"}, "total": {"type": "integer"}}),
      params=("limit", "offset", "search", "tag", "opted_out"), errors=(400, 401))},
  "/api/contacts/{contactId}": {
      "get": op("One contact", 200, obj({"contact": S("Contact")}), params=("contactId",), errors=(401, 404)),
      "patch": op("Change a contact's name, tags or opt-out flag", 200, obj({"message": string, "contact": S("Contact")}),
                  body=obj({"name": string, "tags": arr(string), "opted_out": {"type": "boolean"}}), perm="can_send_messages",
                  params=("contactId",), errors=(400, 401, 403, 404))},
  "/api/webhooks": {
      "post": op("Register a webhook; the secret is shown only here", 201,
                 obj({"message": string, "webhook": obj({"id": string, "url": string, "events": arr(string), "active": {"type": "boolean"}, "secret": string})}),
                 body=obj({"url": string, "events": EVENTS, "headers": {"type": "object", "additionalProperties": string}, "org_id": string}, ["url", "events"]),
                 perm="can_manage_webhooks", errors=(400, 401, 403, 415)),
      "get": op("List webhooks", 200, obj({"webhooks": arr(S("Webhook")), "count": {"type": "integer"}}), perm="can_manage_webhooks")},
  "/api/webhooks/broadcast": {"post": op("Send a system event to every organization's subscribed webhooks (installation operator only)", 200,
      obj({"message": string, "organizations": {"type": "integer"}}), body=obj({"event": string, "data": {"type": "object"}}, ["event"]),
      perm="can_manage_webhooks", errors=(400, 401, 403))},
  "/api/webhooks/{webhookId}": {
      "get": op("One webhook", 200, obj({"webhook": S("Webhook")}), perm="can_manage_webhooks", params=("webhookId",), errors=(401, 403, 404)),
      "patch": op("Change url, events, custom headers or active", 200, obj({"message": string, "webhook": S("Webhook")}),
                  body=obj({"url": string, "events": EVENTS, "headers": {"type": "object"}, "active": {"type": "boolean"}}),
                  perm="can_manage_webhooks", params=("webhookId",), errors=(400, 401, 403, 404)),
      "delete": op("Delete a webhook", 200, perm="can_manage_webhooks", params=("webhookId",), errors=(401, 403, 404))},
  "/api/webhooks/{webhookId}/rotate-secret": {"post": op("New secret; the old one keeps signing for 24 hours", 200,
      obj({"message": string, "secret": string, "previous_secret_expires_at": {"type": "string", "format": "date-time"}}),
      perm="can_manage_webhooks", params=("webhookId",), errors=(401, 403, 404))},
  "/api/webhooks/{webhookId}/test": {"post": op("Send a real signed test event now and report the outcome", 200,
      obj({"message": string, "result": obj({"success": {"type": "boolean"}, "statusCode": {"type": "integer", "nullable": True},
                                              "responseTime": {"type": "number"}})}),
      perm="can_manage_webhooks", params=("webhookId",), errors=(400, 401, 403, 404))},
  "/api/webhooks/{webhookId}/deliveries": {"get": op("The webhook's delivery log, newest first", 200,
      obj({"deliveries": arr(S("Delivery")), "count": {"type": "integer"}}), perm="can_manage_webhooks",
      params=("webhookId", "deliveryStatus", "limit", "offset"), errors=(400, 401, 403, 404))},
  "/api/webhooks/deliveries/{deliveryId}/retry": {"post": op("Replay a delivery (dead letters too) with a fresh attempt budget", 200,
      obj({"message": string, "delivery": S("Delivery")}), perm="can_manage_webhooks", params=("deliveryId",), errors=(401, 403, 404, 409))},
  "/api/proxies": {
      "post": {**op("Add a proxy to the organization's pool (the password is stored sealed and never returned)", 201,
                 obj({"message": string, "proxy": S("Proxy")}),
                 body=obj({"type": {"type": "string", "enum": ["http", "socks5"]},
                           "host": {"type": "string", "maxLength": 253, "description": "Host name or IP address; loopback and private addresses are allowed"},
                           "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                           "username": {"type": "string", "description": "At most 255 bytes"},
                           "password": {"type": "string", "description": "At most 255 bytes; only with a username"},
                           "label": {"type": "string", "maxLength": 100, "description": "Default host:port"},
                           "country": {"type": "string", "description": "ISO 3166 alpha-2"},
                           "max_clients": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 5}}, ["type", "host", "port"]),
                 perm="can_manage_organization", errors=(400, 401, 403, 409, 415)),
               "description": "Requires `can_manage_organization`. 409 proxy_exists when the organization has the same host, port and username."},
      "get": op("The organization's proxies with their health and client counts", 200,
                obj({"proxies": arr(S("Proxy")), "count": {"type": "integer"}}), perm="can_manage_clients")},
  "/api/proxies/{proxyId}": {
      "get": op("One proxy", 200, obj({"proxy": S("Proxy")}), perm="can_manage_clients", params=("proxyId",), errors=(401, 403, 404)),
      "patch": {**op("Change a proxy; a new type, host, port or credentials make its health unknown until the next check", 200,
                  obj({"message": string, "proxy": S("Proxy")}),
                  body=obj({"type": {"type": "string", "enum": ["http", "socks5"]}, "host": string, "port": {"type": "integer"},
                            "username": {"type": "string", "nullable": True}, "password": {"type": "string", "nullable": True, "description": "null removes it"},
                            "label": {"type": "string", "nullable": True}, "country": {"type": "string", "nullable": True},
                            "max_clients": {"type": "integer"}}),
                  perm="can_manage_organization", params=("proxyId",), errors=(400, 401, 403, 404, 409)),
                "description": "Requires `can_manage_organization`. 409 proxy_exists."},
      "delete": {**op("Remove a proxy", 200, perm="can_manage_organization", params=("proxyId",), errors=(401, 403, 404, 409)),
                 "description": "Requires `can_manage_organization`. 409 proxy_in_use (details.clients) while clients use it."}},
  "/api/media/upload": {"post": {**op("Upload a file (the type is decided from its content)", 201,
      obj({"message": string, "media": S("Media")}),
      body=obj({"file": {"type": "string", "description": "The bytes in base64 (standard or URL-safe, line breaks allowed) or a data URL (data:<type>;base64,...)"},
                "filename": {"type": "string", "maxLength": 255, "description": "Kept as the download name (directories and control characters removed); default <kind>_<random>.<ext>"},
                "mimetype": {"type": "string", "description": "Declared type; refused (415 media_type_mismatch) when the content is something else"},
                "voice_note": {"type": "boolean", "description": "An OGG/Opus file is a voice note (kind voice)"},
                "sticker": {"type": "boolean", "description": "A WebP is a sticker (kind sticker)"},
                "org_id": string}, ["file"]),
      perm="can_send_messages", errors=(400, 401, 403, 413, 415)),
      "description": "Requires `can_send_messages`. Also accepts multipart/form-data (field file; optional fields filename, mimetype, voice_note, sticker) "
                     "and a raw body with its Content-Type (query filename, mimetype, voice_note, sticker). Accepted: JPEG, PNG, WebP; MP4 and 3GPP video; "
                     "MP4 (M4A), AAC, MPEG, AMR and OGG/Opus audio; PDF, Office (doc, xls, ppt, docx, xlsx, pptx), OpenDocument (odt, ods, odp), UTF-8 text and CSV. "
                     "400 empty_media, invalid_media (truncated or damaged), invalid_base64, invalid_data_url; 413 for a body over the route's limit, "
                     "media_too_large (over media/maxBytes decoded), storage_quota_exceeded (nothing is stored); 415 media_type_not_allowed "
                     "(executables, scripts, HTML, SVG and every other type), media_type_mismatch."}},
  "/api/media": {"get": {**op("The organization's media, newest first", 200,
      obj({"media": arr(S("Media")), "count": {"type": "integer"}, "total": {"type": "integer"}}),
      params=("limit", "offset", "kind", "before", "since", "until")),
      "description": "Any member: admins and managers see all of the organization's media, agents and viewers what they uploaded and what messages of their assigned clients carry."}},
  "/api/media/{mediaId}": {
      "get": op("One file's information", 200, obj({"media": S("Media")}), params=("mediaId",), errors=(401, 404)),
      "delete": {**op("Remove a file (its bytes go with the last upload that refers to them)", 200, perm="can_send_messages",
                      params=("mediaId",), errors=(401, 403, 404, 409)),
                 "description": "Requires `can_send_messages`; agents remove only what they uploaded. 409 media_in_use while a queued or sending message carries it."}},
  "/api/media/{mediaId}/download": {"get": {**op("The file's bytes", 200, {"type": "string", "format": "binary"},
      params=("mediaId", "range", "ifNoneMatch"), errors=(401, 404, 416)),
      "description": "Content-Type (the detected type), Content-Length, Content-Disposition: attachment with a safe name, ETag (the SHA-256), "
                     "Accept-Ranges: bytes, X-Content-Type-Options: nosniff. A single Range gives 206 (416 when it cannot be satisfied); "
                     "If-None-Match naming the ETag gives 304."}},
  "/api/analytics/storage": {
      "get": op("The organization's storage use (unique stored bytes) and quota", 200, S("StorageUsage"), perm="can_view_analytics", errors=(401, 403)),
      "put": op("Set the organization's storage quota", 200, S("StorageUsage"),
                body=obj({"limit": {"type": "integer", "minimum": 0, "description": "Bytes"}}, ["limit"]),
                perm="can_manage_organization", errors=(400, 401, 403, 415))},
  "/api/audit-logs": {"get": op("The organization's audit log, newest first", 200,
      obj({"logs": arr(S("AuditEntry")), "count": {"type": "integer"}}), perm="can_view_audit_logs",
      params=("limit", "offset", "user_id", "action", "since", "until"))},
}

doc = {
  "openapi": "3.0.3",
  "info": {"title": "WaDesk REST API", "version": "0.1.0",
           "description": "Runs a team's WhatsApp sessions. Compatible with the WhatsApp Service v2.0 integration guide. "
                          "Every error answer is {\"error\": \"<message>\", \"code\": \"<stable_code>\"}. "
                          "An org_id in a query or body must name the caller's organization (403 org_mismatch)."},
  "servers": [{"url": "http://127.0.0.1:3002"}],
  "security": [{"ApiKey": []}, {"Bearer": []}],
  "paths": paths,
  "components": {
    "securitySchemes": {
      "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
      "Bearer": {"type": "http", "scheme": "bearer", "description": "A JWT from /api/auth/login, or an sk_ API key"}},
    "parameters": {
      "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
      "offset": {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
      "user_id": {"name": "user_id", "in": "query", "schema": string},
      "action": {"name": "action", "in": "query", "schema": string},
      "since": {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
      "until": {"name": "until", "in": "query", "schema": {"type": "string", "format": "date-time"}},
      "keyId": {"name": "keyId", "in": "path", "required": True, "schema": string},
      "userId": {"name": "userId", "in": "path", "required": True, "schema": string},
      "clientId": {"name": "clientId", "in": "path", "required": True, "schema": string},
      "webhookId": {"name": "webhookId", "in": "path", "required": True, "schema": string},
      "proxyId": {"name": "proxyId", "in": "path", "required": True, "schema": string},
      "mediaId": {"name": "mediaId", "in": "path", "required": True, "schema": string},
      "kind": {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["image", "video", "audio", "voice", "document", "sticker"]}},
      "before": {"name": "before", "in": "query", "schema": string, "description": "A media id: only media uploaded before it (keyset paging)"},
      "range": {"name": "Range", "in": "header", "schema": string, "description": "bytes=a-b, bytes=a- or bytes=-n"},
      "ifNoneMatch": {"name": "If-None-Match", "in": "header", "schema": string},
      "deliveryId": {"name": "deliveryId", "in": "path", "required": True, "schema": string},
      "deliveryStatus": {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["pending", "delivering", "retrying", "succeeded", "dead"]}},
      "messageId": {"name": "messageId", "in": "path", "required": True, "schema": string},
      "contactId": {"name": "contactId", "in": "path", "required": True, "schema": string},
      "idempotencyKey": {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200}},
      "contact": {"name": "contact", "in": "query", "schema": string, "description": "Phone number of the contact"},
      "direction": {"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["inbound", "outbound"]}},
      "status": {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["queued", "sending", "sent", "delivered", "read", "failed", "received"]}},
      "search": {"name": "search", "in": "query", "schema": string},
      "tag": {"name": "tag", "in": "query", "schema": string},
      "opted_out": {"name": "opted_out", "in": "query", "schema": {"type": "boolean"}},
      "format": {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["png", "json"], "default": "png"}}},
    "responses": {"Error": {"description": "Error", "content": {"application/json": {"schema": S("Error")}}}},
    "schemas": {
      "Error": obj({"error": string, "code": {"type": "string", "description": "Stable machine-readable code"}, "details": {"type": "object"}}, ["error", "code"]),
      "Webhook": obj({"id": string, "url": string, "events": arr(string), "active": {"type": "boolean"}, "headers": arr(string),
                      "disabled_reason": {"type": "string", "nullable": True}, "consecutive_failures": {"type": "integer"},
                      "total_failures": {"type": "integer"}, "failing_since": {"type": "string", "nullable": True},
                      "last_success_at": {"type": "string", "nullable": True}, "last_failure_at": {"type": "string", "nullable": True},
                      "created_at": {"type": "string", "format": "date-time"}}),
      "Delivery": obj({"id": string, "webhook_id": string, "event_id": string, "event": string,
                       "status": {"type": "string", "enum": ["pending", "delivering", "retrying", "succeeded", "dead"]},
                       "attempts": {"type": "integer"}, "last_status_code": {"type": "integer", "nullable": True},
                       "last_error": {"type": "string", "nullable": True}, "next_attempt_at": {"type": "string", "nullable": True},
                       "response_excerpt": {"type": "string", "nullable": True, "maxLength": 4096},
                       "created_at": {"type": "string", "format": "date-time"}, "delivered_at": {"type": "string", "nullable": True}}),
      "Message": obj({"message": string}, ["message"]),
      "Health": obj({"status": {"type": "string", "enum": ["healthy", "degraded", "unhealthy"]}, "timestamp": {"type": "string", "format": "date-time"},
                     "uptime": {"type": "number"}, "database": {"type": "string", "enum": ["connected", "disconnected"]},
                     "database_problem": {"type": "string", "enum": ["disk_full", "read_only", "io_error"], "description": "Present while the database answers but refuses changes (disk or quota full, file or directory read-only, disk I/O errors); status is then degraded and changes answer 503 database_full, database_read_only or database_io_error"},
                     "database_type": {"type": "string", "enum": ["sqlite", "postgres"]}, "active_clients": {"type": "integer"},
                     "environment": string, "version": string, "wa_js_version": string},
                    ["status", "timestamp", "uptime", "database", "active_clients", "environment", "version"]),
      "User": obj({"id": string, "email": string, "name": string, "role": {"type": "string", "enum": ["admin", "manager", "agent", "viewer"]},
                   "organization_id": string, "active": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"},
                   "last_login_at": {"type": "string", "format": "date-time", "nullable": True},
                   "assigned_clients": arr(string)}),
      "Webhook": obj({"id": string, "url": string, "events": arr(string), "active": {"type": "boolean"}, "headers": arr(string),
                      "disabled_reason": {"type": "string", "nullable": True}, "consecutive_failures": {"type": "integer"},
                      "total_failures": {"type": "integer"}, "failing_since": {"type": "string", "nullable": True},
                      "last_success_at": {"type": "string", "nullable": True}, "last_failure_at": {"type": "string", "nullable": True},
                      "created_at": {"type": "string", "format": "date-time"}}),
      "Delivery": obj({"id": string, "webhook_id": string, "event_id": string, "event": string,
                       "status": {"type": "string", "enum": ["pending", "delivering", "retrying", "succeeded", "dead"]},
                       "attempts": {"type": "integer"}, "last_status_code": {"type": "integer", "nullable": True},
                       "last_error": {"type": "string", "nullable": True}, "next_attempt_at": {"type": "string", "nullable": True},
                       "response_excerpt": {"type": "string", "nullable": True, "maxLength": 4096},
                       "created_at": {"type": "string", "format": "date-time"}, "delivered_at": {"type": "string", "nullable": True}}),
      "Message": obj({"id": string, "client_id": string, "contact_id": {"type": "string", "description": "The contact's phone number (as in the guide)"},
                      "contact": obj({"id": string, "phone_number": string}), "message_text": string,
                      "direction": {"type": "string", "enum": ["inbound", "outbound"]}, "status": string,
                      "failure_reason": {"type": "string", "nullable": True}, "wa_message_id": {"type": "string", "nullable": True},
                      "created_at": {"type": "string", "format": "date-time"}, "sending_at": {"type": "string", "nullable": True},
                      "sent_at": {"type": "string", "nullable": True}, "delivered_at": {"type": "string", "nullable": True},
                      "read_at": {"type": "string", "nullable": True}, "failed_at": {"type": "string", "nullable": True}}),
      "Tier": obj({"used": {"type": "integer"}, "limit": {"type": "integer"}, "remaining": {"type": "integer"}}),
      "RateLimits": obj({"allowed": {"type": "boolean"}, "perMinute": S("Tier"), "perHour": S("Tier"), "perDay": S("Tier"),
                         "queue_depth": {"type": "integer"}, "paused": {"type": "boolean"},
                         "next_send_at": {"type": "string", "format": "date-time"},
                         "estimated_last_departure": {"type": "string", "format": "date-time", "nullable": True}}),
      "Contact": obj({"id": string, "phone_number": string, "wa_id": {"type": "string", "nullable": True}, "name": {"type": "string", "nullable": True},
                      "tags": arr(string), "opted_out": {"type": "boolean"}, "opted_out_at": {"type": "string", "nullable": True},
                      "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}),
      "SessionStatus": {"type": "string", "enum": ["initializing", "qr", "authenticating", "ready", "disconnected", "logged_out", "paused", "failed", "stopped"]},
      "ClientStatus": obj({"id": string, "name": string, "status": S("SessionStatus"), "phoneNumber": {"type": "string", "nullable": True},
                           "deviceInfo": {"type": "object"}, "state_since": {"type": "string", "format": "date-time", "nullable": True},
                           "qr_available": {"type": "boolean"}, "wa_js_version": {"type": "string", "nullable": True},
                           "last_error": {"type": "string", "nullable": True}}),
      "Client": obj({"id": string, "name": string, "phone_number": {"type": "string", "nullable": True}, "status": string,
                     "organization_id": string, "created_at": {"type": "string", "format": "date-time"},
                     "proxy_id": {"type": "string", "nullable": True}, "proxy_failover": {"type": "boolean"}}),
      "Proxy": obj({"id": string, "type": {"type": "string", "enum": ["http", "socks5"]}, "host": string, "port": {"type": "integer"},
                    "username": {"type": "string", "nullable": True}, "has_password": {"type": "boolean"}, "label": string,
                    "country": {"type": "string", "nullable": True}, "max_clients": {"type": "integer"}, "clients": {"type": "integer"},
                    "healthy": {"type": "boolean", "nullable": True, "description": "null until the first check after it was added or its endpoint changed"},
                    "latency_ms": {"type": "integer", "nullable": True}, "exit_address": {"type": "string", "nullable": True},
                    "last_checked_at": {"type": "string", "format": "date-time", "nullable": True},
                    "last_error": {"type": "string", "nullable": True}, "last_error_at": {"type": "string", "format": "date-time", "nullable": True},
                    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}),
      "Media": obj({"id": string, "filename": string, "size": {"type": "integer"}, "mimetype": string,
                    "kind": {"type": "string", "enum": ["image", "video", "audio", "voice", "document", "sticker"]},
                    "sha256": {"type": "string", "description": "Lower-case hex; also the download's ETag"},
                    "created_at": {"type": "string", "format": "date-time"}}),
      "StorageUsage": obj({"used": {"type": "integer"}, "limit": {"type": "integer"},
                           "percentUsed": {"type": "number", "description": "One decimal"},
                           "message": {"type": "string", "description": "Storage is at 19.5% capacity"}}),
      "ApiKey": obj({"id": string, "name": string, "user_id": string, "prefix": string, "last_four": string,
                     "created_at": {"type": "string", "format": "date-time"}, "last_used_at": {"type": "string", "nullable": True},
                     "expires_at": {"type": "string", "nullable": True}, "revoked_at": {"type": "string", "nullable": True},
                     "active": {"type": "boolean"}}),
      "AuditEntry": obj({"id": string, "user_id": {"type": "string", "nullable": True}, "action": string, "resource": string,
                         "resource_id": {"type": "string", "nullable": True}, "details": {"type": "object"},
                         "ip_address": {"type": "string", "nullable": True}, "timestamp": {"type": "string", "format": "date-time"},
                         "seq": {"type": "integer"}})}}}

out = os.path.join(os.path.dirname(__file__), "..", "resources", "openapi.json")
with open(out, "w") as f:
    json.dump(doc, f, indent=1, sort_keys=False)
    f.write("\n")

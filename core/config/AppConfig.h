#pragma once

#include "core/api/ApiSettings.h"
#include "core/cluster/ClusterSettings.h"
#include "core/proxies/ProxySettings.h"
#include "core/retention/RetentionSettings.h"
#include "core/services/ServiceSettings.h"
#include "core/sessions/EngineSettings.h"

#include <QString>

namespace wadesk {

// Everything WaDesk is told at start. Filled by ConfigLoader from, in order of precedence,
// the command line, WADESK_* environment variables, the settings file, and the defaults of each
// domain's settings struct, which the loader fills directly and the application hands on as they
// are: a setting is declared once, in its domain, and read there.
struct AppConfig {
    bool headless = false;
    QString dataDir;            // resolved to an absolute path by the loader
    QString database;           // SQLite path or postgres:// URL; empty = <dataDir>/wadesk.db
    QString logLevel = QStringLiteral("info");
    bool logJson = false;
    QString secretsBackend = QStringLiteral("auto"); // auto | keychain | env | file
    QString settingsFile;       // the file that was read (may not exist)

    ApiSettings api;            // api/..., http/..., health/..., environment
    ServiceSettings services;   // auth/..., messaging/..., webhooks/...
    EngineSettings engine;      // whatsapp/... (engine.dataDir is dataDir)
    RetentionSettings retention; // retention/...
    ProxySettings proxies;      // proxies/...
    ClusterSettings cluster;    // cluster/... (several instances on one PostgreSQL)
};

} // namespace wadesk

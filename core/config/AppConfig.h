#pragma once

#include <QString>

namespace wadesk {

// Everything WaDesk is told at start. Filled by ConfigLoader from, in order of precedence,
// the command line, WADESK_* environment variables, the settings file, and the defaults here.
struct AppConfig {
    bool headless = false;
    QString dataDir;            // resolved to an absolute path by the loader
    QString database;           // SQLite path or postgres:// URL; empty = <dataDir>/wadesk.db
    QString bindAddress = QStringLiteral("127.0.0.1");
    int port = 3002;
    bool allowRemote = false;   // binding beyond loopback must be asked for explicitly
    QString logLevel = QStringLiteral("info");
    bool logJson = false;

    // HTTP server limits (see core/http/ServerLimits.h for what each protects against).
    qint64 maxBodyBytes = 16 * 1024 * 1024;
    int maxHeaderBytes = 16 * 1024;
    int maxConnections = 256;
    int idleTimeoutMs = 15000;
    int headerTimeoutMs = 10000;
    int shutdownGraceMs = 5000;
    int healthCacheMs = 1000;

    QString environment = QStringLiteral("production"); // reported by /health
    QString passwordHashCost = QStringLiteral("interactive"); // interactive | moderate | min (tests only)
    int jwtLifetimeSeconds = 24 * 3600;
    int authCacheMs = 5000;

    // WhatsApp Web (the engine's test seam: point at a page that provides window.WPP itself).
    QString whatsappUrl = QStringLiteral("https://web.whatsapp.com/");
    bool injectWaJs = true;
    int heartbeatIntervalMs = 5000;
    int heartbeatTimeoutMs = 45000;

    // Messaging: rate tiers per client (defaults), human pacing, number check.
    int ratePerMinute = 20;
    int ratePerHour = 100;
    int ratePerDay = 1000;
    bool pacing = true;              // off: no typing time, no pauses (tests, benchmarks)
    bool checkNumberExists = true;

    // Webhooks.
    bool webhooksAllowPrivate = false; // targets in loopback/private ranges (tests, LAN-only setups)
    QString operatorOrganization;      // the installation's operator: may broadcast system events
    int webhookTimeoutMs = 15000;
    int webhookMaxAttempts = 10;

    // Retention (see core/retention/RetentionSettings.h): days to keep, 0 = forever.
    int retentionEventsDays = 30;
    int retentionDeliveriesDays = 30;
    int retentionDeadLettersDays = 90;
    int retentionMessagesDays = 0;
    int retentionIntervalMinutes = 60;

    QString secretsBackend = QStringLiteral("auto"); // auto | keychain | env | file
    QString settingsFile;       // the file that was read (may not exist)
};

} // namespace wadesk

#pragma once

#include "core/api/HealthController.h"
#include "core/http/ServerLimits.h"
#include "core/auth/PasswordHasher.h"
#include "core/common/DomainError.h"
#include "core/messaging/MessagingSettings.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QMutex>
#include <QPair>
#include <memory>

namespace wadesk {

class AesGcm;
class ApiThread;
class Database;
class EventBus;
class SessionControl;

// The REST API as one unit: the API thread, its HTTP server, and the services and controllers
// that live on that thread. Used by the application and, unchanged, by the API tests.
class ApiService {
public:
    struct Options {
        ServerLimits limits;
        QHostAddress address = QHostAddress(QHostAddress::LocalHost);
        quint16 port = 0;
        HealthController::Info health;
        int healthCacheMs = 1000;
        qint64 jwtLifetimeSeconds = 24 * 3600;
        PasswordHasher::Cost passwordCost = PasswordHasher::Cost::Interactive;
        int authCacheMs = 5000;
        SessionControl *sessions = nullptr; // the engine; null when sessions do not run here
        MessagingSettings messaging;
        const AesGcm *cipher = nullptr;  // seals webhook secrets; webhook routes need it
        EventBus *events = nullptr;
        bool allowPrivateWebhookTargets = false;
        QString operatorOrganization;    // may broadcast system events to every organization
    };

    ApiService(Database &database, QByteArray jwtKey, Options options);
    ~ApiService();

    Result<quint16> start();
    void stop(int graceMs);
    quint16 port() const;
    // Method and pattern of every route the server answers ("GET", "/api/clients/:clientId").
    QList<QPair<QByteArray, QString>> routeTable() const;

private:
    struct OnApiThread;
    Database &m_database;
    QByteArray m_jwtKey;
    Options m_options;
    std::shared_ptr<OnApiThread> m_parts;
    std::unique_ptr<ApiThread> m_thread;
};

} // namespace wadesk

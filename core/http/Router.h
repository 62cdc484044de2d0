#pragma once

#include "core/http/ApiRequest.h"
#include "core/http/HttpResponse.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <functional>
#include <memory>
#include <vector>

namespace wadesk {

class Reply;

// Method + path-pattern routing ("/api/clients/:clientId/status"). A path that exists for
// other methods answers 405 with Allow; an unknown path answers 404.
class Router {
public:
    using Handler = std::function<HttpResponse(ApiRequest &)>;
    using DeferredHandler = std::function<void(ApiRequest &, Reply)>;

    struct Route {
        QByteArray method;
        QString pattern;
        QStringList segments;
        Handler handler;
        DeferredHandler deferred;
    };
    struct Match {
        const Route *route = nullptr;
        QHash<QString, QString> params;
        QList<QByteArray> allowedMethods; // filled when the path matched only other methods
    };

    void add(QByteArray method, const QString &pattern, Handler handler);
    void addDeferred(QByteArray method, const QString &pattern, DeferredHandler handler);
    Match match(const QByteArray &method, const QString &path) const;
    const std::vector<std::unique_ptr<Route>> &routes() const { return m_routes; }

private:
    static QStringList split(const QString &path);
    std::vector<std::unique_ptr<Route>> m_routes;
};

} // namespace wadesk

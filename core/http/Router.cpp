#include "core/http/Router.h"

namespace wadesk {

namespace {
// Every path parameter is an id or a name of a few dozen characters. A control character (a NUL
// above all: QPSQL inlines bound values and a NUL cuts its statement) or a kilobyte-long segment
// cannot name anything, so such a path matches no route and answers 404 before any handler or
// SQL sees it.
constexpr int kMaxParameterLength = 256;

bool plausibleParameter(const QString &segment)
{
    if (segment.size() > kMaxParameterLength)
        return false;
    for (const QChar c : segment) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return false;
    }
    return true;
}
} // namespace

QStringList Router::split(const QString &path)
{
    return path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
}

void Router::add(QByteArray method, const QString &pattern, Handler handler)
{
    auto route = std::make_unique<Route>();
    route->method = std::move(method);
    route->pattern = pattern;
    route->segments = split(pattern);
    route->handler = std::move(handler);
    m_routes.push_back(std::move(route));
}

void Router::addDeferred(QByteArray method, const QString &pattern, DeferredHandler handler)
{
    auto route = std::make_unique<Route>();
    route->method = std::move(method);
    route->pattern = pattern;
    route->segments = split(pattern);
    route->deferred = std::move(handler);
    m_routes.push_back(std::move(route));
}

Router::Match Router::match(const QByteArray &method, const QString &path) const
{
    Match result;
    const QStringList parts = split(path);
    for (const auto &route : m_routes) {
        if (route->segments.size() != parts.size())
            continue;
        QHash<QString, QString> params;
        bool matched = true;
        for (int i = 0; i < parts.size() && matched; ++i) {
            const QString &segment = route->segments.at(i);
            if (segment.startsWith(QLatin1Char(':'))) {
                matched = plausibleParameter(parts.at(i));
                params.insert(segment.mid(1), parts.at(i));
            } else
                matched = segment == parts.at(i);
        }
        if (!matched)
            continue;
        if (route->method == method) {
            result.route = route.get();
            result.params = std::move(params);
            result.allowedMethods.clear();
            return result;
        }
        if (!result.allowedMethods.contains(route->method))
            result.allowedMethods << route->method;
    }
    return result;
}

} // namespace wadesk

#include "core/common/RequestContext.h"

#include "core/common/Ids.h"

#include <utility>

namespace wadesk::RequestContext {

namespace {
thread_local std::string t_requestId;

bool plausible(const QByteArray &id)
{
    if (id.isEmpty() || id.size() > 128)
        return false;
    for (const char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
            || c == '.' || c == ':' || c == '/' || c == '+' || c == '=';
        if (!ok)
            return false;
    }
    return true;
}
} // namespace

const std::string &currentRequestId()
{
    return t_requestId;
}

QByteArray acceptOrMakeRequestId(const QByteArray &fromClient)
{
    const QByteArray trimmed = fromClient.trimmed();
    if (plausible(trimmed))
        return trimmed;
    return Ids::make("req").toLatin1();
}

RequestScope::RequestScope(const QByteArray &requestId)
    : m_previous(std::exchange(t_requestId, requestId.toStdString()))
{
}

RequestScope::~RequestScope()
{
    t_requestId = std::move(m_previous);
}

} // namespace wadesk::RequestContext

#include "core/engine/EngineInfo.h"

#include <QtWebEngineCore/qtwebenginecoreglobal.h>
#include <QtWebEngineCore/qtwebenginecoreversion.h>

namespace wadesk::EngineInfo {

QString chromiumVersion()
{
    return QString::fromLatin1(qWebEngineChromiumVersion());
}

QString qtWebEngineVersion()
{
    return QStringLiteral(QTWEBENGINECORE_VERSION_STR);
}

} // namespace wadesk::EngineInfo

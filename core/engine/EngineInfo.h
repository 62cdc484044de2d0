#pragma once

#include <QString>

namespace wadesk {

// Versions of the embedded browser, for About boxes and diagnostics.
namespace EngineInfo {
QString chromiumVersion();
QString qtWebEngineVersion();
} // namespace EngineInfo

} // namespace wadesk

#pragma once

#include "core/common/DomainError.h"

#include <QString>

namespace wadesk {

struct LogOptions {
    QString level = QStringLiteral("info"); // error | warn | info | debug | trace
    bool json = false;                      // one JSON object per line instead of plain text
    QString directory;                      // rotating file wadesk.log here; empty: console only
    bool console = true;
    int maxFileBytes = 10 * 1024 * 1024;
    int maxFiles = 5;
};

// Sets spdlog's default logger (console on stderr and a rotating file) and routes Qt's own
// messages (qDebug, qWarning, categories) into it. Safe to call again to reconfigure.
namespace Logging {
Status setup(const LogOptions &options);
void shutdown();
// Escapes text for inclusion in a JSON string (used by the JSON line formatter).
std::string jsonEscape(std::string_view text);
} // namespace Logging

} // namespace wadesk

#pragma once

#include <QString>

namespace wadesk {

// The wa-js bundle injected into every page: <dataDir>/wa-js/wppconnect-wa.js when present (a
// newer bundle dropped in by the operator), else the one embedded at build time.
struct WaJsBundle {
    QString source;  // empty when neither could be read
    QString version; // read from the bundle's `.version="…"`; empty when it has none
    QString origin;  // "embedded" or "override from <path>", for the log

    bool isEmpty() const { return source.isEmpty(); }
    static WaJsBundle load(const QString &dataDir);
};

} // namespace wadesk

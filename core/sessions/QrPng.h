#pragma once

#include <QByteArray>
#include <QString>

namespace wadesk {

// Renders QR text as a PNG (libqrencode for the code, a small PNG writer of our own so the core
// needs no QtGui): black modules on white, `scale` pixels per module, a 4-module quiet zone.
namespace QrPng {
QByteArray render(const QString &text, int scale = 8);
}

} // namespace wadesk

#pragma once

#include <QProcessEnvironment>
#include <QString>

namespace wadesk::test {

// The `wadesk` binary under test: $WADESK_BINARY (CTest sets it), else ../app/wadesk next to
// the test executable.
QString wadeskBinary();

// A TCP port on loopback that nothing listens on at the moment of the call (0 if none).
quint16 freeLoopbackPort();

// The environment for a run of the binary that touches nothing of the user's: the system
// environment without WaDesk's and QtWebEngine's own variables, the display and the session bus;
// HOME and the XDG directories inside `home` (its runtime directory created, owner only); and the
// file secret store. Callers add their WADESK_* settings on top.
QProcessEnvironment isolatedEnvironment(const QString &home);

} // namespace wadesk::test

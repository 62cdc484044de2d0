#pragma once

#include <QString>
#include <QtGlobal>

namespace wadesk {

// A byte count as people read it, in the user's locale: "512 bytes", "1.2 MB", "5 GB" (units of
// 1024, as WhatsApp and the storage quota count them; a whole number loses its ".0").
QString dataSizeText(qint64 bytes);

} // namespace wadesk

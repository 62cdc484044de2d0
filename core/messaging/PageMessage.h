#pragma once

#include <QString>

namespace wadesk {

// One message of a chat as the page holds it (wa-js `chat.getMessages`, through the bridge's
// `recentMessages`): what a send's row is matched against when its outcome was never recorded.
struct PageMessage {
    QString waId;   // the serialized MsgKey
    bool fromMe = false;
    QString type;   // wa-js's: chat, image, document, ...
    QString text;   // the body of a text, the caption of a file; empty without one
    qint64 t = 0;   // unix seconds
    int ack = 0;    // -1 failed ... 0 pending, 1 sent, 2 delivered, 3 read, 4 played
};

} // namespace wadesk

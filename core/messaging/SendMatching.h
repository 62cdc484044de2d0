#pragma once

#include "core/messaging/MessageRepository.h"
#include "core/messaging/PageMessage.h"

#include <QHash>
#include <QList>
#include <QSet>

namespace wadesk {

// What a send put in the chat: the text of a text message, the caption of a file.
QString sentText(const MessageRecord &message);

// Matches one chat's messages left `sending` to the page's own messages of that chat: same text,
// sent (`t`) no earlier than the row's `sending_at` minus `skewMs` (the page's clock and ours
// may differ a little), oldest row to the oldest fitting page message, each page message used
// once (two identical texts are two messages). Page messages in `taken` (ids another row holds
// already) are never used. Returns message id → the page message it is.
QHash<QString, PageMessage> matchStuckSends(QList<MessageRecord> stuck, QList<PageMessage> page, const QSet<QString> &taken,
                                            qint64 skewMs);

} // namespace wadesk

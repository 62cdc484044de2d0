#include "core/messaging/SendMatching.h"

#include <algorithm>

namespace wadesk {

QString sentText(const MessageRecord &message)
{
    if (message.mediaId.isEmpty())
        return message.body;
    return message.caption.isEmpty() ? message.body : message.caption;
}

QHash<QString, PageMessage> matchStuckSends(QList<MessageRecord> stuck, QList<PageMessage> page, const QSet<QString> &taken,
                                            qint64 skewMs)
{
    std::stable_sort(stuck.begin(), stuck.end(), [](const MessageRecord &a, const MessageRecord &b) { return a.sendingAt < b.sendingAt; });
    std::stable_sort(page.begin(), page.end(), [](const PageMessage &a, const PageMessage &b) { return a.t < b.t; });
    QList<bool> used(page.size(), false);
    QHash<QString, PageMessage> out;
    for (const MessageRecord &m : stuck) {
        const QString text = sentText(m);
        const qint64 earliestMs = m.sendingAt - skewMs;
        for (int i = 0; i < page.size(); ++i) {
            const PageMessage &p = page.at(i);
            if (used.at(i) || !p.fromMe || taken.contains(p.waId) || p.t * 1000 < earliestMs || p.text != text)
                continue;
            used[i] = true;
            out.insert(m.id, p);
            break;
        }
    }
    return out;
}

} // namespace wadesk

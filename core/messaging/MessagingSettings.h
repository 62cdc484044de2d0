#pragma once

#include "core/safety/Pacing.h"
#include "core/safety/RateLimiter.h"

#include <QStringList>

namespace wadesk {

struct MessagingSettings {
    RateTiers defaultTiers;              // per client unless the client sets its own
    PacingSettings pacing;
    bool checkNumberExists = true;       // ask WhatsApp before the first message to a new contact
    // An inbound message that is exactly one of these (case and surrounding spaces ignored)
    // opts the contact out, or back in.
    QStringList optOutKeywords = {QStringLiteral("STOP"), QStringLiteral("UNSUBSCRIBE"), QStringLiteral("STOPALL"),
                                  QStringLiteral("CANCEL"), QStringLiteral("PARAR"), QStringLiteral("BAJA"),
                                  QStringLiteral("ARRET"), QStringLiteral("ARRÊT"), QStringLiteral("रोकें")};
    QStringList optInKeywords = {QStringLiteral("START"), QStringLiteral("UNSTOP"), QStringLiteral("ALTA")};
    int healthWindow = 20;               // the last N sends of a client
    int healthMaxFailures = 5;           // this many failures among them pauses the client
    int maxTextLength = 4096;            // WhatsApp's limit, in characters
    // A received file larger than this is not fetched from the page (the message is kept, its
    // media marked failed). WhatsApp's own limit for documents; the setting media/maxBytes.
    qint64 mediaMaxBytes = 100LL * 1024 * 1024;
};

} // namespace wadesk

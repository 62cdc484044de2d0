#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/messaging/InboundProcessor.h"
#include "core/safety/RateLimiter.h"

#include <QString>
#include <optional>

namespace wadesk {

// Auto-replies (issue 13; docs/auto-replies.md): evaluated once per inbound message, by
// InboundProcessor right after the write that stores its readable content (so a message
// delivered twice, or first as `ciphertext`, is answered once), in a transaction of its own. The first
// enabled rule that matches answers; its reply is queued on the client's durable queue at
// interactive priority, marked with the rule (messages.auto_reply_rule_id, skipped by the
// response pairing) and audited, unless the rule answered that contact within its cooldown
// (the loop guard, a row in the same transaction). Never to opted-out contacts, groups, status
// broadcasts or the account's own messages, and not once the client's day's budget (its own
// per-day tier, else `defaultTiers`) is spoken for: a reply queued behind a spent budget would
// arrive hours late, which is worse than none.
class AutoReplyEngine final : public InboundResponder {
public:
    AutoReplyEngine(int maxTextLength, const RateTiers &defaultTiers, const Clock &clock = Clock::system())
        : m_maxTextLength(maxTextLength)
        , m_defaultTiers(defaultTiers)
        , m_clock(clock)
    {
    }

    Result<bool> mayAnswer(Database &database, const InboundForReply &message, const ContactRecord &contact) override;
    // The id of the queued reply, or none.
    Result<std::optional<QString>> answer(AuditedWrite &write, const InboundForReply &message, const ContactRecord &contact) override;

private:
    int m_maxTextLength;
    RateTiers m_defaultTiers;
    const Clock &m_clock;
};

} // namespace wadesk

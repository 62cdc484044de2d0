#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/messaging/InboundProcessor.h"

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
// broadcasts or the account's own messages.
class AutoReplyEngine final : public InboundResponder {
public:
    explicit AutoReplyEngine(int maxTextLength, const Clock &clock = Clock::system())
        : m_maxTextLength(maxTextLength)
        , m_clock(clock)
    {
    }

    Result<bool> mayAnswer(Database &database, const InboundForReply &message, const ContactRecord &contact) override;
    // The id of the queued reply, or none.
    Result<std::optional<QString>> answer(AuditedWrite &write, const InboundForReply &message, const ContactRecord &contact) override;

private:
    int m_maxTextLength;
    const Clock &m_clock;
};

} // namespace wadesk

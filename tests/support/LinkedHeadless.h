#pragma once

#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/WadeskInstance.h"

#include <QJsonArray>
#include <QJsonValue>
#include <QProcessEnvironment>
#include <QString>
#include <memory>

namespace wadesk::test {

// What the end-to-end tests of the real binary on PostgreSQL share: a `wadesk --headless`
// whose clients open the fake WhatsApp page served by `fake`, remote-controlled per instance
// (session = the instance id, so each instance's page is driven and counted apart), with fast
// page timings and no pacing or rate limits in the way of a test's sends.
class LinkedHeadless {
public:
    LinkedHeadless(FakeWhatsAppServer &fake, int waitMs)
        : m_fake(fake)
        , m_waitMs(waitMs)
    {
    }

    // The page for `session`: QR at once, quick sync and acks, polls every 50 ms, and every
    // message WhatsApp takes posted back (FakeWhatsAppServer::received).
    QString pageUrl(const QString &session) const;
    // The environment for instance `instanceId` on database `db`; `extra` is added last.
    QProcessEnvironment environment(const QString &db, const QString &instanceId, const QProcessEnvironment &extra = {}) const;
    // Starts one on `home` and waits for its /health; nullptr (its output logged) when it did not come up.
    std::unique_ptr<WadeskInstance> launch(const QString &home, const QProcessEnvironment &environment) const;

    // Runs `cmd` on the page of `session` and returns its result (undefined when it never ran).
    QJsonValue command(const QString &session, const QString &cmd, const QJsonArray &args = {}) const;
    // Waits for the page's QR code and scans it with `phone`.
    bool link(const QString &session, const QString &phone) const;
    // How many times the page of `session` reported WhatsApp took `body`.
    int receivedOn(const QString &session, const QString &body) const;

private:
    FakeWhatsAppServer &m_fake;
    int m_waitMs;
};

} // namespace wadesk::test

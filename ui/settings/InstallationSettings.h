#pragma once

#include "core/common/DomainError.h"

#include <QString>
#include <QStringList>

namespace wadesk {

struct ServiceSettings;

// The settings of this installation that live in its settings file (wadesk.ini) rather than in
// the database: the default rate tiers and pacing of every client, the opt-out and opt-in
// keywords, how long data is kept, the API's address and port, and the language. WaDesk reads
// them at start, so a change applies at the next start; environment variables and command-line
// options still take precedence over the file (ConfigLoader).
struct InstallationSettings {
    int perMinute = 20;
    int perHour = 100;
    int perDay = 1000;
    bool pacing = true;
    QStringList optOutKeywords;
    QStringList optInKeywords;
    int eventsDays = 30;
    int deliveriesDays = 30;
    int deadLettersDays = 90;
    int messagesDays = 0;
    int mediaDays = 0;
    QString apiBind = QStringLiteral("127.0.0.1");
    int apiPort = 3002;
    bool apiAllowRemote = false;
    QString language; // empty: the system's; "en", "de" or "es"

    static constexpr int kMaxKeywords = 50;
    static constexpr int kMaxKeywordLength = 50;
    static const QStringList &languages(); // "", "en", "de", "es"

    // What the file says, over what this run uses (`running`: the services' settings as loaded)
    // and the defaults of each domain for the rest.
    static InstallationSettings load(const QString &settingsFile, const ServiceSettings &running);
    // The rules ConfigLoader applies at start, so that nothing saved here stops the next start:
    // 400 validation with the field's key in details.field.
    Status validate() const;
    // Validates, then writes every key; the file keeps its other keys and stays 0600.
    Status save(const QString &settingsFile) const;
};

} // namespace wadesk

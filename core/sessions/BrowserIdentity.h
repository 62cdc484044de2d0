#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace wadesk {

// The browser a session presents to WhatsApp Web. Generated once per client from realistic,
// mutually consistent values, stored with the client, and never rotated: a changing identity is
// itself a ban signal (docs/DESIGN.md §7). The user agent carries the engine's real Chrome version and no
// "QtWebEngine/" token; HTTP and script see the same values.
struct BrowserIdentity {
    QString userAgent;
    QString platform;          // navigator.platform: "Win32", "MacIntel", "Linux x86_64"
    QString uaPlatform;        // userAgentData.platform: "Windows", "macOS", "Linux"
    QStringList languages;     // ["en-US", "en"]
    int screenWidth = 1920;
    int screenHeight = 1080;
    int colorDepth = 24;
    int hardwareConcurrency = 8;
    int deviceMemory = 8;
    int timezoneOffsetMinutes = 0; // as Date.getTimezoneOffset() reports; the machine's own
    // Not stored: set for a start when the client reaches WhatsApp through a proxy of a known
    // country (localizedTo), so the page's clock and languages match the address it comes from.
    QString timeZone; // IANA name; empty: the machine's
    QString chromeMajor;

    // `chromiumVersion` is the engine's ("102.0.5005.177"); `localeName` like "en_US";
    // `seed` makes the choice reproducible in tests (0: random).
    static BrowserIdentity generate(const QString &chromiumVersion, const QString &localeName, quint32 seed = 0);
    static BrowserIdentity fromJson(const QJsonObject &json);
    QJsonObject toJson() const;
    bool isValid() const { return !userAgent.isEmpty(); }

    QString acceptLanguage() const; // "en-US,en;q=0.9"
    // The same browser as seen from `countryCode` (ISO 3166 alpha-2): that country's main language
    // first, its main time zone. Unchanged when the country is unknown.
    BrowserIdentity localizedTo(const QString &countryCode) const;
    // JavaScript for DocumentCreation in the main world: makes navigator/screen report the above.
    QString injectionScript() const;
};

} // namespace wadesk

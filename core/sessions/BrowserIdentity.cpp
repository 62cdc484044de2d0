#include "core/sessions/BrowserIdentity.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRandomGenerator>
#include <QTimeZone>

namespace wadesk {

namespace {
struct Os {
    const char *uaToken;
    const char *platform;
    const char *uaPlatform;
};
const Os kSystems[] = {
    {"Windows NT 10.0; Win64; x64", "Win32", "Windows"},
    {"Macintosh; Intel Mac OS X 10_15_7", "MacIntel", "macOS"},
    {"X11; Linux x86_64", "Linux x86_64", "Linux"},
};
const QPair<int, int> kScreens[] = {{1920, 1080}, {1366, 768}, {1536, 864}, {1440, 900}, {2560, 1440}, {1680, 1050}};
const int kCores[] = {4, 8, 8, 12, 16};
const int kMemory[] = {4, 8, 8};
} // namespace

BrowserIdentity BrowserIdentity::generate(const QString &chromiumVersion, const QString &localeName, quint32 seed)
{
    QRandomGenerator rng = seed ? QRandomGenerator(seed) : QRandomGenerator::securelySeeded();
    BrowserIdentity id;
    // Windows is the most common desktop for WhatsApp Web; weight it accordingly.
    const int osRoll = rng.bounded(10);
    const Os &os = kSystems[osRoll < 6 ? 0 : osRoll < 8 ? 1 : 2];
    id.chromeMajor = chromiumVersion.section(QLatin1Char('.'), 0, 0);
    if (id.chromeMajor.isEmpty())
        id.chromeMajor = QStringLiteral("102");
    // Chrome reduces the minor parts of its UA string to zeros; so do we.
    id.userAgent = QStringLiteral("Mozilla/5.0 (%1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%2.0.0.0 Safari/537.36")
                       .arg(QLatin1String(os.uaToken), id.chromeMajor);
    id.platform = QLatin1String(os.platform);
    id.uaPlatform = QLatin1String(os.uaPlatform);
    QString bcp47 = localeName;
    bcp47.replace(QLatin1Char('_'), QLatin1Char('-'));
    if (bcp47.isEmpty() || bcp47 == QLatin1String("C"))
        bcp47 = QStringLiteral("en-US");
    id.languages = {bcp47};
    const QString base = bcp47.section(QLatin1Char('-'), 0, 0);
    if (base != bcp47)
        id.languages << base;
    if (base != QLatin1String("en"))
        id.languages << QStringLiteral("en");
    const auto screen = kScreens[rng.bounded(int(std::size(kScreens)))];
    id.screenWidth = screen.first;
    id.screenHeight = screen.second;
    id.hardwareConcurrency = kCores[rng.bounded(int(std::size(kCores)))];
    id.deviceMemory = kMemory[rng.bounded(int(std::size(kMemory)))];
    // The machine's time zone (what the page would see), not a business time: no Clock here.
    id.timezoneOffsetMinutes = -QDateTime::currentDateTime().offsetFromUtc() / 60;
    return id;
}

QJsonObject BrowserIdentity::toJson() const
{
    return QJsonObject{{QStringLiteral("userAgent"), userAgent},
                       {QStringLiteral("platform"), platform},
                       {QStringLiteral("uaPlatform"), uaPlatform},
                       {QStringLiteral("languages"), QJsonArray::fromStringList(languages)},
                       {QStringLiteral("screenWidth"), screenWidth},
                       {QStringLiteral("screenHeight"), screenHeight},
                       {QStringLiteral("colorDepth"), colorDepth},
                       {QStringLiteral("hardwareConcurrency"), hardwareConcurrency},
                       {QStringLiteral("deviceMemory"), deviceMemory},
                       {QStringLiteral("timezoneOffsetMinutes"), timezoneOffsetMinutes},
                       {QStringLiteral("timeZone"), timeZone},
                       {QStringLiteral("chromeMajor"), chromeMajor}};
}

BrowserIdentity BrowserIdentity::fromJson(const QJsonObject &j)
{
    BrowserIdentity id;
    id.userAgent = j.value(QStringLiteral("userAgent")).toString();
    id.platform = j.value(QStringLiteral("platform")).toString();
    id.uaPlatform = j.value(QStringLiteral("uaPlatform")).toString();
    for (const QJsonValue &v : j.value(QStringLiteral("languages")).toArray())
        id.languages << v.toString();
    id.screenWidth = j.value(QStringLiteral("screenWidth")).toInt(1920);
    id.screenHeight = j.value(QStringLiteral("screenHeight")).toInt(1080);
    id.colorDepth = j.value(QStringLiteral("colorDepth")).toInt(24);
    id.hardwareConcurrency = j.value(QStringLiteral("hardwareConcurrency")).toInt(8);
    id.deviceMemory = j.value(QStringLiteral("deviceMemory")).toInt(8);
    id.timezoneOffsetMinutes = j.value(QStringLiteral("timezoneOffsetMinutes")).toInt(0);
    id.chromeMajor = j.value(QStringLiteral("chromeMajor")).toString();
    return id;
}

namespace {

// Countries spanning several time zones: the one most of their people live in. The others take
// the first zone Qt lists for them.
QByteArray mainTimeZoneOf(const QString &countryCode, QLocale::Territory territory)
{
    static const QHash<QString, QByteArray> kMain = {
        {QStringLiteral("AR"), "America/Argentina/Buenos_Aires"}, {QStringLiteral("AU"), "Australia/Sydney"},
        {QStringLiteral("BR"), "America/Sao_Paulo"}, {QStringLiteral("CA"), "America/Toronto"},
        {QStringLiteral("CD"), "Africa/Kinshasa"}, {QStringLiteral("CL"), "America/Santiago"},
        {QStringLiteral("CN"), "Asia/Shanghai"}, {QStringLiteral("DE"), "Europe/Berlin"},
        {QStringLiteral("EC"), "America/Guayaquil"}, {QStringLiteral("ES"), "Europe/Madrid"},
        {QStringLiteral("GB"), "Europe/London"}, {QStringLiteral("ID"), "Asia/Jakarta"},
        {QStringLiteral("IN"), "Asia/Kolkata"}, {QStringLiteral("KZ"), "Asia/Almaty"},
        {QStringLiteral("MX"), "America/Mexico_City"}, {QStringLiteral("MY"), "Asia/Kuala_Lumpur"},
        {QStringLiteral("NZ"), "Pacific/Auckland"}, {QStringLiteral("PT"), "Europe/Lisbon"},
        {QStringLiteral("RU"), "Europe/Moscow"}, {QStringLiteral("UA"), "Europe/Kyiv"},
        {QStringLiteral("US"), "America/New_York"},
    };
    QByteArray zone = kMain.value(countryCode);
    if (!zone.isEmpty() && QTimeZone::isTimeZoneIdAvailable(zone))
        return zone;
    if (countryCode == QLatin1String("UA") && QTimeZone::isTimeZoneIdAvailable("Europe/Kiev"))
        return "Europe/Kiev"; // older time zone databases
    const QList<QByteArray> zones = QTimeZone::availableTimeZoneIds(territory);
    return zones.isEmpty() ? QByteArray() : zones.first();
}

// The language a browser bought in the country most likely speaks (Qt's likely-subtags data
// answers minority languages for some territories, Cherokee for the US). Countries not listed
// keep the identity's own languages.
QString mainLanguageOf(const QString &countryCode)
{
    static const QHash<QString, QString> kMain = [] {
        QHash<QString, QString> m;
        const char *const pairs[][2] = {
            {"AE", "ar"}, {"AR", "es"}, {"AT", "de"}, {"AU", "en"}, {"BD", "bn"}, {"BE", "nl"}, {"BO", "es"}, {"BR", "pt"},
            {"CA", "en"}, {"CH", "de"}, {"CL", "es"}, {"CN", "zh"}, {"CO", "es"}, {"CR", "es"}, {"CZ", "cs"}, {"DE", "de"},
            {"DK", "da"}, {"DO", "es"}, {"DZ", "ar"}, {"EC", "es"}, {"EG", "ar"}, {"ES", "es"}, {"FI", "fi"}, {"FR", "fr"},
            {"GB", "en"}, {"GH", "en"}, {"GR", "el"}, {"GT", "es"}, {"HK", "zh"}, {"HN", "es"}, {"HU", "hu"}, {"ID", "id"},
            {"IE", "en"}, {"IL", "he"}, {"IN", "en"}, {"IQ", "ar"}, {"IT", "it"}, {"JO", "ar"}, {"JP", "ja"}, {"KE", "en"},
            {"KR", "ko"}, {"KW", "ar"}, {"LB", "ar"}, {"MA", "ar"}, {"MX", "es"}, {"MY", "ms"}, {"NG", "en"}, {"NL", "nl"},
            {"NO", "nb"}, {"NZ", "en"}, {"PA", "es"}, {"PE", "es"}, {"PH", "en"}, {"PK", "ur"}, {"PL", "pl"}, {"PT", "pt"},
            {"PY", "es"}, {"QA", "ar"}, {"RO", "ro"}, {"RS", "sr"}, {"RU", "ru"}, {"SA", "ar"}, {"SE", "sv"}, {"SG", "en"},
            {"SV", "es"}, {"TH", "th"}, {"TR", "tr"}, {"TW", "zh"}, {"UA", "uk"}, {"US", "en"}, {"UY", "es"}, {"VE", "es"},
            {"VN", "vi"}, {"ZA", "en"},
        };
        for (const auto &pair : pairs)
            m.insert(QLatin1String(pair[0]), QLatin1String(pair[1]));
        return m;
    }();
    return kMain.value(countryCode);
}

} // namespace

BrowserIdentity BrowserIdentity::localizedTo(const QString &countryCode) const
{
    if (countryCode.size() != 2)
        return *this;
    const QLocale::Territory territory = QLocale::codeToTerritory(countryCode);
    if (territory == QLocale::AnyTerritory)
        return *this;
    BrowserIdentity out = *this;
    const QString language = mainLanguageOf(countryCode.toUpper());
    if (!language.isEmpty()) {
        out.languages = {language + QLatin1Char('-') + countryCode.toUpper(), language};
        if (language != QLatin1String("en"))
            out.languages << QStringLiteral("en");
    }
    const QByteArray zone = mainTimeZoneOf(countryCode.toUpper(), territory);
    if (!zone.isEmpty()) {
        out.timeZone = QString::fromLatin1(zone);
        // The page's notion of "now" in that zone (a browser identity, not a business time: no Clock).
        out.timezoneOffsetMinutes = -QTimeZone(zone).offsetFromUtc(QDateTime::currentDateTimeUtc()) / 60;
    }
    return out;
}

QString BrowserIdentity::acceptLanguage() const
{
    QStringList parts;
    double q = 1.0;
    for (const QString &lang : languages) {
        parts << (q >= 1.0 ? lang : QStringLiteral("%1;q=%2").arg(lang).arg(q, 0, 'f', 1));
        q -= 0.1;
    }
    return parts.join(QLatin1Char(','));
}

QString BrowserIdentity::injectionScript() const
{
    const QByteArray identity = QJsonDocument(toJson()).toJson(QJsonDocument::Compact);
    return QStringLiteral(R"JS((function () {
  const id = %1;
  const define = (proto, name, value) => {
    try { Object.defineProperty(proto, name, { get: () => value, configurable: true }); } catch (e) {}
  };
  define(Navigator.prototype, 'userAgent', id.userAgent);
  define(Navigator.prototype, 'appVersion', id.userAgent.replace(/^Mozilla\//, ''));
  define(Navigator.prototype, 'platform', id.platform);
  define(Navigator.prototype, 'language', id.languages[0]);
  define(Navigator.prototype, 'languages', Object.freeze(id.languages.slice()));
  define(Navigator.prototype, 'hardwareConcurrency', id.hardwareConcurrency);
  define(Navigator.prototype, 'deviceMemory', id.deviceMemory);
  define(Navigator.prototype, 'webdriver', false);
  define(Screen.prototype, 'width', id.screenWidth);
  define(Screen.prototype, 'height', id.screenHeight);
  define(Screen.prototype, 'availWidth', id.screenWidth);
  define(Screen.prototype, 'availHeight', id.screenHeight - 40);
  define(Screen.prototype, 'colorDepth', id.colorDepth);
  define(Screen.prototype, 'pixelDepth', id.colorDepth);
  const brands = [{ brand: 'Chromium', version: id.chromeMajor }, { brand: 'Google Chrome', version: id.chromeMajor },
                  { brand: 'Not;A=Brand', version: '99' }];
  const uaData = {
    brands: brands, mobile: false, platform: id.uaPlatform,
    getHighEntropyValues: () => Promise.resolve({ brands: brands, mobile: false, platform: id.uaPlatform,
      architecture: 'x86', bitness: '64', model: '', uaFullVersion: id.chromeMajor + '.0.0.0' }),
    toJSON: () => ({ brands: brands, mobile: false, platform: id.uaPlatform })
  };
  define(Navigator.prototype, 'userAgentData', uaData);
  if (id.timeZone) {
    // Date and Intl answer in the proxy's country's zone, the way a browser there would.
    const Native = Intl.DateTimeFormat;
    const Zoned = function (locales, options) {
      const o = Object.assign({}, options || {});
      if (o.timeZone === undefined) o.timeZone = id.timeZone;
      return new Native(locales, o);
    };
    Zoned.prototype = Native.prototype;
    Zoned.supportedLocalesOf = Native.supportedLocalesOf;
    try { Object.defineProperty(Intl, 'DateTimeFormat', { value: Zoned, configurable: true, writable: true }); } catch (e) {}
    const parts = new Native('en-US', { timeZone: id.timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric',
                                        day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    Date.prototype.getTimezoneOffset = function () {
      const t = this.getTime();
      if (isNaN(t)) return NaN;
      const p = {};
      for (const x of parts.formatToParts(this)) p[x.type] = x.value;
      const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
      return Math.round((Math.floor(t / 1000) * 1000 - asUtc) / 60000);
    };
  }
})();)JS")
        .arg(QString::fromUtf8(identity));
}

} // namespace wadesk

#include "ui/settings/InstallationSettings.h"

#include "core/api/ApiSettings.h"
#include "core/retention/RetentionSettings.h"
#include "core/services/ServiceSettings.h"

#include <QFile>
#include <QHostAddress>
#include <QSettings>

namespace wadesk {

namespace {
// QSettings reads an unquoted comma-separated value back as a list.
QStringList keywordsIn(const QVariant &value, const QStringList &fallback)
{
    if (!value.isValid())
        return fallback;
    const QString text = value.typeId() == QMetaType::QStringList ? value.toStringList().join(QLatin1Char(',')) : value.toString();
    QStringList out;
    for (const QString &part : text.split(QLatin1Char(','))) {
        const QString k = part.trimmed();
        if (!k.isEmpty())
            out << k;
    }
    return out;
}

DomainError invalid(const QString &field, const QString &message)
{
    return DomainError::validation(field, message);
}

Status checkKeywords(const QString &field, const QStringList &keywords, const QString &what)
{
    if (keywords.size() > InstallationSettings::kMaxKeywords)
        return invalid(field, QStringLiteral("at most %1 %2").arg(InstallationSettings::kMaxKeywords).arg(what));
    for (const QString &k : keywords) {
        if (k.trimmed().isEmpty() || k.size() > InstallationSettings::kMaxKeywordLength || k.contains(QLatin1Char(','))
            || k.contains(QLatin1Char('\n')))
            return invalid(field, QStringLiteral("each of the %1 must be 1 to %2 characters, without commas")
                                      .arg(what)
                                      .arg(InstallationSettings::kMaxKeywordLength));
    }
    return {};
}
} // namespace

const QStringList &InstallationSettings::languages()
{
    static const QStringList all{QString(), QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("es")};
    return all;
}

InstallationSettings InstallationSettings::load(const QString &settingsFile, const ServiceSettings &running)
{
    InstallationSettings s;
    const RetentionSettings retention;
    const ApiSettings api;
    s.perMinute = running.messaging.defaultTiers.perMinute;
    s.perHour = running.messaging.defaultTiers.perHour;
    s.perDay = running.messaging.defaultTiers.perDay;
    s.pacing = !running.messaging.pacing.isOff();
    s.optOutKeywords = running.messaging.optOutKeywords;
    s.optInKeywords = running.messaging.optInKeywords;
    s.eventsDays = retention.eventsDays;
    s.deliveriesDays = retention.deliveriesDays;
    s.deadLettersDays = retention.deadLettersDays;
    s.messagesDays = retention.messagesDays;
    s.mediaDays = running.media.retentionDays;
    s.apiBind = api.bindAddress;
    s.apiPort = api.port;
    s.apiAllowRemote = api.allowRemote;
    if (settingsFile.isEmpty())
        return s;
    const QSettings file(settingsFile, QSettings::IniFormat);
    const auto number = [&file](const char *key, int fallback) {
        bool ok = false;
        const int n = file.value(QLatin1String(key)).toString().trimmed().toInt(&ok);
        return ok ? n : fallback;
    };
    const auto flag = [&file](const char *key, bool fallback) {
        const QString v = file.value(QLatin1String(key)).toString().trimmed().toLower();
        if (v == QLatin1String("true") || v == QLatin1String("1") || v == QLatin1String("yes") || v == QLatin1String("on"))
            return true;
        if (v == QLatin1String("false") || v == QLatin1String("0") || v == QLatin1String("no") || v == QLatin1String("off"))
            return false;
        return fallback;
    };
    s.perMinute = number("messaging/perMinute", s.perMinute);
    s.perHour = number("messaging/perHour", s.perHour);
    s.perDay = number("messaging/perDay", s.perDay);
    s.pacing = flag("messaging/pacing", s.pacing);
    s.optOutKeywords = keywordsIn(file.value(QStringLiteral("messaging/optOutKeywords")), s.optOutKeywords);
    s.optInKeywords = keywordsIn(file.value(QStringLiteral("messaging/optInKeywords")), s.optInKeywords);
    s.eventsDays = number("retention/eventsDays", s.eventsDays);
    s.deliveriesDays = number("retention/deliveriesDays", s.deliveriesDays);
    s.deadLettersDays = number("retention/deadLettersDays", s.deadLettersDays);
    s.messagesDays = number("retention/messagesDays", s.messagesDays);
    s.mediaDays = number("media/retentionDays", s.mediaDays);
    if (const QString bind = file.value(QStringLiteral("api/bind")).toString().trimmed(); !bind.isEmpty())
        s.apiBind = bind;
    s.apiPort = number("api/port", s.apiPort);
    s.apiAllowRemote = flag("api/allowRemote", s.apiAllowRemote);
    const QString language = file.value(QStringLiteral("ui/language")).toString();
    s.language = languages().contains(language) ? language : QString();
    return s;
}

Status InstallationSettings::validate() const
{
    // The ranges of ConfigLoader's option table.
    if (perMinute < 1 || perMinute > 100000)
        return invalid(QStringLiteral("messaging/perMinute"), QStringLiteral("messages per minute must be from 1 to 100000"));
    if (perHour < 1 || perHour > 1000000)
        return invalid(QStringLiteral("messaging/perHour"), QStringLiteral("messages per hour must be from 1 to 1000000"));
    if (perDay < 1 || perDay > 10000000)
        return invalid(QStringLiteral("messaging/perDay"), QStringLiteral("messages per day must be from 1 to 10000000"));
    if (Status s = checkKeywords(QStringLiteral("messaging/optOutKeywords"), optOutKeywords, QStringLiteral("opt-out keywords")); !s)
        return s;
    if (Status s = checkKeywords(QStringLiteral("messaging/optInKeywords"), optInKeywords, QStringLiteral("opt-in keywords")); !s)
        return s;
    for (const QString &k : optOutKeywords) {
        if (optInKeywords.contains(k, Qt::CaseInsensitive))
            return invalid(QStringLiteral("messaging/optInKeywords"),
                           QStringLiteral("\"%1\" cannot both opt out and opt in").arg(k));
    }
    for (const auto &[key, days] : {std::pair{"retention/eventsDays", eventsDays}, std::pair{"retention/deliveriesDays", deliveriesDays},
                                    std::pair{"retention/deadLettersDays", deadLettersDays},
                                    std::pair{"retention/messagesDays", messagesDays}}) {
        if (days < 0 || days > RetentionSettings::kMaxDays)
            return invalid(QLatin1String(key), QStringLiteral("days to keep must be from 0 (forever) to %1").arg(RetentionSettings::kMaxDays));
    }
    if (mediaDays < 0 || mediaDays > MediaSettings::kMaxRetentionDays)
        return invalid(QStringLiteral("media/retentionDays"),
                       QStringLiteral("days to keep files must be from 0 (forever) to %1").arg(MediaSettings::kMaxRetentionDays));
    if (apiPort < 0 || apiPort > 65535)
        return invalid(QStringLiteral("api/port"), QStringLiteral("the port must be from 0 to 65535"));
    const bool loopback = apiBind.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 || QHostAddress(apiBind).isLoopback();
    if (!loopback) {
        if (QHostAddress(apiBind).isNull())
            return invalid(QStringLiteral("api/bind"), QStringLiteral("the API address must be an IP address or localhost"));
        if (!apiAllowRemote)
            return invalid(QStringLiteral("api/bind"),
                           QStringLiteral("an address other than loopback exposes the API to the network; allow remote access to use it"));
    }
    if (!languages().contains(language))
        return invalid(QStringLiteral("ui/language"), QStringLiteral("the language must be English, German or Spanish"));
    return {};
}

Status InstallationSettings::save(const QString &settingsFile) const
{
    if (Status s = validate(); !s)
        return s;
    if (settingsFile.isEmpty())
        return DomainError::internal(QStringLiteral("this run has no settings file"));
    {
        QSettings file(settingsFile, QSettings::IniFormat);
        file.setValue(QStringLiteral("messaging/perMinute"), perMinute);
        file.setValue(QStringLiteral("messaging/perHour"), perHour);
        file.setValue(QStringLiteral("messaging/perDay"), perDay);
        file.setValue(QStringLiteral("messaging/pacing"), pacing);
        file.setValue(QStringLiteral("messaging/optOutKeywords"), optOutKeywords.join(QLatin1Char(',')));
        file.setValue(QStringLiteral("messaging/optInKeywords"), optInKeywords.join(QLatin1Char(',')));
        file.setValue(QStringLiteral("retention/eventsDays"), eventsDays);
        file.setValue(QStringLiteral("retention/deliveriesDays"), deliveriesDays);
        file.setValue(QStringLiteral("retention/deadLettersDays"), deadLettersDays);
        file.setValue(QStringLiteral("retention/messagesDays"), messagesDays);
        file.setValue(QStringLiteral("media/retentionDays"), mediaDays);
        file.setValue(QStringLiteral("api/bind"), apiBind);
        file.setValue(QStringLiteral("api/port"), apiPort);
        file.setValue(QStringLiteral("api/allowRemote"), apiAllowRemote);
        if (language.isEmpty())
            file.remove(QStringLiteral("ui/language"));
        else
            file.setValue(QStringLiteral("ui/language"), language);
        file.sync();
        if (file.status() != QSettings::NoError)
            return DomainError::internal(QStringLiteral("cannot write the settings file %1").arg(settingsFile));
    }
    QFile::setPermissions(settingsFile, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return {};
}

} // namespace wadesk

#include "core/common/PhoneNumbers.h"

#include <phonenumbers/phonenumberutil.h>

namespace wadesk::PhoneNumbers {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {
DomainError invalid(const QString &why)
{
    DomainError e = DomainError::validation(QStringLiteral("phone_number"), why);
    e.code = QStringLiteral("invalid_phone_number");
    return e;
}
} // namespace

Result<QString> toE164(const QString &input, const QString &defaultRegion)
{
    const QString trimmed = input.trimmed();
    if (trimmed.isEmpty() || trimmed.size() > 40)
        return invalid(QStringLiteral("phone number is empty or too long"));
    PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    const std::string region = defaultRegion.isEmpty() ? std::string("ZZ") : defaultRegion.toUpper().toStdString();
    // A bare run of digits is often an international number without the "+": try that first
    // when no region is known.
    std::string text = trimmed.toStdString();
    if (defaultRegion.isEmpty() && !trimmed.startsWith(QLatin1Char('+')) && !trimmed.startsWith(QLatin1String("00")))
        text = "+" + text;
    if (util->Parse(text, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR)
        return invalid(QStringLiteral("'%1' is not a phone number").arg(trimmed.left(40)));
    if (!util->IsValidNumber(number))
        return invalid(QStringLiteral("'%1' is not a valid phone number").arg(trimmed.left(40)));
    std::string out;
    util->Format(number, PhoneNumberUtil::E164, &out);
    return QString::fromStdString(out);
}

QString regionOf(const QString &e164)
{
    PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util->Parse(e164.toStdString(), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR)
        return {};
    std::string region;
    util->GetRegionCodeForNumber(number, &region);
    return QString::fromStdString(region);
}

} // namespace wadesk::PhoneNumbers

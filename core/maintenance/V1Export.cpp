#include "core/maintenance/V1Export.h"

#include "core/common/PhoneNumbers.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>

namespace wadesk::V1Export {

namespace {
constexpr int kMaxNameLength = 100; // as for clients created in WaDesk
constexpr int kProblemsShown = 50;

DomainError invalidFile(const QString &why)
{
    return DomainError::unprocessable(QStringLiteral("the v1 export is not usable: %1; nothing was imported").arg(why),
                                      QStringLiteral("invalid_v1_export"));
}

// A one-line, bounded rendering of a value from the file for a message.
QString shown(const QString &text)
{
    QString out = text.left(60);
    for (QChar &c : out) {
        if (c.category() == QChar::Other_Control)
            c = QLatin1Char(' ');
    }
    return text.size() > 60 ? out + QStringLiteral("...") : out;
}
} // namespace

Result<QList<V1Client>> parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return invalidFile(QStringLiteral("it is not JSON (%1 at byte %2)").arg(error.errorString()).arg(error.offset));
    QJsonArray list;
    if (doc.isArray()) {
        list = doc.array();
    } else if (doc.isObject() && doc.object().value(QStringLiteral("clients")).isArray()) {
        list = doc.object().value(QStringLiteral("clients")).toArray();
    } else {
        return invalidFile(QStringLiteral("expected {\"clients\": [...]} or a list of clients"));
    }
    if (list.isEmpty())
        return invalidFile(QStringLiteral("it lists no clients"));
    if (list.size() > kMaxClients)
        return invalidFile(QStringLiteral("it lists %1 clients, more than %2").arg(list.size()).arg(kMaxClients));

    QList<V1Client> clients;
    QStringList problems;
    QHash<QString, int> firstWithPhone;
    for (int i = 0; i < list.size(); ++i) {
        const QString where = QStringLiteral("clients[%1]").arg(i);
        if (!list.at(i).isObject()) {
            problems << QStringLiteral("%1: not an object").arg(where);
            continue;
        }
        const QJsonObject o = list.at(i).toObject();
        V1Client client;
        client.index = i;
        const QJsonValue name = o.value(QStringLiteral("name"));
        client.name = name.toString().trimmed();
        const QString label = client.name.isEmpty() ? where : QStringLiteral("%1 (\"%2\")").arg(where, shown(client.name));
        if (!name.isString() || client.name.isEmpty()) {
            problems << QStringLiteral("%1: the name is missing or empty").arg(where);
        } else if (client.name.size() > kMaxNameLength) {
            problems << QStringLiteral("%1: the name is longer than %2 characters").arg(label).arg(kMaxNameLength);
        }
        QJsonValue phone = o.value(QStringLiteral("phone"));
        if (phone.isUndefined() || phone.isNull())
            phone = o.value(QStringLiteral("phone_number"));
        QString phoneText;
        if (phone.isString()) {
            phoneText = phone.toString().trimmed();
        } else if (phone.isDouble() && phone.toDouble() > 0 && phone.toDouble() < 1e15
                   && std::floor(phone.toDouble()) == phone.toDouble()) {
            phoneText = QString::number(qint64(phone.toDouble())); // written as a number in some exports
        } else if (!phone.isUndefined() && !phone.isNull()) {
            problems << QStringLiteral("%1: the phone is neither text nor a number").arg(label);
        }
        if (!phoneText.isEmpty()) {
            Result<QString> e164 = PhoneNumbers::toE164(phoneText);
            if (!e164) {
                problems << QStringLiteral("%1: %2").arg(label, e164.error().message);
            } else {
                client.phoneE164 = e164.value();
                const auto seen = firstWithPhone.constFind(client.phoneE164);
                if (seen != firstWithPhone.constEnd())
                    problems << QStringLiteral("%1: the phone %2 is also the phone of clients[%3]")
                                    .arg(label, client.phoneE164)
                                    .arg(seen.value());
                else
                    firstWithPhone.insert(client.phoneE164, i);
            }
        }
        clients.append(client);
    }
    if (!problems.isEmpty()) {
        QString message = QStringLiteral("the v1 export has %1 problem(s); nothing was imported:").arg(problems.size());
        for (int i = 0; i < std::min<int>(int(problems.size()), kProblemsShown); ++i)
            message += QStringLiteral("\n  ") + problems.at(i);
        if (problems.size() > kProblemsShown)
            message += QStringLiteral("\n  ... and %1 more").arg(problems.size() - kProblemsShown);
        DomainError e = DomainError::unprocessable(message, QStringLiteral("invalid_v1_export"));
        e.details.insert(QStringLiteral("problems"), QJsonArray::fromStringList(problems));
        return e;
    }
    return clients;
}

Result<QList<V1Client>> readFile(const QString &path, QByteArray *contents)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return DomainError::badRequest(QStringLiteral("%1 does not exist or is not a file").arg(path), QStringLiteral("no_such_file"));
    if (info.size() > kMaxFileBytes)
        return invalidFile(QStringLiteral("%1 is %2 bytes, more than the %3 bytes a v1 export can be")
                               .arg(path)
                               .arg(info.size())
                               .arg(kMaxFileBytes));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return DomainError::badRequest(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()), QStringLiteral("unreadable"));
    *contents = file.read(kMaxFileBytes + 1);
    if (contents->size() > kMaxFileBytes)
        return invalidFile(QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(kMaxFileBytes));
    return parse(*contents);
}

} // namespace wadesk::V1Export

#include "ui/models/DashboardModels.h"

#include "core/analytics/AnalyticsCsv.h"

#include <QLocale>
#include <cmath>

namespace wadesk {

namespace {

QVariant optionalHours(const std::optional<double> &hours)
{
    return hours ? QVariant(*hours) : QVariant();
}

QVariantList funnelCells(const FunnelCounts &c, bool withReceived)
{
    QVariantList cells{c.sent, c.delivered, c.read, c.failed};
    if (withReceived)
        cells << c.received;
    return cells;
}

} // namespace

qint64 DashboardReport::messagesInRange() const
{
    qint64 total = 0;
    for (const DayMetrics &d : days)
        total += d.counts.sent + d.counts.failed + d.counts.received;
    return total;
}

int ReportTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ReportTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_keys.size());
}

QVariant ReportTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QVariant v = m_rows.at(index.row()).value(index.column());
    const bool hours = m_isHours.value(index.column());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        if (hours)
            return hoursText(v);
        if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int)
            return QLocale().toString(v.toLongLong());
        if (v.typeId() == QMetaType::QDate)
            return QLocale().toString(v.toDate(), QLocale::ShortFormat);
        return v.toString();
    case Qt::UserRole:
        return v;
    case Qt::TextAlignmentRole:
        if (hours || v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
    default:
        return {};
    }
}

QVariant ReportTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= m_headers.size())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return m_headers.at(section);
    return {};
}

void ReportTableModel::setTable(const QStringList &keys, const QStringList &headers, const QList<QVariantList> &rows)
{
    beginResetModel();
    m_keys = keys;
    m_headers = headers;
    m_rows = rows;
    m_isHours.clear();
    for (const QString &k : keys)
        m_isHours << k.endsWith(QLatin1String("_hours"));
    endResetModel();
}

void ReportTableModel::showDailyVolume(const DashboardReport &report)
{
    QList<QVariantList> rows;
    rows.reserve(report.days.size());
    for (const DayMetrics &d : report.days)
        rows << (QVariantList{d.date} + funnelCells(d.counts, true));
    setTable({QStringLiteral("date"), QStringLiteral("sent"), QStringLiteral("delivered"), QStringLiteral("read"),
              QStringLiteral("failed"), QStringLiteral("received")},
             {tr("Date"), tr("Sent"), tr("Delivered"), tr("Read"), tr("Failed"), tr("Received")}, rows);
}

void ReportTableModel::showClients(const DashboardReport &report)
{
    QList<QVariantList> rows;
    for (const ClientReportRow &c : report.clients) {
        rows << (QVariantList{c.name, c.phoneNumber} + funnelCells(c.counts, true)
                 + QVariantList{c.responses, optionalHours(c.averageResponseHours)});
    }
    setTable({QStringLiteral("client"), QStringLiteral("phone_number"), QStringLiteral("sent"), QStringLiteral("delivered"),
              QStringLiteral("read"), QStringLiteral("failed"), QStringLiteral("received"), QStringLiteral("responses"),
              QStringLiteral("average_response_hours")},
             {tr("Client"), tr("Number"), tr("Sent"), tr("Delivered"), tr("Read"), tr("Failed"), tr("Received"),
              tr("Responses"), tr("Avg. response")},
             rows);
}

void ReportTableModel::showMembers(const DashboardReport &report)
{
    QList<QVariantList> rows;
    for (const MemberReportRow &m : report.members) {
        rows << (QVariantList{m.name, m.email, m.role} + funnelCells(m.counts, false)
                 + QVariantList{m.responses, optionalHours(m.averageResponseHours)});
    }
    setTable({QStringLiteral("member"), QStringLiteral("email"), QStringLiteral("role"), QStringLiteral("sent"),
              QStringLiteral("delivered"), QStringLiteral("read"), QStringLiteral("failed"), QStringLiteral("responses"),
              QStringLiteral("average_response_hours")},
             {tr("Member"), tr("Email"), tr("Role"), tr("Sent"), tr("Delivered"), tr("Read"), tr("Failed"), tr("Responses"),
              tr("Avg. response")},
             rows);
}

QByteArray ReportTableModel::toCsv() const
{
    QByteArray out = Csv::row(m_keys);
    for (const QVariantList &r : m_rows) {
        QStringList cells;
        for (const QVariant &v : r) {
            if (v.isNull())
                cells << QString();
            else if (v.typeId() == QMetaType::QDate)
                cells << v.toDate().toString(Qt::ISODate);
            else if (v.typeId() == QMetaType::Double)
                cells << QString::number(v.toDouble(), 'f', 2);
            else
                cells << v.toString();
        }
        out += Csv::row(cells);
    }
    return out;
}

QString ReportTableModel::hoursText(const QVariant &hours)
{
    if (hours.isNull() || !hours.isValid())
        return QStringLiteral("—");
    const double h = hours.toDouble();
    if (h < 1.0)
        return tr("%1 min").arg(qRound(h * 60.0));
    if (h < 48.0)
        return tr("%1 h").arg(QLocale().toString(h, 'f', 1));
    return tr("%1 d").arg(QLocale().toString(h / 24.0, 'f', 1));
}

} // namespace wadesk

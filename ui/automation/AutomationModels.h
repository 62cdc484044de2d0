#pragma once

#include "core/autoreplies/AutoReplyRule.h"
#include "core/templates/TemplateRepository.h"

#include <QAbstractTableModel>
#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QStringList>

namespace wadesk {

// A flat table of records with an `id`, one record a row, read whole from a service (the lists
// are small: at most a few hundred templates, quick replies or rules per organization).
template <class Record>
class RecordTableModel : public QAbstractTableModel {
public:
    static constexpr int IdRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;

    void setRecords(const QList<Record> &records)
    {
        beginResetModel();
        m_records = records;
        endResetModel();
    }
    const QList<Record> &records() const { return m_records; }
    const Record *record(int row) const { return row >= 0 && row < m_records.size() ? &m_records.at(row) : nullptr; }
    int rowOf(const QString &id) const
    {
        for (int i = 0; i < m_records.size(); ++i) {
            if (m_records.at(i).id == id)
                return i;
        }
        return -1;
    }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override { return parent.isValid() ? 0 : int(m_records.size()); }
    int columnCount(const QModelIndex &parent = QModelIndex()) const override { return parent.isValid() ? 0 : int(headers().size()); }
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
            return {};
        const Record &r = m_records.at(index.row());
        if (role == Qt::DisplayRole)
            return cell(r, index.column()).section(QLatin1Char('\n'), 0, 0).left(120);
        if (role == Qt::ToolTipRole)
            return cell(r, index.column()).left(1000);
        if (role == IdRole)
            return r.id;
        return {};
    }
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override
    {
        if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < headers().size())
            return headers().at(section);
        return QAbstractTableModel::headerData(section, orientation, role);
    }

protected:
    virtual QStringList headers() const = 0;
    virtual QString cell(const Record &record, int column) const = 0;

private:
    QList<Record> m_records;
};

// Templates: name, text (its first line), the variables it uses.
class TemplateListModel final : public RecordTableModel<TemplateRecord> {
    Q_DECLARE_TR_FUNCTIONS(TemplateListModel)
public:
    enum Column { NameColumn, TextColumn, VariablesColumn };
    using RecordTableModel::RecordTableModel;

protected:
    QStringList headers() const override;
    QString cell(const TemplateRecord &record, int column) const override;
};

// Quick replies: /shortcut and text.
class QuickReplyListModel final : public RecordTableModel<QuickReplyRecord> {
    Q_DECLARE_TR_FUNCTIONS(QuickReplyListModel)
public:
    enum Column { ShortcutColumn, TextColumn };
    using RecordTableModel::RecordTableModel;

protected:
    QStringList headers() const override;
    QString cell(const QuickReplyRecord &record, int column) const override;
};

// Auto-reply rules: name, kind, what triggers it, where it applies, whether it is on.
class AutoReplyRuleListModel final : public RecordTableModel<AutoReplyRule> {
    Q_DECLARE_TR_FUNCTIONS(AutoReplyRuleListModel)
public:
    enum Column { NameColumn, KindColumn, TriggerColumn, ClientColumn, EnabledColumn };
    using RecordTableModel::RecordTableModel;
    // Client names by id, for the Client column (a rule without client applies to every client).
    void setClientNames(const QHash<QString, QString> &names);

    static QString kindLabel(AutoReplyKind kind);
    static QString matchLabel(KeywordMatch match);

protected:
    QStringList headers() const override;
    QString cell(const AutoReplyRule &record, int column) const override;

private:
    QHash<QString, QString> m_clientNames;
};

} // namespace wadesk

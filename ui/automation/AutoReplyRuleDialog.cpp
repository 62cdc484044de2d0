#include "ui/automation/AutoReplyRuleDialog.h"

#include "core/autoreplies/AutoReplyService.h"
#include "core/sessions/ClientService.h"
#include "ui/automation/AutomationModels.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTimeEdit>
#include <QVBoxLayout>

namespace wadesk {

namespace {
const char *const kDayKeys[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
}

AutoReplyRuleDialog::AutoReplyRuleDialog(DesktopContext &context, const AutoReplyRule *existing, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("autoReplyRuleDialog"));
    setWindowTitle(existing ? tr("Edit Auto-reply Rule") : tr("New Auto-reply Rule"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("ruleName"));
    m_name->setAccessibleName(tr("Rule name"));
    form->addRow(tr("&Name:"), m_name);
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("ruleKind"));
    m_kind->setAccessibleName(tr("Kind"));
    for (AutoReplyKind kind : {AutoReplyKind::Keyword, AutoReplyKind::Away, AutoReplyKind::Welcome})
        m_kind->addItem(AutoReplyRuleListModel::kindLabel(kind), AutoReplyRule::kindName(kind));
    form->addRow(tr("&Kind:"), m_kind);
    m_client = new QComboBox(this);
    m_client->setObjectName(QStringLiteral("ruleClient"));
    m_client->setAccessibleName(tr("Client"));
    m_client->addItem(tr("Every client of the organization"), QString());
    const Result<ClientService::Page> clients = m_context.clients().list(m_context.actor(), 500, 0);
    if (clients) {
        for (const ClientRecord &c : clients.value().clients)
            m_client->addItem(c.name, c.id);
    }
    form->addRow(tr("&Applies to:"), m_client);
    layout->addLayout(form);

    m_keywordGroup = new QGroupBox(tr("Keywords"), this);
    auto *keywords = new QFormLayout(m_keywordGroup);
    m_match = new QComboBox(m_keywordGroup);
    m_match->setObjectName(QStringLiteral("ruleMatch"));
    m_match->setAccessibleName(tr("Match mode"));
    for (KeywordMatch match : {KeywordMatch::Contains, KeywordMatch::Exact, KeywordMatch::Regex})
        m_match->addItem(AutoReplyRuleListModel::matchLabel(match), AutoReplyRule::matchName(match));
    keywords->addRow(tr("&Match:"), m_match);
    m_keywords = new QPlainTextEdit(m_keywordGroup);
    m_keywords->setObjectName(QStringLiteral("ruleKeywords"));
    m_keywords->setAccessibleName(tr("Keywords, one a line"));
    m_keywords->setTabChangesFocus(true);
    m_keywords->setPlaceholderText(tr("One word, phrase or pattern a line; case and accents are ignored"));
    m_keywords->setMaximumHeight(fontMetrics().lineSpacing() * 5 + 12);
    keywords->addRow(tr("K&eywords:"), m_keywords);
    layout->addWidget(m_keywordGroup);

    m_hoursGroup = new QGroupBox(tr("Business hours (the away message is sent outside them)"), this);
    auto *hours = new QFormLayout(m_hoursGroup);
    auto *days = new QHBoxLayout;
    const QLocale locale;
    for (int day = 1; day <= 7; ++day) {
        auto *box = new QCheckBox(locale.dayName(day, QLocale::ShortFormat), m_hoursGroup);
        box->setObjectName(QStringLiteral("ruleDay%1").arg(day));
        box->setAccessibleName(locale.dayName(day));
        box->setChecked(day <= 5);
        days->addWidget(box);
        m_days << box;
    }
    days->addStretch(1);
    hours->addRow(tr("Open on:"), days);
    auto *times = new QHBoxLayout;
    m_opens = new QTimeEdit(QTime(9, 0), m_hoursGroup);
    m_opens->setObjectName(QStringLiteral("ruleOpens"));
    m_opens->setAccessibleName(tr("Opens at"));
    m_opens->setDisplayFormat(QStringLiteral("HH:mm"));
    m_closes = new QTimeEdit(QTime(17, 0), m_hoursGroup);
    m_closes->setObjectName(QStringLiteral("ruleCloses"));
    m_closes->setAccessibleName(tr("Closes at"));
    m_closes->setDisplayFormat(QStringLiteral("HH:mm"));
    times->addWidget(m_opens);
    times->addWidget(new QLabel(tr("to"), m_hoursGroup));
    times->addWidget(m_closes);
    times->addStretch(1);
    hours->addRow(tr("From:"), times);
    m_holidays = new QLineEdit(m_hoursGroup);
    m_holidays->setObjectName(QStringLiteral("ruleHolidays"));
    m_holidays->setAccessibleName(tr("Holidays"));
    m_holidays->setPlaceholderText(tr("2026-12-25, 2027-01-01"));
    hours->addRow(tr("&Holidays:"), m_holidays);
    layout->addWidget(m_hoursGroup);

    auto *reply = new QFormLayout;
    m_reply = new QPlainTextEdit(this);
    m_reply->setObjectName(QStringLiteral("ruleReply"));
    m_reply->setAccessibleName(tr("Reply text"));
    m_reply->setTabChangesFocus(true);
    m_reply->setMaximumHeight(fontMetrics().lineSpacing() * 5 + 12);
    reply->addRow(tr("&Reply:"), m_reply);
    m_period = new QSpinBox(this);
    m_period->setObjectName(QStringLiteral("rulePeriod"));
    m_period->setAccessibleName(tr("At most once per contact within, in minutes"));
    m_period->setRange(0, int(AutoReplyService::kMaxCooldownSeconds / 60));
    m_period->setSpecialValueText(tr("the kind's default (a day; 5 minutes for keywords)"));
    m_period->setSuffix(tr(" min"));
    reply->addRow(tr("Once per contact &within:"), m_period);
    m_priority = new QSpinBox(this);
    m_priority->setObjectName(QStringLiteral("rulePriority"));
    m_priority->setAccessibleName(tr("Priority"));
    m_priority->setRange(0, 10000);
    m_priority->setValue(100);
    m_priority->setToolTip(tr("Rules with a lower number are tried first"));
    reply->addRow(tr("&Priority:"), m_priority);
    m_enabled = new QCheckBox(tr("&On"), this);
    m_enabled->setObjectName(QStringLiteral("ruleEnabled"));
    m_enabled->setChecked(true);
    reply->addRow(QString(), m_enabled);
    layout->addLayout(reply);
    layout->addStretch(1);
    m_error = new ErrorLabel(QStringLiteral("ruleError"), tr("Rule error"), this);
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    layout->addWidget(m_buttons);

    if (existing) {
        m_ruleId = existing->id;
        m_name->setText(existing->name);
        m_kind->setCurrentIndex(m_kind->findData(AutoReplyRule::kindName(existing->kind)));
        m_match->setCurrentIndex(m_match->findData(AutoReplyRule::matchName(existing->match)));
        m_keywords->setPlainText(existing->keywords.join(QLatin1Char('\n')));
        int client = m_client->findData(existing->clientId);
        if (client < 0) {
            m_client->addItem(existing->clientId, existing->clientId);
            client = m_client->count() - 1;
        }
        m_client->setCurrentIndex(client);
        if (!existing->schedule.hours.isEmpty()) {
            const SendWindow &w = existing->schedule.hours.first();
            for (int day = 1; day <= 7; ++day)
                m_days.at(day - 1)->setChecked(w.days.isEmpty() || w.days.contains(day));
            m_opens->setTime(w.start);
            m_closes->setTime(w.end);
        }
        QStringList holidays;
        for (const QDate &d : existing->schedule.holidays)
            holidays << d.toString(Qt::ISODate);
        m_holidays->setText(holidays.join(QStringLiteral(", ")));
        m_reply->setPlainText(existing->replyText);
        m_period->setValue(int(existing->cooldownSeconds / 60));
        m_priority->setValue(existing->priority);
        m_enabled->setChecked(existing->enabled);
    }
    if (existing)
        m_wasAway = existing->kind == AutoReplyKind::Away;
    auto touched = [this]() { m_scheduleTouched = true; };
    for (QCheckBox *box : std::as_const(m_days))
        connect(box, &QCheckBox::toggled, this, touched);
    connect(m_opens, &QTimeEdit::timeChanged, this, touched);
    connect(m_closes, &QTimeEdit::timeChanged, this, touched);
    connect(m_holidays, &QLineEdit::textEdited, this, touched);
    connect(m_holidays, &QLineEdit::textChanged, this, [this]() {
        if (m_holidays->isModified())
            m_scheduleTouched = true;
    });
    connect(m_kind, &QComboBox::currentIndexChanged, this, &AutoReplyRuleDialog::updateKind);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this]() {
        if (save())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateKind();
    resize(600, 560);
}

QPushButton *AutoReplyRuleDialog::saveButton() const
{
    return m_buttons->button(QDialogButtonBox::Save);
}

QString AutoReplyRuleDialog::errorText() const
{
    return m_error->text();
}

void AutoReplyRuleDialog::updateKind()
{
    const QString kind = m_kind->currentData().toString();
    m_keywordGroup->setVisible(kind == AutoReplyRule::kindName(AutoReplyKind::Keyword));
    m_hoursGroup->setVisible(kind == AutoReplyRule::kindName(AutoReplyKind::Away));
}

bool AutoReplyRuleDialog::save()
{
    const QString kind = m_kind->currentData().toString();
    AutoReplyService::Draft draft;
    draft.name = m_name->text().trimmed();
    draft.kind = kind;
    draft.clientId = m_client->currentData().toString();
    draft.replyText = m_reply->toPlainText();
    draft.priority = m_priority->value();
    draft.enabled = m_enabled->isChecked();
    if (m_period->value() > 0)
        draft.cooldownSeconds = qint64(m_period->value()) * 60;
    else if (!m_ruleId.isEmpty())
        draft.cooldownSeconds = AutoReplyRule::defaultCooldownSeconds(AutoReplyRule::parseKind(kind).value_or(AutoReplyKind::Keyword));
    if (kind == AutoReplyRule::kindName(AutoReplyKind::Keyword)) {
        draft.match = m_match->currentData().toString();
        QStringList keywords;
        for (const QString &line : m_keywords->toPlainText().split(QLatin1Char('\n'))) {
            if (!line.trimmed().isEmpty())
                keywords << line.trimmed();
        }
        draft.keywords = keywords;
    } else if (kind == AutoReplyRule::kindName(AutoReplyKind::Away) && (m_ruleId.isEmpty() || !m_wasAway || m_scheduleTouched)) {
        QJsonArray days;
        for (int day = 1; day <= 7; ++day) {
            if (m_days.at(day - 1)->isChecked())
                days.append(QString::fromLatin1(kDayKeys[day - 1]));
        }
        QJsonArray holidays;
        static const QRegularExpression separators(QStringLiteral("[,;\\s]+"));
        for (const QString &d : m_holidays->text().split(separators, Qt::SkipEmptyParts))
            holidays.append(d);
        const QJsonObject window{{QStringLiteral("days"), days},
                                 {QStringLiteral("start"), m_opens->time().toString(QStringLiteral("HH:mm"))},
                                 {QStringLiteral("end"), m_closes->time().toString(QStringLiteral("HH:mm"))}};
        draft.schedule = QJsonObject{{QStringLiteral("business_hours"), QJsonArray{window}}, {QStringLiteral("holidays"), holidays}};
    }
    AutoReplyService &rules = m_context.services().autoReplies();
    const Result<AutoReplyRule> saved = m_ruleId.isEmpty() ? rules.create(m_context.actor(), draft) : rules.update(m_context.actor(), m_ruleId, draft);
    if (!saved) {
        m_error->showError(errorMessageFor(saved.error()));
        return false;
    }
    m_saved = saved.value();
    m_ruleId = m_saved.id;
    m_error->showError(QString());
    return true;
}

} // namespace wadesk

#include "ui/campaigns/CampaignWizard.h"

#include "core/messaging/ContactService.h"
#include "core/messaging/Segments.h"
#include "core/sessions/ClientService.h"
#include "core/templates/TemplateService.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QRadioButton>
#include <QSet>
#include <QSpinBox>
#include <QTimeEdit>
#include <QVBoxLayout>

namespace wadesk {

namespace {

// A page whose Next/Finish asks the wizard first.
class CheckedPage final : public QWizardPage {
public:
    CheckedPage(std::function<bool()> check, std::function<void()> enter, QWidget *parent = nullptr)
        : QWizardPage(parent)
        , m_check(std::move(check))
        , m_enter(std::move(enter))
    {
    }
    bool validatePage() override { return !m_check || m_check(); }
    void initializePage() override
    {
        if (m_enter)
            m_enter();
    }

private:
    std::function<bool()> m_check;
    std::function<void()> m_enter;
};

QStringList lines(const QPlainTextEdit *edit)
{
    QStringList out;
    QSet<QString> seen;
    const QStringList raw = edit->toPlainText().split(QRegularExpression(QStringLiteral("[\\n,;]")));
    for (const QString &line : raw) {
        const QString value = line.trimmed();
        if (value.isEmpty() || seen.contains(value))
            continue;
        seen.insert(value);
        out << value;
    }
    return out;
}

QStringList tagList(const QLineEdit *edit)
{
    QStringList out;
    for (const QString &tag : edit->text().split(QLatin1Char(','))) {
        const QString t = tag.trimmed();
        if (!t.isEmpty() && !out.contains(t))
            out << t;
    }
    return out;
}

const char *const kDayKeys[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

} // namespace

CampaignWizard::CampaignWizard(DesktopContext &context, QWidget *parent)
    : QWizard(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("campaignWizard"));
    setWindowTitle(tr("New Campaign"));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setPage(AudiencePageId, buildAudiencePage());
    setPage(MessagePageId, buildMessagePage());
    setPage(SchedulePageId, buildSchedulePage());
    setPage(ReviewPageId, buildReviewPage());
    setButtonText(QWizard::FinishButton, tr("Create"));
    refreshCount();
}

QWizardPage *CampaignWizard::buildAudiencePage()
{
    auto *page = new CheckedPage([this]() { return checkAudience(); }, nullptr);
    page->setTitle(tr("Audience"));
    page->setSubTitle(tr("Who receives the campaign, and from which client"));
    auto *form = new QFormLayout(page);
    m_name = new QLineEdit(page);
    m_name->setObjectName(QStringLiteral("campaignName"));
    m_name->setAccessibleName(tr("Campaign name"));
    form->addRow(tr("&Name:"), m_name);
    m_client = new QComboBox(page);
    m_client->setObjectName(QStringLiteral("campaignClient"));
    m_client->setAccessibleName(tr("Client that sends"));
    Result<ClientService::Page> clients = m_context.clients().list(m_context.actor(), 500, 0);
    if (clients) {
        for (const ClientRecord &c : clients.value().clients)
            m_client->addItem(c.phoneNumber.isEmpty() ? c.name : tr("%1 (%2)").arg(c.name, c.phoneNumber), c.id);
    }
    form->addRow(tr("&Client:"), m_client);

    m_kinds = new QButtonGroup(page);
    auto *numbers = new QRadioButton(tr("Phone &numbers"), page);
    auto *tags = new QRadioButton(tr("Contacts with &tags (any of them)"), page);
    auto *segment = new QRadioButton(tr("A saved &segment"), page);
    auto *contacts = new QRadioButton(tr("Contact &ids"), page);
    m_kinds->addButton(numbers, int(AudienceKind::Numbers));
    m_kinds->addButton(tags, int(AudienceKind::Tags));
    m_kinds->addButton(segment, int(AudienceKind::Segment));
    m_kinds->addButton(contacts, int(AudienceKind::Contacts));
    numbers->setChecked(true);

    m_numbers = new QPlainTextEdit(page);
    m_numbers->setObjectName(QStringLiteral("audienceNumbers"));
    m_numbers->setAccessibleName(tr("Phone numbers, one a line"));
    m_numbers->setPlaceholderText(tr("+14155550100\n+14155550101"));
    m_tags = new QLineEdit(page);
    m_tags->setObjectName(QStringLiteral("audienceTags"));
    m_tags->setAccessibleName(tr("Tags, separated by commas"));
    m_tags->setPlaceholderText(tr("vip, newsletter"));
    m_segment = new QComboBox(page);
    m_segment->setObjectName(QStringLiteral("audienceSegment"));
    m_segment->setAccessibleName(tr("Saved segment"));
    SegmentService segments(*m_context.services().shared().database, *m_context.services().shared().clock);
    Result<QList<SegmentRecord>> saved = segments.list(m_context.actor());
    if (saved) {
        for (const SegmentRecord &s : saved.value())
            m_segment->addItem(s.name, s.id);
    }
    m_contactIds = new QPlainTextEdit(page);
    m_contactIds->setObjectName(QStringLiteral("audienceContactIds"));
    m_contactIds->setAccessibleName(tr("Contact ids, one a line"));
    form->addRow(numbers, m_numbers);
    form->addRow(tags, m_tags);
    form->addRow(segment, m_segment);
    form->addRow(contacts, m_contactIds);
    m_count = new QLabel(page);
    m_count->setObjectName(QStringLiteral("recipientCount"));
    form->addRow(tr("Recipients:"), m_count);
    m_audienceError = new ErrorLabel(QStringLiteral("audienceError"), tr("Audience error"), page);
    form->addRow(m_audienceError);

    auto refresh = [this]() { refreshCount(); };
    connect(m_kinds, &QButtonGroup::idClicked, this, refresh);
    connect(m_numbers, &QPlainTextEdit::textChanged, this, refresh);
    connect(m_tags, &QLineEdit::textChanged, this, refresh);
    connect(m_segment, &QComboBox::currentIndexChanged, this, refresh);
    connect(m_contactIds, &QPlainTextEdit::textChanged, this, refresh);
    return page;
}

QWizardPage *CampaignWizard::buildMessagePage()
{
    auto *page = new CheckedPage([this]() { return checkMessage(); }, [this]() { refreshPreview(); });
    page->setTitle(tr("Message"));
    page->setSubTitle(tr("The text every recipient receives, or a template filled in for each"));
    auto *layout = new QVBoxLayout(page);
    m_useText = new QRadioButton(tr("&Text"), page);
    m_useTemplate = new QRadioButton(tr("T&emplate"), page);
    m_useText->setChecked(true);
    m_message = new QPlainTextEdit(page);
    m_message->setObjectName(QStringLiteral("campaignMessage"));
    m_message->setAccessibleName(tr("Message text"));
    m_template = new QComboBox(page);
    m_template->setObjectName(QStringLiteral("campaignTemplate"));
    m_template->setAccessibleName(tr("Template"));
    Result<TemplateService::Page> templates = m_context.services().templates().list(m_context.actor(), 200, 0);
    if (templates) {
        for (const TemplateRecord &t : templates.value().templates)
            m_template->addItem(t.name, t.id);
    }
    m_sample = new QComboBox(page);
    m_sample->setObjectName(QStringLiteral("sampleContact"));
    m_sample->setAccessibleName(tr("Sample contact for the preview"));
    ContactQuery query;
    query.limit = 50;
    Result<ContactService::Page> contacts = m_context.contacts().list(m_context.actor(), query);
    if (contacts) {
        for (const ContactRecord &c : contacts.value().contacts)
            m_sample->addItem(c.name.isEmpty() ? c.phoneNumber : tr("%1 (%2)").arg(c.name, c.phoneNumber), c.id);
    }
    m_preview = new QLabel(page);
    m_preview->setObjectName(QStringLiteral("messagePreview"));
    m_preview->setWordWrap(true);
    m_preview->setTextFormat(Qt::PlainText);
    m_preview->setFrameShape(QFrame::StyledPanel);
    m_preview->setMinimumHeight(60);
    m_preview->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_messageError = new ErrorLabel(QStringLiteral("messageError"), tr("Message error"), page);
    layout->addWidget(m_useText);
    layout->addWidget(m_message);
    layout->addWidget(m_useTemplate);
    auto *templateRow = new QFormLayout;
    templateRow->addRow(tr("Te&mplate:"), m_template);
    templateRow->addRow(tr("&Preview for:"), m_sample);
    layout->addLayout(templateRow);
    layout->addWidget(new QLabel(tr("Preview:"), page));
    layout->addWidget(m_preview);
    layout->addWidget(m_messageError);
    auto refresh = [this]() { refreshPreview(); };
    connect(m_useText, &QRadioButton::toggled, this, refresh);
    connect(m_message, &QPlainTextEdit::textChanged, this, refresh);
    connect(m_template, &QComboBox::currentIndexChanged, this, refresh);
    connect(m_sample, &QComboBox::currentIndexChanged, this, refresh);
    return page;
}

QWizardPage *CampaignWizard::buildSchedulePage()
{
    auto *page = new CheckedPage([this]() { return checkSchedule(); }, nullptr);
    page->setTitle(tr("Schedule"));
    page->setSubTitle(tr("When it starts, when it may send, and how much a day"));
    auto *form = new QFormLayout(page);
    m_now = new QRadioButton(tr("Start &now"), page);
    m_later = new QRadioButton(tr("Start &at:"), page);
    m_now->setChecked(true);
    m_at = new QDateTimeEdit(page);
    m_at->setObjectName(QStringLiteral("scheduleAt"));
    m_at->setAccessibleName(tr("Start time"));
    m_at->setCalendarPopup(true);
    m_at->setDateTime(QDateTime::fromMSecsSinceEpoch(m_context.services().shared().clock->nowMs()).addSecs(3600));
    form->addRow(m_now);
    form->addRow(m_later, m_at);
    m_useWindow = new QCheckBox(tr("Send only within a &window (the organization's time zone)"), page);
    m_useWindow->setObjectName(QStringLiteral("useWindow"));
    form->addRow(m_useWindow);
    auto *days = new QHBoxLayout;
    const QLocale locale;
    for (int day = 1; day <= 7; ++day) {
        auto *box = new QCheckBox(locale.dayName(day, QLocale::ShortFormat), page);
        box->setObjectName(QStringLiteral("windowDay%1").arg(day));
        box->setChecked(day <= 5);
        m_days << box;
        days->addWidget(box);
    }
    form->addRow(tr("Days:"), days);
    m_windowStart = new QTimeEdit(QTime(9, 0), page);
    m_windowStart->setObjectName(QStringLiteral("windowStart"));
    m_windowStart->setAccessibleName(tr("Window opens"));
    m_windowEnd = new QTimeEdit(QTime(18, 0), page);
    m_windowEnd->setObjectName(QStringLiteral("windowEnd"));
    m_windowEnd->setAccessibleName(tr("Window closes"));
    auto *hours = new QHBoxLayout;
    hours->addWidget(m_windowStart);
    hours->addWidget(new QLabel(tr("to"), page));
    hours->addWidget(m_windowEnd);
    form->addRow(tr("Hours:"), hours);
    m_cap = new QSpinBox(page);
    m_cap->setObjectName(QStringLiteral("dailyCap"));
    m_cap->setAccessibleName(tr("Messages per day at most"));
    m_cap->setRange(0, 1000000);
    m_cap->setSpecialValueText(tr("No cap"));
    form->addRow(tr("Per-day &cap:"), m_cap);
    m_scheduleError = new ErrorLabel(QStringLiteral("scheduleError"), tr("Schedule error"), page);
    form->addRow(m_scheduleError);
    auto enable = [this]() {
        m_at->setEnabled(m_later->isChecked());
        for (QWidget *w : std::initializer_list<QWidget *>{m_windowStart, m_windowEnd})
            w->setEnabled(m_useWindow->isChecked());
        for (QCheckBox *b : std::as_const(m_days))
            b->setEnabled(m_useWindow->isChecked());
    };
    connect(m_later, &QRadioButton::toggled, this, enable);
    connect(m_useWindow, &QCheckBox::toggled, this, enable);
    enable();
    return page;
}

QWizardPage *CampaignWizard::buildReviewPage()
{
    auto *page = new CheckedPage([this]() { return create(); }, [this]() { prepareReview(); });
    page->setTitle(tr("Review"));
    page->setSubTitle(tr("Check what will be sent; Create stores the campaign"));
    page->setFinalPage(true);
    auto *layout = new QVBoxLayout(page);
    m_review = new QLabel(page);
    m_review->setObjectName(QStringLiteral("reviewSummary"));
    m_review->setWordWrap(true);
    m_review->setTextFormat(Qt::PlainText);
    m_estimate = new QLabel(page);
    m_estimate->setObjectName(QStringLiteral("estimatedFinish"));
    m_estimate->setWordWrap(true);
    m_reviewError = new ErrorLabel(QStringLiteral("reviewError"), tr("Campaign error"), page);
    layout->addWidget(m_review);
    layout->addWidget(m_estimate);
    layout->addStretch();
    layout->addWidget(m_reviewError);
    return page;
}

void CampaignWizard::setAudienceKind(AudienceKind kind)
{
    m_kinds->button(int(kind))->setChecked(true);
    refreshCount();
}

CampaignWizard::AudienceKind CampaignWizard::audienceKind() const
{
    return AudienceKind(m_kinds->checkedId());
}

void CampaignWizard::refreshCount()
{
    SegmentService segments(*m_context.services().shared().database, *m_context.services().shared().clock);
    QString error;
    int count = 0;
    switch (audienceKind()) {
    case AudienceKind::Numbers: count = int(lines(m_numbers).size()); break;
    case AudienceKind::Contacts: count = int(lines(m_contactIds).size()); break;
    case AudienceKind::Tags: {
        const QStringList tags = tagList(m_tags);
        if (tags.isEmpty())
            break;
        SegmentRules rules;
        rules.tagsAny = tags;
        Result<SegmentService::Preview> preview = segments.preview(m_context.actor(), rules);
        if (preview)
            count = preview.value().count;
        else
            error = errorMessageFor(preview.error());
        break;
    }
    case AudienceKind::Segment: {
        const QString id = m_segment->currentData().toString();
        if (id.isEmpty())
            break;
        Result<SegmentRecord> segment = segments.get(m_context.actor(), id);
        Result<SegmentService::Preview> preview =
            segment ? segments.preview(m_context.actor(), segment.value().rules) : Result<SegmentService::Preview>(segment.error());
        if (preview)
            count = preview.value().count;
        else
            error = errorMessageFor(preview.error());
        break;
    }
    }
    m_recipientCount = count;
    m_numbers->setEnabled(audienceKind() == AudienceKind::Numbers);
    m_tags->setEnabled(audienceKind() == AudienceKind::Tags);
    m_segment->setEnabled(audienceKind() == AudienceKind::Segment);
    m_contactIds->setEnabled(audienceKind() == AudienceKind::Contacts);
    m_count->setText(error.isEmpty() ? tr("%n recipient(s)", nullptr, count) : error);
}

void CampaignWizard::refreshPreview()
{
    m_message->setEnabled(m_useText->isChecked());
    m_template->setEnabled(m_useTemplate->isChecked());
    m_sample->setEnabled(m_useTemplate->isChecked());
    if (m_useText->isChecked()) {
        m_preview->setText(m_message->toPlainText());
        return;
    }
    const QString templateId = m_template->currentData().toString();
    if (templateId.isEmpty()) {
        m_preview->setText(tr("There is no template yet: write the text instead."));
        return;
    }
    QString sampleId = m_sample->currentData().toString();
    QString phone;
    if (sampleId.isEmpty() && audienceKind() == AudienceKind::Numbers)
        phone = lines(m_numbers).value(0);
    Result<MessageTemplate::Rendered> rendered = m_context.services().templates().preview(m_context.actor(), templateId, sampleId, phone);
    if (!rendered) {
        m_preview->setText(errorMessageFor(rendered.error()));
        return;
    }
    QString text = rendered.value().text;
    if (!rendered.value().missing.isEmpty())
        text += QLatin1Char('\n') + tr("(No value for {{%1}}: recipients without one are skipped.)").arg(rendered.value().missing);
    m_preview->setText(text);
}

void CampaignWizard::showError(ErrorLabel *label, const DomainError &error)
{
    label->showError(errorMessageFor(error));
}

bool CampaignWizard::checkAudience()
{
    m_audienceError->showError(QString());
    if (m_client->currentData().toString().isEmpty()) {
        showError(m_audienceError, DomainError::validation(QStringLiteral("client_id"), QStringLiteral("client_id or client_ids is required")));
        return false;
    }
    const CampaignService::Draft d = draft();
    if (d.numbers.isEmpty() && d.contactIds.isEmpty() && d.tags.isEmpty() && d.segmentId.isEmpty()) {
        showError(m_audienceError, DomainError::validation(QStringLiteral("audience"), QStringLiteral("audience needs numbers, contact_ids, tags or segment_id")));
        return false;
    }
    for (const QString &id : d.contactIds) {
        Result<ContactRecord> contact = m_context.contacts().get(m_context.actor(), id);
        if (!contact) {
            showError(m_audienceError, contact.error());
            return false;
        }
    }
    refreshCount();
    return true;
}

bool CampaignWizard::checkMessage()
{
    m_messageError->showError(QString());
    if (m_useText->isChecked()) {
        if (m_message->toPlainText().trimmed().isEmpty()) {
            showError(m_messageError, DomainError::validation(QStringLiteral("message"), QStringLiteral("message is required")));
            return false;
        }
        return true;
    }
    const QString templateId = m_template->currentData().toString();
    Result<TemplateRecord> found = m_context.services().templates().get(m_context.actor(), templateId);
    if (!found) {
        showError(m_messageError, found.error());
        return false;
    }
    return true;
}

Result<std::optional<SendWindow>> CampaignWizard::window() const
{
    if (!m_useWindow->isChecked())
        return std::optional<SendWindow>();
    // As the API receives it, so the same rules (and messages) apply.
    QJsonArray days;
    for (int i = 0; i < m_days.size(); ++i) {
        if (m_days.at(i)->isChecked())
            days.append(QLatin1String(kDayKeys[i]));
    }
    Result<SendWindow> parsed = SendWindow::fromJson(QJsonObject{{QStringLiteral("days"), days},
                                                                 {QStringLiteral("start"), m_windowStart->time().toString(QStringLiteral("HH:mm"))},
                                                                 {QStringLiteral("end"), m_windowEnd->time().toString(QStringLiteral("HH:mm"))}});
    if (!parsed)
        return parsed.error();
    return std::optional<SendWindow>(parsed.value());
}

bool CampaignWizard::checkSchedule()
{
    m_scheduleError->showError(QString());
    if (m_later->isChecked() && m_at->dateTime().toMSecsSinceEpoch() <= m_context.services().shared().clock->nowMs()) {
        showError(m_scheduleError, DomainError::validation(QStringLiteral("schedule_at"), QStringLiteral("schedule_at must be in the future")));
        return false;
    }
    Result<std::optional<SendWindow>> w = window();
    if (!w) {
        showError(m_scheduleError, w.error());
        return false;
    }
    return true;
}

bool CampaignWizard::startNow() const
{
    return m_now->isChecked();
}

CampaignService::Draft CampaignWizard::draft() const
{
    CampaignService::Draft d;
    d.name = m_name->text().trimmed();
    const QString client = m_client->currentData().toString();
    if (!client.isEmpty())
        d.clientIds << client;
    switch (audienceKind()) {
    case AudienceKind::Numbers: d.numbers = lines(m_numbers); break;
    case AudienceKind::Contacts: d.contactIds = lines(m_contactIds); break;
    case AudienceKind::Tags: d.tags = tagList(m_tags); break;
    case AudienceKind::Segment: d.segmentId = m_segment->currentData().toString(); break;
    }
    if (m_useText->isChecked())
        d.message = m_message->toPlainText();
    else
        d.templateId = m_template->currentData().toString();
    if (m_later->isChecked())
        d.scheduleAt = m_at->dateTime().toMSecsSinceEpoch();
    Result<std::optional<SendWindow>> w = window();
    if (w)
        d.window = w.value();
    d.dailyCap = m_cap->value();
    return d;
}

void CampaignWizard::prepareReview()
{
    m_reviewError->showError(QString());
    const CampaignService::Draft d = draft();
    QStringList summary;
    summary << tr("Name: %1").arg(d.name.isEmpty() ? tr("(none)") : d.name);
    summary << tr("Client: %1").arg(m_client->currentText());
    summary << tr("Recipients: %1 (duplicates and opted-out contacts are skipped at the start)").arg(QLocale().toString(m_recipientCount));
    summary << (d.templateId.isEmpty() ? tr("Message: %1").arg(d.message.left(200)) : tr("Template: %1").arg(m_template->currentText()));
    summary << (d.scheduleAt > 0 ? tr("Starts: %1").arg(QLocale().toString(m_at->dateTime(), QLocale::ShortFormat)) : tr("Starts: now"));
    if (d.window)
        summary << tr("Window: %1 to %2").arg(m_windowStart->time().toString(QStringLiteral("HH:mm")), m_windowEnd->time().toString(QStringLiteral("HH:mm")));
    if (d.dailyCap > 0)
        summary << tr("At most %1 a day").arg(QLocale().toString(d.dailyCap));
    m_review->setText(summary.join(QLatin1Char('\n')));
    Result<qint64> finish = m_context.services().campaigns().estimate(m_context.actor(), d, m_recipientCount);
    if (finish)
        m_estimate->setText(tr("Estimated finish: %1").arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(finish.value()), QLocale::LongFormat)));
    else
        m_estimate->setText(errorMessageFor(finish.error()));
    m_estimate->setProperty("estimatedFinishMs", finish ? finish.value() : qint64(0));
}

bool CampaignWizard::create()
{
    m_reviewError->showError(QString());
    if (!m_createdId.isEmpty())
        return true;
    Result<CampaignView> created = m_context.services().campaigns().create(m_context.actor(), draft());
    if (!created) {
        showError(m_reviewError, created.error());
        return false;
    }
    m_createdId = created.value().campaign.id;
    return true;
}

QString CampaignWizard::errorText() const
{
    for (const ErrorLabel *label : {m_audienceError, m_messageError, m_scheduleError, m_reviewError}) {
        if (!label->isHidden() && !label->text().isEmpty())
            return label->text();
    }
    return QString();
}

} // namespace wadesk

#include "ui/dashboard/DashboardView.h"

#include "core/events/Event.h"
#include "core/events/EventBus.h"
#include "ui/dashboard/DashboardLoader.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/main/Icons.h"
#include "core/sessions/ClientStatus.h"
#include "ui/models/ClientListModel.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <tuple>

namespace wadesk {

struct DashboardView::TileWidgets {
    QString key;
    QFrame *frame = nullptr;
    QLabel *title = nullptr;
    QLabel *value = nullptr;
    QLabel *caption = nullptr;
};

namespace {

QString percentText(const std::optional<double> &p)
{
    return p ? DashboardView::tr("%1 %").arg(QLocale().toString(*p, 'f', 1)) : QStringLiteral("—");
}

QChartView *makeChartView(QWidget *parent, const QString &name)
{
    auto *view = new QChartView(parent);
    view->setObjectName(name);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(260);
    view->setFrameShape(QFrame::NoFrame);
    return view;
}

void swapChart(QChartView *view, QChart *chart)
{
    chart->setAnimationOptions(QChart::NoAnimation);
    QChart *old = view->chart();
    view->setChart(chart);
    view->setAccessibleName(chart->title());
    delete old; // setChart leaves the old chart to its caller
}

} // namespace

DashboardView::DashboardView(DesktopContext &context, ClientListModel &clients, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
    , m_clients(clients)
{
    setObjectName(QStringLiteral("dashboardView"));
    setAccessibleName(tr("Dashboard"));
    m_loader = new DashboardLoader(*m_context.services().shared().database, *m_context.services().shared().clock, this);
    connect(m_loader, &DashboardLoader::loaded, this, &DashboardView::onLoaded);

    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("dashboardScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *content = new QWidget(scroll);
    content->setObjectName(QStringLiteral("dashboardContent"));
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(12, 10, 12, 12);
    layout->setSpacing(10);
    scroll->setWidget(content);
    outer->addWidget(scroll);

    buildControls();
    buildTiles();
    buildCharts();
    buildTables();
    auto *controls = new QHBoxLayout;
    controls->setSpacing(8);
    auto *rangeLabel = new QLabel(tr("&Range:"), content);
    rangeLabel->setBuddy(m_preset);
    controls->addWidget(rangeLabel);
    controls->addWidget(m_preset);
    controls->addWidget(m_from);
    controls->addWidget(m_to);
    controls->addSpacing(12);
    auto *clientLabel = new QLabel(tr("&Client:"), content);
    clientLabel->setBuddy(m_client);
    controls->addWidget(clientLabel);
    controls->addWidget(m_client, 1);
    controls->addWidget(m_refreshButton);
    controls->addWidget(m_exportButton);
    layout->addLayout(controls);
    layout->addWidget(m_status);
    auto *tileGrid = new QGridLayout;
    tileGrid->setSpacing(8);
    for (int i = 0; i < m_tiles.size(); ++i)
        tileGrid->addWidget(m_tiles.at(i)->frame, 0, i);
    layout->addLayout(tileGrid);
    layout->addWidget(m_chartStack);
    layout->addWidget(m_tables, 1);

    m_liveTimer.setSingleShot(true);
    m_liveTimer.setInterval(kLiveDelayMs);
    connect(&m_liveTimer, &QTimer::timeout, this, &DashboardView::refresh);
    connect(&m_context.events(), &EventBus::published, this, &DashboardView::onEvent, Qt::QueuedConnection);
    // Ready sessions and queued messages: the client list is live already; no query needed.
    connect(&m_clients, &QAbstractItemModel::dataChanged, this, &DashboardView::updateLiveTiles);
    connect(&m_clients, &QAbstractItemModel::modelReset, this, [this]() {
        fillClientFilter();
        updateLiveTiles();
        scheduleRefresh(); // a client added or removed changes the tables
    });
    fillClientFilter();
    showReport();
    refresh();
}

DashboardView::~DashboardView() = default;

void DashboardView::buildControls()
{
    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("dashboardPreset"));
    m_preset->addItem(tr("Today"), 1);
    m_preset->addItem(tr("Last 7 days"), 7);
    m_preset->addItem(tr("Last 30 days"), 30);
    m_preset->addItem(tr("Last 90 days"), 90);
    m_preset->addItem(tr("Custom…"), 0);
    m_preset->setCurrentIndex(Last7Days);
    const QDate today = QDate::currentDate();
    m_from = new QDateEdit(today.addDays(-6), this);
    m_from->setObjectName(QStringLiteral("dashboardFrom"));
    m_from->setAccessibleName(tr("From"));
    m_to = new QDateEdit(today, this);
    m_to->setObjectName(QStringLiteral("dashboardTo"));
    m_to->setAccessibleName(tr("To"));
    for (QDateEdit *e : {m_from, m_to}) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        e->setEnabled(false);
        connect(e, &QDateEdit::dateChanged, this, [this]() {
            if (preset() == Custom)
                scheduleRefresh();
        });
    }
    connect(m_preset, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int index) {
        const bool custom = index == Custom;
        m_from->setEnabled(custom);
        m_to->setEnabled(custom);
        refresh();
    });
    m_client = new QComboBox(this);
    m_client->setObjectName(QStringLiteral("dashboardClient"));
    m_client->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_client, qOverload<int>(&QComboBox::currentIndexChanged), this, [this]() {
        updateLiveTiles();
        refresh();
    });
    m_refreshButton = new QToolButton(this);
    m_refreshButton->setObjectName(QStringLiteral("dashboardRefresh"));
    m_refreshButton->setIcon(Icons::refresh());
    m_refreshButton->setText(tr("Refresh"));
    m_refreshButton->setToolTip(tr("Read the figures again"));
    m_refreshButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    connect(m_refreshButton, &QToolButton::clicked, this, &DashboardView::refresh);
    m_exportButton = new QToolButton(this);
    m_exportButton->setObjectName(QStringLiteral("dashboardExport"));
    m_exportButton->setIcon(Icons::saveFile());
    m_exportButton->setText(tr("Export"));
    m_exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    buildExportMenu();
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("dashboardStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
}

void DashboardView::buildTiles()
{
    const QList<QPair<QString, QString>> tiles{
        {QStringLiteral("messages_today"), tr("Messages today")},
        {QStringLiteral("delivery_rate"), tr("Delivery rate")},
        {QStringLiteral("read_rate"), tr("Read rate")},
        {QStringLiteral("average_first_response"), tr("Avg. first response")},
        {QStringLiteral("ready_sessions"), tr("Ready sessions")},
        {QStringLiteral("queued_messages"), tr("Queued messages")},
    };
    for (const auto &[key, title] : tiles) {
        auto *t = new TileWidgets;
        t->key = key;
        t->frame = new QFrame(this);
        t->frame->setObjectName(QStringLiteral("tile_") + key);
        t->frame->setFrameShape(QFrame::StyledPanel);
        t->frame->setAutoFillBackground(true);
        t->frame->setBackgroundRole(QPalette::Base);
        t->frame->setMinimumWidth(130);
        auto *box = new QVBoxLayout(t->frame);
        box->setContentsMargins(10, 8, 10, 8);
        box->setSpacing(2);
        t->title = new QLabel(title, t->frame);
        t->title->setForegroundRole(QPalette::PlaceholderText);
        t->value = new QLabel(QStringLiteral("—"), t->frame);
        t->value->setObjectName(QStringLiteral("tileValue_") + key);
        QFont big = t->value->font();
        big.setPointSizeF(big.pointSizeF() * 1.9);
        big.setBold(true);
        t->value->setFont(big);
        t->value->setForegroundRole(QPalette::Text);
        t->caption = new QLabel(t->frame);
        t->caption->setForegroundRole(QPalette::PlaceholderText);
        t->caption->setWordWrap(true);
        box->addWidget(t->title);
        box->addWidget(t->value);
        box->addWidget(t->caption);
        box->addStretch(1);
        m_tiles << t;
    }
}

void DashboardView::buildCharts()
{
    m_chartStack = new QStackedWidget(this);
    m_chartStack->setObjectName(QStringLiteral("dashboardCharts"));
    auto *charts = new QWidget(m_chartStack);
    auto *grid = new QGridLayout(charts);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(8);
    m_volume = makeChartView(charts, QStringLiteral("volumeChart"));
    m_rates = makeChartView(charts, QStringLiteral("ratesChart"));
    m_responses = makeChartView(charts, QStringLiteral("responseTimesChart"));
    auto *heatBox = new QFrame(charts);
    heatBox->setAutoFillBackground(true);
    heatBox->setBackgroundRole(QPalette::Base);
    auto *heatLayout = new QVBoxLayout(heatBox);
    heatLayout->setContentsMargins(8, 8, 8, 8);
    m_heatmapTitle = new QLabel(heatBox);
    m_heatmapTitle->setAlignment(Qt::AlignCenter);
    QFont bold = m_heatmapTitle->font();
    bold.setBold(true);
    m_heatmapTitle->setFont(bold);
    m_heatmapTitle->setForegroundRole(QPalette::Text);
    m_heatmap = new HeatmapWidget(heatBox);
    m_heatmap->setObjectName(QStringLiteral("heatmap"));
    heatLayout->addWidget(m_heatmapTitle);
    heatLayout->addWidget(m_heatmap, 1);
    grid->addWidget(m_volume, 0, 0);
    grid->addWidget(m_rates, 0, 1);
    grid->addWidget(m_responses, 1, 0);
    grid->addWidget(heatBox, 1, 1);
    m_chartStack->addWidget(charts);
    m_emptyLabel = new QLabel(m_chartStack);
    m_emptyLabel->setObjectName(QStringLiteral("dashboardEmpty"));
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setMargin(24);
    m_emptyLabel->setMinimumHeight(200);
    m_emptyLabel->setAutoFillBackground(true);
    m_emptyLabel->setBackgroundRole(QPalette::Base);
    m_chartStack->addWidget(m_emptyLabel);
}

void DashboardView::buildTables()
{
    m_tables = new QTabWidget(this);
    m_tables->setObjectName(QStringLiteral("dashboardTables"));
    m_tables->setDocumentMode(true);
    m_tables->setMinimumHeight(220);
    m_clientModel = new ReportTableModel(this);
    m_memberModel = new ReportTableModel(this);
    m_dailyModel = new ReportTableModel(this);
    const QList<std::tuple<ReportTableModel *, QString, QString>> tabs{
        {m_clientModel, tr("Per client"), QStringLiteral("clientTable")},
        {m_memberModel, tr("Per team member"), QStringLiteral("memberTable")},
        {m_dailyModel, tr("Per day"), QStringLiteral("dailyTable")},
    };
    for (const auto &[model, title, name] : tabs) {
        auto *view = new QTableView(m_tables);
        view->setObjectName(name);
        view->setModel(model);
        view->setAccessibleName(title);
        view->setSelectionBehavior(QAbstractItemView::SelectRows);
        view->setEditTriggers(QAbstractItemView::NoEditTriggers);
        view->setTabKeyNavigation(false); // Tab leaves the table (the arrows move between cells)
        view->setAlternatingRowColors(true);
        view->verticalHeader()->hide();
        view->horizontalHeader()->setStretchLastSection(false);
        view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        // The name column takes the room the numbers leave (once the table has columns).
        connect(model, &QAbstractItemModel::modelReset, view, [view]() {
            if (view->model()->columnCount() > 0)
                view->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
        });
        m_tables->addTab(view, title);
    }
    m_tables->setTabToolTip(1, tr("Outbound messages each member wrote and the conversations they answered "
                                  "(messages written on the phone have no author and are in no row)"));
}

void DashboardView::buildExportMenu()
{
    auto *menu = new QMenu(m_exportButton);
    menu->setObjectName(QStringLiteral("dashboardExportMenu"));
    QAction *json = menu->addAction(tr("View as &JSON…"), this, [this]() {
        exportWithDialog(tr("Save the Dashboard as JSON"), QStringLiteral("dashboard.json"), tr("JSON (*.json)"),
                         [this](const QString &path, QString *error) { return saveJson(path, error); });
    });
    json->setObjectName(QStringLiteral("exportJsonAction"));
    const QList<std::tuple<Table, QString, QString>> tables{
        {Table::Clients, tr("Per-client table as &CSV…"), QStringLiteral("dashboard-clients.csv")},
        {Table::Members, tr("Per-member table as CSV…"), QStringLiteral("dashboard-members.csv")},
        {Table::Daily, tr("Per-day table as CSV…"), QStringLiteral("dashboard-days.csv")},
    };
    for (const auto &[table, text, file] : tables) {
        const Table which = table;
        const QString fileName = file;
        menu->addAction(text, this, [this, which, fileName]() {
            exportWithDialog(tr("Save a table as CSV"), fileName, tr("CSV (*.csv)"),
                             [this, which](const QString &path, QString *error) { return saveCsv(which, path, error); });
        });
    }
    menu->addSeparator();
    for (DashboardCharts::Kind kind : {DashboardCharts::Kind::Volume, DashboardCharts::Kind::Rates, DashboardCharts::Kind::ResponseTimes,
                                       DashboardCharts::Kind::Heatmap}) {
        menu->addAction(tr("“%1” as PNG…").arg(DashboardCharts::title(kind)), this, [this, kind]() {
            exportWithDialog(tr("Save a chart as PNG"), QStringLiteral("dashboard-%1.png").arg(DashboardCharts::slug(kind)),
                             tr("PNG image (*.png)"),
                             [this, kind](const QString &path, QString *error) { return savePng(kind, path, error); });
        });
    }
    menu->addSeparator();
    QAction *pdf = menu->addAction(tr("Report as &PDF…"), this, [this]() {
        exportWithDialog(tr("Save the report as PDF"), QStringLiteral("wadesk-report.pdf"), tr("PDF (*.pdf)"),
                         [this](const QString &path, QString *error) { return savePdf(path, error); });
    });
    pdf->setObjectName(QStringLiteral("exportPdfAction"));
    m_exportButton->setMenu(menu);
}

void DashboardView::exportWithDialog(const QString &title, const QString &fileName, const QString &filter,
                                     const std::function<bool(const QString &, QString *)> &save)
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString path = QFileDialog::getSaveFileName(this, title, dir.isEmpty() ? fileName : dir + QLatin1Char('/') + fileName, filter);
    if (path.isEmpty())
        return;
    QString error;
    if (!save(path, &error))
        QMessageBox::warning(this, title, error);
}

void DashboardView::fillClientFilter()
{
    const QString keep = clientFilter();
    const QSignalBlocker block(m_client);
    m_client->clear();
    m_client->addItem(tr("All clients"), QString());
    for (int row = 0; row < m_clients.rowCount(); ++row) {
        const QModelIndex at = m_clients.index(row, 0);
        m_client->addItem(at.data(ClientListModel::NameRole).toString(), at.data(ClientListModel::ClientIdRole).toString());
    }
    const int index = m_client->findData(keep);
    m_client->setCurrentIndex(index < 0 ? 0 : index);
}

void DashboardView::setPreset(Preset preset)
{
    m_preset->setCurrentIndex(int(preset)); // → refresh
}

DashboardView::Preset DashboardView::preset() const
{
    return Preset(m_preset->currentIndex());
}

void DashboardView::setCustomRange(const QDate &start, const QDate &end)
{
    {
        const QSignalBlocker a(m_from);
        const QSignalBlocker b(m_to);
        m_from->setDate(start);
        m_to->setDate(end);
    }
    if (preset() == Custom)
        refresh();
    else
        setPreset(Custom);
}

void DashboardView::setClientFilter(const QString &clientId)
{
    const int index = m_client->findData(clientId);
    m_client->setCurrentIndex(index < 0 ? 0 : index);
}

QString DashboardView::clientFilter() const
{
    return m_client->currentData().toString();
}

bool DashboardView::loading() const
{
    return m_loader->busy();
}

DashboardQuery DashboardView::query() const
{
    DashboardQuery q;
    q.lastDays = m_preset->currentData().toInt();
    if (q.lastDays <= 0) {
        q.start = m_from->date();
        q.end = m_to->date();
    }
    q.clientId = clientFilter();
    return q;
}

void DashboardView::refresh()
{
    m_liveTimer.stop();
    if (!m_context.signedIn() || !m_context.actor().can(Permission::ViewAnalytics))
        return;
    m_loader->request(m_context.actor(), query());
    if (!m_everLoaded)
        m_status->setText(tr("Reading the figures…"));
}

void DashboardView::scheduleRefresh()
{
    if (!m_liveTimer.isActive())
        m_liveTimer.start();
}

void DashboardView::onEvent(const Event &event)
{
    if (!m_context.signedIn() || event.organizationId != m_context.actor().organizationId)
        return;
    const std::optional<EventType> kind = event.kind();
    if (!kind)
        return;
    switch (*kind) {
    case EventType::MessageSent:
    case EventType::MessageDelivered:
    case EventType::MessageRead:
    case EventType::MessageFailed:
    case EventType::MessageReceived:
    case EventType::MessageRevoked:
        scheduleRefresh();
        break;
    default:
        break;
    }
}

void DashboardView::onLoaded(const DashboardReport &report)
{
    m_report = report;
    m_everLoaded = true;
    showReport();
    emit reportShown();
}

QString DashboardView::clientName(const QString &clientId) const
{
    if (clientId.isEmpty())
        return {};
    const int index = m_client->findData(clientId);
    return index < 0 ? clientId : m_client->itemText(index);
}

void DashboardView::showReport()
{
    const DashboardReport &r = m_report;
    const QLocale locale;
    if (!r.error.isEmpty()) {
        m_status->setText(tr("Could not read the figures: %1").arg(r.error));
    } else if (r.valid()) {
        // The range the service used (today in the organization's zone), shown in the date fields too.
        if (preset() != Custom) {
            const QSignalBlocker a(m_from);
            const QSignalBlocker b(m_to);
            m_from->setDate(r.start);
            m_to->setDate(r.end);
        }
        const QString range = r.start == r.end ? locale.toString(r.start, QLocale::ShortFormat)
                                               : tr("%1 – %2").arg(locale.toString(r.start, QLocale::ShortFormat),
                                                                   locale.toString(r.end, QLocale::ShortFormat));
        m_status->setText(tr("%1 · %2 · days in %3 · updated %4")
                              .arg(r.organizationName, range, r.timeZone,
                                   locale.toString(QDateTime::fromMSecsSinceEpoch(r.generatedAt).time(), QLocale::ShortFormat)));
    }

    const qint64 outbound = r.rates.counts.sent;
    setTile(QStringLiteral("messages_today"), r.valid() ? locale.toString(r.stats.messagesToday) : QStringLiteral("—"),
            r.valid() ? tr("%1 in total, in and out").arg(locale.toString(r.stats.totalMessages)) : QString());
    setTile(QStringLiteral("delivery_rate"), percentText(r.rates.deliveryRate),
            outbound > 0 ? tr("%1 of %2 sent").arg(locale.toString(r.rates.counts.delivered), locale.toString(outbound))
                         : tr("nothing sent in the range"));
    setTile(QStringLiteral("read_rate"), percentText(r.rates.readRate),
            outbound > 0 ? tr("%1 of %2 sent").arg(locale.toString(r.rates.counts.read), locale.toString(outbound))
                         : tr("nothing sent in the range"));
    setTile(QStringLiteral("average_first_response"),
            ReportTableModel::hoursText(r.responses.averageHours ? QVariant(*r.responses.averageHours) : QVariant()),
            r.responses.responses > 0 ? tr("median %1 · %2 of %3 answered")
                                            .arg(ReportTableModel::hoursText(r.responses.medianHours ? QVariant(*r.responses.medianHours) : QVariant()))
                                            .arg(r.responses.responses)
                                            .arg(r.responses.conversations)
                                      : tr("no conversation answered in the range"));
    updateLiveTiles();

    m_dailyModel->showDailyVolume(r);
    m_clientModel->showClients(r);
    m_memberModel->showMembers(r);

    const QPalette pal = palette();
    swapChart(m_volume, DashboardCharts::volume(r, pal));
    swapChart(m_rates, DashboardCharts::rates(r, pal));
    swapChart(m_responses, DashboardCharts::responseTimes(r, pal));
    m_heatmap->setCells(r.heatmap);
    m_heatmapTitle->setText(tr("%1 (%2)").arg(DashboardCharts::title(DashboardCharts::Kind::Heatmap),
                                              r.timeZone.isEmpty() ? tr("local time") : r.timeZone));

    // What stands in for the charts, and why.
    QString empty;
    if (!m_everLoaded) {
        empty = tr("Reading the figures…");
    } else if (!r.error.isEmpty()) {
        empty = tr("The figures could not be read (%1).\nThe Dashboard tries again with the next message, or use Refresh.").arg(r.error);
    } else if (m_clients.rowCount() == 0) {
        empty = m_context.actor().can(Permission::ManageClients)
                    ? tr("No WhatsApp clients yet.\nAdd one with File → Add Client, link its phone, and the daily volume, delivery and "
                         "read rates, response times and busiest hours of its messages appear here.")
                    : tr("No WhatsApp clients are assigned to you yet.\nOnce an admin assigns you clients, the daily volume, "
                         "rates, response times and busiest hours of their messages appear here.");
    } else if (r.messagesInRange() == 0) {
        empty = tr("No messages were sent or received %1 %2.\nThe daily volume, delivery and read rates, response times and "
                   "busiest hours appear here as soon as messages are sent or received; pick a longer range to see earlier ones.")
                    .arg(r.start == r.end ? tr("on") : tr("from"),
                         r.start == r.end ? locale.toString(r.start, QLocale::LongFormat)
                                          : tr("%1 to %2").arg(locale.toString(r.start, QLocale::ShortFormat),
                                                               locale.toString(r.end, QLocale::ShortFormat)))
                + (r.clientId.isEmpty() ? QString() : tr("\n(Only %1 is shown: choose All clients to see the others.)").arg(clientName(r.clientId)));
    }
    m_emptyLabel->setText(empty);
    m_chartStack->setCurrentIndex(empty.isEmpty() ? 0 : 1);
}

bool DashboardView::chartsShown() const
{
    return m_chartStack->currentIndex() == 0;
}

void DashboardView::updateLiveTiles()
{
    const QString only = clientFilter();
    int ready = 0;
    int total = 0;
    qint64 queued = 0;
    for (int row = 0; row < m_clients.rowCount(); ++row) {
        const QModelIndex at = m_clients.index(row, 0);
        if (!only.isEmpty() && at.data(ClientListModel::ClientIdRole).toString() != only)
            continue;
        ++total;
        if (ClientStatus::isReady(SessionState(at.data(ClientListModel::StateRole).toInt())))
            ++ready;
        queued += at.data(ClientListModel::QueueDepthRole).toInt();
    }
    const QLocale locale;
    setTile(QStringLiteral("ready_sessions"), tr("%1 of %2").arg(ready).arg(total),
            total == 0 ? tr("no clients to run") : tr("WhatsApp sessions ready now"));
    setTile(QStringLiteral("queued_messages"), locale.toString(queued), tr("accepted, waiting to be sent"));
}

void DashboardView::setTile(const QString &key, const QString &text, const QString &caption)
{
    for (TileWidgets *t : m_tiles) {
        if (t->key != key)
            continue;
        t->value->setText(text);
        t->caption->setText(caption);
        t->frame->setAccessibleName(tr("%1: %2").arg(t->title->text(), text));
        t->frame->setToolTip(caption);
    }
}

QList<DashboardExport::Tile> DashboardView::tiles() const
{
    QList<DashboardExport::Tile> out;
    for (const TileWidgets *t : m_tiles)
        out << DashboardExport::Tile{t->key, t->title->text(), t->value->text(), t->caption->text()};
    return out;
}

QString DashboardView::tileText(const QString &key) const
{
    for (const TileWidgets *t : m_tiles) {
        if (t->key == key)
            return t->value->text();
    }
    return {};
}

ReportTableModel *DashboardView::model(Table table) const
{
    switch (table) {
    case Table::Daily:
        return m_dailyModel;
    case Table::Clients:
        return m_clientModel;
    case Table::Members:
        return m_memberModel;
    }
    return nullptr;
}

QChartView *DashboardView::chartView(DashboardCharts::Kind kind) const
{
    switch (kind) {
    case DashboardCharts::Kind::Volume:
        return m_volume;
    case DashboardCharts::Kind::Rates:
        return m_rates;
    case DashboardCharts::Kind::ResponseTimes:
        return m_responses;
    case DashboardCharts::Kind::Heatmap:
        return nullptr;
    }
    return nullptr;
}

namespace {

bool writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit())
        return true;
    if (error)
        *error = DashboardView::tr("Cannot write %1: %2").arg(path, file.errorString());
    return false;
}

} // namespace

bool DashboardView::saveJson(const QString &path, QString *error) const
{
    return writeFile(path, DashboardExport::json(m_report, tiles()), error);
}

bool DashboardView::saveCsv(Table table, const QString &path, QString *error) const
{
    return writeFile(path, model(table)->toCsv(), error);
}

bool DashboardView::savePng(DashboardCharts::Kind kind, const QString &path, QString *error) const
{
    const QImage image = DashboardExport::chartImage(m_report, kind, QSize(900, 450), palette(), 2.0);
    if (image.save(path, "PNG"))
        return true;
    if (error)
        *error = tr("Cannot write %1").arg(path);
    return false;
}

bool DashboardView::savePdf(const QString &path, QString *error) const
{
    return DashboardExport::writePdf(path, m_report, tiles(), clientName(m_report.clientId), error);
}

void DashboardView::changeEvent(QEvent *event)
{
    // Dark or light: the charts take their colours from the palette when they are made.
    if (event->type() == QEvent::PaletteChange && m_volume)
        showReport();
    QWidget::changeEvent(event);
}

} // namespace wadesk

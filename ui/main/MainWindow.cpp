#include "main/MainWindow.h"

#include "common/Version.h"
#include "engine/EngineInfo.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QVBoxLayout>

namespace wadesk {

MainWindow::MainWindow(Facts facts, QWidget *parent)
    : QMainWindow(parent)
    , m_facts(std::move(facts))
{
    setWindowTitle(QLatin1String(kDisplayName));
    setObjectName(QStringLiteral("mainWindow"));
    resize(1100, 720);

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *quitAction = fileMenu->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quitAction->setShortcut(QKeySequence::Quit);

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *aboutAction = helpMenu->addAction(tr("&About WaDesk"), this, &MainWindow::showAbout);
    aboutAction->setObjectName(QStringLiteral("aboutAction"));
    helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    auto *welcome = new QLabel(tr("WaDesk is running. The REST API listens on %1.").arg(m_facts.apiAddress), central);
    welcome->setAlignment(Qt::AlignCenter);
    layout->addWidget(welcome);
    setCentralWidget(central);

    m_apiLabel = new QLabel(tr("API: %1").arg(m_facts.apiAddress), this);
    m_apiLabel->setObjectName(QStringLiteral("apiStatusLabel"));
    m_databaseLabel = new QLabel(tr("Database: %1").arg(m_facts.database), this);
    m_databaseLabel->setObjectName(QStringLiteral("databaseStatusLabel"));
    m_databaseLabel->setToolTip(m_facts.secrets);
    statusBar()->addWidget(m_apiLabel);
    statusBar()->addPermanentWidget(m_databaseLabel);
}

QString MainWindow::aboutText()
{
    return tr("<h3>WaDesk %1</h3><p>Runs a team's WhatsApp sessions, with a REST API and signed webhooks.</p>"
              "<p>Qt %2 (built with %3)<br>Chromium %4 (Qt WebEngine %5)</p>")
        .arg(QLatin1String(kVersion), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
             EngineInfo::chromiumVersion(), EngineInfo::qtWebEngineVersion());
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About WaDesk"), aboutText());
}

} // namespace wadesk

// Screenshots of the main window, rendered offscreen against the fake WhatsApp Web page, for
// people to look at (the README's pictures come from here): a client on its QR screen, a
// linked client's live page, and a conversation with every kind of tick, in the light palette
// and in a dark one. PNGs go to $WADESK_SCREENSHOT_DIR (CTest sets <build>/screenshots), else
// to "screenshots" next to the test binary's build directory.

#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"

#include "ui/conversations/Composer.h"
#include "ui/conversations/ConversationsView.h"
#include "ui/main/MainWindow.h"
#include "core/messaging/ContactService.h"
#include "core/messaging/MessageService.h"
#include "ui/models/MessageThreadModel.h"
#include "ui/models/ClientListModel.h"
#include "ui/clients/SessionView.h"

#include <QDir>
#include <QImage>
#include <QListView>
#include <QPalette>
#include <QStyleFactory>
#include <QWebEngineView>

using namespace wadesk;
using wadesk::test::kUiWaitMs;
using wadesk::test::darkPalette;
using wadesk::test::hasContent;
using wadesk::test::screenshotDir;
using wadesk::test::UiHarness;

namespace {
const QSize kWindowSize(1280, 800);
} // namespace

class TestScreenshots : public QObject {
    Q_OBJECT

    UiHarness h;
    QString m_ready;
    QString m_qr;
    QString m_stopped;
    QString m_dir;

    bool save(QWidget &w, const QString &name)
    {
        w.repaint();
        QCoreApplication::processEvents();
        const QImage image = w.grab().toImage();
        const QString path = QDir(m_dir).filePath(name);
        if (!image.save(path))
            return false;
        qInfo("screenshot: %s (%dx%d)", qPrintable(path), image.width(), image.height());
        return hasContent(image);
    }

    // Waits until the web view has painted the page (Chromium renders asynchronously).
    void waitForPage(MainWindow &w)
    {
        QWebEngineView *view = w.sessionView()->webView();
        QVERIFY(view);
        if (!QTest::qWaitFor([&] { return hasContent(view->grab().toImage()); }, 10000))
            qWarning("the web view painted nothing offscreen; the screenshot shows it empty");
    }

private slots:
    void initTestCase()
    {
        m_dir = screenshotDir();
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        m_ready = h.createClient(QStringLiteral("Sales team"));
        m_qr = h.createClient(QStringLiteral("Customer support"));
        m_stopped = h.createClient(QStringLiteral("Billing"));
        QVERIFY(h.startToQr(m_ready));
        QVERIFY(h.scan(m_ready, QStringLiteral("14155552673")));
        QVERIFY(h.startToQr(m_qr));

        // A conversation with every tick: received, read, delivered, failed, queued.
        for (const QString &body : {QStringLiteral("Hi! Is my order #1042 on its way?"), QStringLiteral("Thanks, that was quick.")})
            QVERIFY(h.fake(m_ready, QStringLiteral("incoming({from: '14155550150', body: '%1', notifyName: 'Maria Lopez'})").arg(body))
                        .toObject().value(QLatin1String("ok")).toBool());
        QVERIFY(h.fake(m_ready, QStringLiteral("incoming({from: '14155550151', body: 'Can I change my delivery address?'})"))
                    .toObject().value(QLatin1String("ok")).toBool());
        QTRY_VERIFY_WITH_TIMEOUT(h.context->contacts().list(h.admin, ContactQuery()).value().contacts.size() >= 2, kUiWaitMs);
        auto send = [&](const QString &to, const QString &text) {
            Result<MessageService::Accepted> a = h.context->messages().send(h.admin, m_ready, to, text, QString());
            return a ? a.value().messageId : QString();
        };
        const QString read = send(QStringLiteral("+14155550150"), QStringLiteral("Hello Maria, yes: it left the warehouse this morning."));
        QTRY_COMPARE_WITH_TIMEOUT(messageStatusName(h.context->messages().get(h.admin, read).value().status), QStringLiteral("read"), kUiWaitMs);
        h.fake(m_ready, QStringLiteral("configure({maxAck: 2})"));
        const QString delivered = send(QStringLiteral("+14155550150"), QStringLiteral("It should arrive tomorrow before noon."));
        QTRY_COMPARE_WITH_TIMEOUT(messageStatusName(h.context->messages().get(h.admin, delivered).value().status), QStringLiteral("delivered"), kUiWaitMs);
        h.fake(m_ready, QStringLiteral("failNextSend('Chat not found for 14155550150@c.us')"));
        const QString failed = send(QStringLiteral("+14155550150"), QStringLiteral("Here is the tracking link."));
        QTRY_COMPARE_WITH_TIMEOUT(messageStatusName(h.context->messages().get(h.admin, failed).value().status), QStringLiteral("failed"), kUiWaitMs);
    }

    void cleanupTestCase() { h.tearDown(); }

    void qrScreen()
    {
        MainWindow w(*h.context);
        w.resize(kWindowSize);
        w.show();
        w.selectClient(m_qr);
        w.showPage(0);
        QVERIFY(w.sessionView()->attachedPage());
        waitForPage(w);
        QVERIFY(save(w, QStringLiteral("main-window-qr.png")));
    }

    void readySession()
    {
        MainWindow w(*h.context);
        w.resize(kWindowSize);
        w.show();
        w.selectClient(m_ready);
        w.showPage(0);
        QVERIFY(w.sessionView()->attachedPage());
        waitForPage(w);
        QVERIFY(save(w, QStringLiteral("main-window-ready.png")));
    }

    void conversation()
    {
        // Held by a pause taken before the sender (on this thread) could move: it stays queued,
        // and the strip says the queue is paused.
        QVERIFY(h.context->messages().send(h.admin, m_ready, QStringLiteral("+14155550150"),
                                           QStringLiteral("Anything else I can help with?"), QString()).ok());
        h.registry->pause(h.admin.organizationId, m_ready, QStringLiteral("paused by admin@ui.test"));
        MainWindow w(*h.context);
        w.resize(kWindowSize);
        w.show();
        w.selectClient(m_ready);
        w.showPage(1);
        w.conversationsView()->openConversation(QStringLiteral("+14155550150"));
        QVERIFY(w.conversationsView()->threadModel()->rowCount() >= 6);
        w.conversationsView()->composer()->setText(QStringLiteral("Your parcel is with the courier now."));
        QVERIFY(save(w, QStringLiteral("conversations.png")));
    }

    void conversationDark()
    {
        const QPalette light = QApplication::palette();
        QApplication::setPalette(darkPalette());
        {
            MainWindow w(*h.context);
            w.resize(kWindowSize);
            w.show();
            w.selectClient(m_ready);
            w.showPage(1);
            w.conversationsView()->openConversation(QStringLiteral("+14155550150"));
            QVERIFY(save(w, QStringLiteral("conversations-dark.png")));
            w.showPage(0);
            waitForPage(w);
            QVERIFY(save(w, QStringLiteral("main-window-ready-dark.png")));
        }
        QApplication::setPalette(light);
    }
};

WADESK_UI_TEST_MAIN(TestScreenshots)

#include "tst_screenshots.moc"

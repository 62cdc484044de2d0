// Linking from the desktop against a real SessionRegistry and the fake WhatsApp Web page: the
// session screen draws the QR code itself (the same image GET /api/clients/:id/qr serves) beside
// the page, whatever the page draws, with the time until it changes; "New code" asks the page
// for another; "Link with phone number instead" refuses a bad number without asking the page,
// shows the page's code large and copyable, and the client links when the phone types it. Agents
// see no linking controls. Screenshots light and dark go to <build>/screenshots.

#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"

#include "core/sessions/QrPng.h"
#include "ui/clients/LinkPanel.h"
#include "ui/clients/PairingCodeDialog.h"
#include "ui/clients/SessionView.h"
#include "ui/common/ErrorLabel.h"

#include <QApplication>
#include <QClipboard>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>

using namespace wadesk;
using wadesk::test::kUiWaitMs;
using wadesk::test::UiHarness;

class TestLinkingUi : public QObject {
    Q_OBJECT

    UiHarness h;
    QString m_client;

    QString pageQr() { return h.fake(m_client, QStringLiteral("state().qr")).toString(); }

    // The countdown's "changes in m:ss" in seconds, or -1.
    static int secondsLeft(LinkPanel *panel)
    {
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("changes in (\\d+):(\\d\\d)")).match(panel->countdownText());
        return m.hasMatch() ? m.captured(1).toInt() * 60 + m.captured(2).toInt() : -1;
    }

    void save(QWidget &w, const QString &name)
    {
        w.repaint();
        QCoreApplication::processEvents();
        const QImage image = w.grab().toImage();
        QVERIFY(wadesk::test::hasContent(image));
        const QString path = QDir(wadesk::test::screenshotDir()).filePath(name);
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        m_client = h.createClient(QStringLiteral("Reception"));
        QVERIFY(h.startToQr(m_client));
    }

    void cleanupTestCase() { h.tearDown(); }

    void qrDrawnBesideThePage()
    {
        SessionView view(*h.context);
        view.resize(1200, 720);
        view.setClient(m_client, QStringLiteral("Reception"));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        LinkPanel *panel = view.linkPanel();
        QVERIFY(panel && panel->isVisible());
        QVERIFY(view.attachedPage()); // the live page stays beside it

        // The page's own drawing hidden: the panel draws the code it reads, the API's image.
        QVERIFY(UiHarness::js(h.page(m_client), QStringLiteral("(document.body.style.visibility = 'hidden', true)")).toBool());
        const QString first = pageQr();
        QVERIFY(first.startsWith(QLatin1String("2@")));
        QTRY_COMPARE_WITH_TIMEOUT(panel->qrText(), first, kUiWaitMs);
        const QImage served = QImage::fromData(QrPng::render(first), "PNG");
        QVERIFY(!served.isNull());
        QCOMPARE(panel->qrImage().convertToFormat(QImage::Format_RGB32), served.convertToFormat(QImage::Format_RGB32));
        // WhatsApp's first code lives about a minute, the later ones about twenty seconds.
        QVERIFY2(secondsLeft(panel) > 20 && secondsLeft(panel) <= 60, qPrintable(panel->countdownText()));
        QVERIFY(!panel->newCodeButton()->accessibleName().isEmpty());
        QVERIFY(!panel->phoneButton()->accessibleName().isEmpty());

        // "New code": the page makes another (wa-js conn.refreshQR) and the panel draws it.
        const int before = h.fake(m_client, QStringLiteral("state().qrCount")).toInt();
        QTest::mouseClick(panel->newCodeButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(h.fake(m_client, QStringLiteral("state().qrCount")).toInt() > before, kUiWaitMs);
        const QString second = pageQr();
        QVERIFY(second != first);
        QTRY_COMPARE_WITH_TIMEOUT(panel->qrText(), second, kUiWaitMs);
        QCOMPARE(panel->qrImage().convertToFormat(QImage::Format_RGB32),
                 QImage::fromData(QrPng::render(second), "PNG").convertToFormat(QImage::Format_RGB32));
        QTRY_VERIFY2_WITH_TIMEOUT(secondsLeft(panel) > 0 && secondsLeft(panel) <= 20, qPrintable(panel->countdownText()), kUiWaitMs);
        QVERIFY(UiHarness::js(h.page(m_client), QStringLiteral("(document.body.style.visibility = '', true)")).toBool());

        save(view, QStringLiteral("session-qr.png"));
        const QPalette light = QApplication::palette();
        QApplication::setPalette(wadesk::test::darkPalette());
        save(view, QStringLiteral("session-qr-dark.png"));
        QApplication::setPalette(light);
    }

    void agentsSeeNoLinkingControls()
    {
        Result<UserRecord> agent = h.createMember(QStringLiteral("agent@ui.test"), Role::Agent);
        QVERIFY(agent.ok());
        h.context->signIn(UiHarness::actorOf(agent.value()));
        {
            SessionView view(*h.context);
            view.setClient(m_client, QStringLiteral("Reception"));
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            QVERIFY(!view.linkPanel()->isVisible());
            QVERIFY(view.linkPanel()->qrText().isEmpty());
        }
        h.context->signIn(h.admin);
    }

    void linkWithPhoneNumber()
    {
        SessionView view(*h.context);
        view.resize(1200, 720);
        view.setClient(m_client, QStringLiteral("Reception"));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        LinkPanel *panel = view.linkPanel();
        QTest::mouseClick(panel->phoneButton(), Qt::LeftButton);
        QPointer<PairingCodeDialog> dialog = panel->pairingDialog();
        QVERIFY(dialog && dialog->isVisible());
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        QVERIFY(!dialog->phoneEdit()->accessibleName().isEmpty());

        // A bad number: said at once, nothing asked of the page.
        dialog->phoneEdit()->setText(QStringLiteral("call me maybe"));
        QTest::mouseClick(dialog->requestButton(), Qt::LeftButton);
        QVERIFY(dialog->errorLabel()->isVisible());
        QVERIFY2(dialog->errorLabel()->text().contains(QLatin1String("phone number")), qPrintable(dialog->errorLabel()->text()));
        QVERIFY(dialog->code().isEmpty());
        QVERIFY(dialog->shownCode().isEmpty());
        QCOMPARE(h.fake(m_client, QStringLiteral("state().pairingRequests.length")).toInt(-1), 0);

        // A good one: the page's code, large, grouped as the phone shows it, and copyable.
        dialog->phoneEdit()->setText(QStringLiteral("+1 415 555 2673"));
        QTest::keyClick(dialog->phoneEdit(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog || !dialog->code().isEmpty(), kUiWaitMs);
        QVERIFY(dialog && dialog->isVisible());
        QVERIFY(!dialog->errorLabel()->isVisible());
        const QString code = dialog->code();
        QCOMPARE(h.fake(m_client, QStringLiteral("state().pairingCode")).toString(), code);
        QCOMPARE(h.fake(m_client, QStringLiteral("state().pairingPhone")).toString(), QStringLiteral("14155552673"));
        QCOMPARE(dialog->shownCode(), code.left(4) + QLatin1Char('-') + code.mid(4));
        QTest::mouseClick(dialog->copyButton(), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), code);

        save(*dialog, QStringLiteral("pairing-code.png"));
        const QPalette light = QApplication::palette();
        QApplication::setPalette(wadesk::test::darkPalette());
        save(*dialog, QStringLiteral("pairing-code-dark.png"));
        QApplication::setPalette(light);

        // The phone types it: linked; the dialog and the panel go.
        QVERIFY(h.fake(m_client, QStringLiteral("enterPairingCode('%1')").arg(dialog->shownCode())).toObject().value(QLatin1String("ok")).toBool());
        QVERIFY(h.waitState(m_client, SessionState::Ready));
        QTRY_VERIFY_WITH_TIMEOUT(!dialog || !dialog->isVisible(), kUiWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isVisible(), kUiWaitMs);
        QCOMPARE(h.registry->snapshot(m_client)->phoneNumber, QStringLiteral("+14155552673"));
    }
};

WADESK_UI_TEST_MAIN(TestLinkingUi)

#include "tst_linking_ui.moc"

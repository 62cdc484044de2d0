// The desktop's media (issue 11): the composer takes one file (paperclip, drop, pasted image as
// PNG) with a preview strip and the text as its caption, and refuses a file over media/maxBytes
// before sending; the thumbnailer reads pictures scaled off the GUI thread, refuses one whose
// header announces a giant, and keeps a bounded cache; the thread's delegate draws a thumbnail
// or a file card above the caption; safe names for files written out; the storage text.

#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"

#include "ui/common/DataSize.h"
#include "ui/common/ImageThumbnailer.h"
#include "ui/conversations/AttachmentFiles.h"
#include "ui/conversations/Composer.h"
#include "ui/conversations/ConversationsView.h"
#include "ui/main/MainWindow.h"
#include "core/messaging/MessageService.h"
#include "core/media/MediaService.h"
#include "ui/conversations/MessageDelegate.h"
#include "ui/main/MediaStorageLabel.h"
#include "ui/models/MessageThreadModel.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QClipboard>
#include <QDesktopServices>
#include <QJsonArray>
#include <QJsonObject>
#include <QDropEvent>
#include <QFrame>
#include <QGuiApplication>
#include <QImageReader>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMimeData>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTransform>

using namespace wadesk;
using wadesk::test::hasContent;
using wadesk::test::kUiWaitMs;
using wadesk::test::UiHarness;

namespace {

QImage picture(const QSize &size, const QColor &color)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(color);
    QPainter p(&image);
    p.fillRect(QRect(QPoint(0, 0), size / 4), Qt::white); // not one flat colour
    return image;
}

QString writeImage(const QTemporaryDir &dir, const QString &name, const QImage &image, const char *format)
{
    const QString path = dir.filePath(name);
    return image.save(path, format) ? path : QString();
}

QString writeBytes(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    QFile file(dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return file.fileName();
}

// A picture that looks like one in the screenshot: sky, sun, hills.
QImage samplePhoto()
{
    QImage image(960, 640, QImage::Format_RGB32);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    QLinearGradient sky(0, 0, 0, 640);
    sky.setColorAt(0, QColor(70, 130, 200));
    sky.setColorAt(1, QColor(250, 200, 150));
    p.fillRect(image.rect(), sky);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(255, 220, 90));
    p.drawEllipse(QPointF(700, 220), 70, 70);
    p.setBrush(QColor(60, 140, 80));
    p.drawEllipse(QRectF(-200, 420, 800, 420));
    p.setBrush(QColor(40, 110, 60));
    p.drawEllipse(QRectF(350, 460, 900, 400));
    return image;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Takes what QDesktopServices::openUrl is asked to open (registered for file: URLs in tests).
class OpenedUrls : public QObject {
    Q_OBJECT
public:
    QList<QUrl> urls;
public slots:
    void open(const QUrl &url) { urls << url; }
};

quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xffffffffu;
    for (const char ch : data) {
        crc ^= quint8(ch);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

// A real small PNG whose header is rewritten to announce `width`×`height` (CRC fixed, so the
// header reads as valid): what a decompression bomb looks like before it is decoded.
QByteArray pngAnnouncing(int width, int height)
{
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    picture(QSize(8, 8), Qt::red).save(&buffer, "PNG");
    // 8-byte signature, then length(4) "IHDR"(4) data(13) crc(4).
    auto put32 = [&](int at, quint32 v) {
        for (int i = 0; i < 4; ++i)
            png[at + i] = char((v >> (24 - 8 * i)) & 0xff);
    };
    put32(16, quint32(width));
    put32(20, quint32(height));
    put32(29, crc32(png.mid(12, 17)));
    return png;
}

} // namespace

class TestMediaUi : public QObject {
    Q_OBJECT

    UiHarness h;
    QTemporaryDir files;
    QString m_client;
    QString m_sentImage;

    static QByteArray samplePdf()
    {
        return QByteArrayLiteral("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                                 "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
                                 "trailer\n<< /Root 1 0 R >>\n%%EOF\n");
    }

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        QVERIFY(files.isValid());
        m_client = h.createClient(QStringLiteral("Media desk"));
        QVERIFY(!m_client.isEmpty());
    }

    void cleanupTestCase() { h.tearDown(); }

    void dataSizes()
    {
        QLocale::setDefault(QLocale::c());
        QCOMPARE(dataSizeText(512), QStringLiteral("512 bytes"));
        QCOMPARE(dataSizeText(1536), QStringLiteral("1.5 kB"));
        QCOMPARE(dataSizeText(5LL * 1024 * 1024 * 1024), QStringLiteral("5 GB"));
        QCOMPARE(MediaStorageLabel::textFor(1288490189LL, 5LL * 1024 * 1024 * 1024), QStringLiteral("Media storage: 1.2 GB of 5 GB (24%)"));
        QCOMPARE(MediaStorageLabel::textFor(20LL * 1024 * 1024, 5LL * 1024 * 1024 * 1024), QStringLiteral("Media storage: 20 MB of 5 GB (0.4%)"));
        QCOMPARE(MediaStorageLabel::textFor(0, 1024), QStringLiteral("Media storage: 0 bytes of 1 kB (0%)"));
        QCOMPARE(MediaStorageLabel::textFor(5000, 5LL * 1024 * 1024 * 1024), QStringLiteral("Media storage: 4.9 kB of 5 GB (under 0.1%)"));
        QCOMPARE(MediaStorageLabel::textFor(5LL * 1024 * 1024 * 1024, 5LL * 1024 * 1024 * 1024), QStringLiteral("Media storage: 5 GB of 5 GB (100%)"));
        QLocale::setDefault(QLocale(QLocale::German));
        QCOMPARE(dataSizeText(1536), QStringLiteral("1,5 kB"));
        QLocale::setDefault(QLocale::c());
    }

    void safeNames()
    {
        QCOMPARE(AttachmentFiles::safeFileName(QStringLiteral("invoice 12.pdf"), QStringLiteral("application/pdf")), QStringLiteral("invoice 12.pdf"));
        QCOMPARE(AttachmentFiles::safeFileName(QStringLiteral("../../etc/passwd"), QString()), QStringLiteral("passwd"));
        QCOMPARE(AttachmentFiles::safeFileName(QStringLiteral("C:\\Windows\\evil.exe"), QString()), QStringLiteral("evil.exe"));
        QCOMPARE(AttachmentFiles::safeFileName(QStringLiteral(".bashrc"), QString()), QStringLiteral("bashrc"));
        QCOMPARE(AttachmentFiles::safeFileName(QStringLiteral("a<b>c:d|e?f*g\"h\n.txt"), QString()), QStringLiteral("a_b_c_d_e_f_g_h_.txt"));
        // Right-to-left override (a classic "gnp.exe" disguise) is dropped to an underscore.
        QCOMPARE(AttachmentFiles::safeFileName(QStringLiteral("photo\u202Egnp.exe"), QString()), QStringLiteral("photo_gnp.exe"));
        QCOMPARE(AttachmentFiles::safeFileName(QString(), QStringLiteral("image/png")), QStringLiteral("attachment.png"));
        QCOMPARE(AttachmentFiles::safeFileName(QStringLiteral("scan"), QStringLiteral("application/pdf")), QStringLiteral("scan.pdf"));
        const QString longName = AttachmentFiles::safeFileName(QString(300, QLatin1Char('x')) + QStringLiteral(".docx"), QString());
        QCOMPARE(longName.size(), 120);
        QVERIFY(longName.endsWith(QLatin1String(".docx")));
    }

    void thumbnailerReadsScaledAndRefusesGiants()
    {
        // A JPEG read scaled: the result fits the edge, and keeps the aspect.
        const QString jpeg = writeImage(files, QStringLiteral("wide.jpg"), picture(QSize(1600, 800), Qt::blue), "JPEG");
        QVERIFY(!jpeg.isEmpty());
        const QImage small = ImageThumbnailer::decodeFile(jpeg, 200);
        QCOMPARE(small.size(), QSize(200, 100));
        // A header announcing 20000×20000 (400 MP) is refused before any pixel is decoded.
        QByteArray bomb = pngAnnouncing(20000, 20000);
        QBuffer buffer(&bomb);
        buffer.open(QIODevice::ReadOnly);
        QImageReader probe(&buffer);
        QCOMPARE(probe.size(), QSize(20000, 20000)); // the header reads as valid
        buffer.seek(0);
        QVERIFY(ImageThumbnailer::decode(&buffer, 200).isNull());
        // Not a picture at all.
        QVERIFY(ImageThumbnailer::decodeFile(writeBytes(files, QStringLiteral("notes.txt"), "just text\n"), 200).isNull());
    }

    void thumbnailerDecodesOffThreadIntoABoundedCache()
    {
        // 1 MiB of cache; 300×300 thumbnails take about 352 KiB each: the fourth evicts the first.
        ImageThumbnailer thumbs(300, nullptr, 1024);
        QSignalSpy ready(&thumbs, &ImageThumbnailer::ready);
        QStringList keys;
        for (int i = 0; i < 4; ++i) {
            const QString path = writeImage(files, QStringLiteral("p%1.png").arg(i), picture(QSize(600, 600), QColor::fromHsv(i * 60, 200, 200)), "PNG");
            keys << QStringLiteral("media_%1").arg(i);
            thumbs.requestFile(keys.last(), path);
            QCOMPARE(thumbs.state(keys.last()), ImageThumbnailer::State::Loading);
            QTRY_COMPARE_WITH_TIMEOUT(thumbs.state(keys.last()), ImageThumbnailer::State::Ready, kUiWaitMs);
            QCOMPARE(thumbs.thumbnail(keys.last()).size(), QSize(300, 300));
        }
        QCOMPARE(ready.count(), 4);
        QCOMPARE(thumbs.state(keys.first()), ImageThumbnailer::State::Unknown); // evicted, read again when asked
        QCOMPARE(thumbs.state(keys.last()), ImageThumbnailer::State::Ready);
        // Bytes that are no picture: failed, announced once, and not tried again.
        thumbs.requestBytes(QStringLiteral("media_bad"), QByteArrayLiteral("%PDF-1.4 not an image"));
        QTRY_COMPARE_WITH_TIMEOUT(thumbs.state(QStringLiteral("media_bad")), ImageThumbnailer::State::Failed, kUiWaitMs);
        const int before = ready.count();
        thumbs.requestBytes(QStringLiteral("media_bad"), QByteArrayLiteral("%PDF-1.4 not an image"));
        QCOMPARE(thumbs.state(QStringLiteral("media_bad")), ImageThumbnailer::State::Failed);
        QCOMPARE(ready.count(), before);
    }

    void composerAttachesAChosenFile()
    {
        Composer composer(*h.context);
        composer.setClient(m_client);
        composer.show();
        QVERIFY(composer.attachButton()->isEnabled());
        QVERIFY(!composer.attachmentStrip()->isVisible());
        const QString placeholder = composer.textEdit()->placeholderText();
        composer.setRecipient(QStringLiteral("+14155550140"));
        QVERIFY(!composer.sendButton()->isEnabled()); // nothing written, nothing attached

        const QString path = writeImage(files, QStringLiteral("holiday.jpg"), picture(QSize(1200, 900), Qt::red), "JPEG");
        QSignalSpy changed(&composer, &Composer::attachmentChanged);
        QVERIFY(composer.attachFile(path));
        QCOMPARE(changed.count(), 1);
        QVERIFY(composer.hasAttachment());
        QCOMPARE(composer.attachmentName(), QStringLiteral("holiday.jpg"));
        QCOMPARE(composer.attachmentSize(), QFileInfo(path).size());
        QVERIFY(composer.attachmentStrip()->isVisible());
        QCOMPARE(composer.attachmentStrip()->findChild<QLabel *>(QStringLiteral("attachmentName"))->text(), QStringLiteral("holiday.jpg"));
        QCOMPARE(composer.attachmentStrip()->findChild<QLabel *>(QStringLiteral("attachmentSize"))->text(), dataSizeText(QFileInfo(path).size()));
        // The text box is now the caption, and a file alone may be sent.
        QVERIFY(composer.textEdit()->placeholderText() != placeholder);
        QVERIFY(composer.textEdit()->placeholderText().contains(QLatin1String("caption")));
        QVERIFY(composer.sendButton()->isEnabled());
        // The thumbnail replaces the icon once decoded: red in the middle.
        const auto previewCentre = [&]() {
            const QImage shown = composer.attachmentPreview()->pixmap().toImage();
            return shown.isNull() ? QColor() : shown.pixelColor(shown.rect().center());
        };
        QTRY_VERIFY_WITH_TIMEOUT(previewCentre().red() > 200 && previewCentre().green() < 60, kUiWaitMs);

        // A document: its icon, name and size; the remove button takes it away.
        const QString pdf = writeBytes(files, QStringLiteral("terms.pdf"), QByteArrayLiteral("%PDF-1.4\n%%EOF\n"));
        QVERIFY(composer.attachFile(pdf));
        QCOMPARE(composer.attachmentName(), QStringLiteral("terms.pdf"));
        QVERIFY(!composer.attachmentPreview()->pixmap().isNull());
        QTest::mouseClick(composer.removeAttachmentButton(), Qt::LeftButton);
        QVERIFY(!composer.hasAttachment());
        QVERIFY(!composer.attachmentStrip()->isVisible());
        QCOMPARE(composer.textEdit()->placeholderText(), placeholder);
        QVERIFY(!composer.sendButton()->isEnabled());
    }

    void composerRefusesWhatCannotBeSent()
    {
        Composer composer(*h.context);
        composer.setClient(m_client);
        // Over the limit: a sparse file one byte larger than media/maxBytes.
        const qint64 limit = composer.maxAttachmentBytes();
        QVERIFY(limit > 0);
        QFile big(files.filePath(QStringLiteral("huge.mp4")));
        QVERIFY(big.open(QIODevice::WriteOnly));
        QVERIFY(big.resize(limit + 1));
        big.close();
        QVERIFY(!composer.attachFile(big.fileName()));
        QVERIFY(!composer.hasAttachment());
        QVERIFY2(composer.lastError().contains(QLatin1String("huge.mp4")) && composer.lastError().contains(dataSizeText(limit)),
                 qPrintable(composer.lastError()));
        // Exactly the limit is taken (the media store decides the rest).
        QVERIFY(big.resize(limit));
        QVERIFY(composer.attachFile(big.fileName()));
        composer.clearAttachment();
        // Missing, a folder, empty.
        QVERIFY(!composer.attachFile(files.filePath(QStringLiteral("nowhere.png"))));
        QVERIFY(!composer.attachFile(files.path()));
        QVERIFY(!composer.attachFile(writeBytes(files, QStringLiteral("empty.txt"), QByteArray())));
        QVERIFY(!composer.hasAttachment());
        // A refusal keeps what was attached before.
        QVERIFY(composer.attachFile(writeBytes(files, QStringLiteral("ok.txt"), "fine\n")));
        QVERIFY(!composer.attachFile(files.filePath(QStringLiteral("nowhere.png"))));
        QCOMPARE(composer.attachmentName(), QStringLiteral("ok.txt"));
    }

    void composerTakesAPastedImageAsPng()
    {
        Composer composer(*h.context);
        composer.setClient(m_client);
        composer.show();
        const QImage image = picture(QSize(64, 48), Qt::green);
        QGuiApplication::clipboard()->setImage(image);
        QTRY_VERIFY_WITH_TIMEOUT(QGuiApplication::clipboard()->mimeData()->hasImage(), kUiWaitMs);
        composer.textEdit()->setFocus();
        composer.textEdit()->paste();
        QVERIFY(composer.hasAttachment());
        QCOMPARE(composer.attachmentName(), QStringLiteral("pasted-image.png"));
        QVERIFY(composer.attachmentPath().isEmpty()); // held as PNG bytes, nothing on disk
        QVERIFY(composer.textEdit()->toPlainText().isEmpty()); // not pasted as text
        QVERIFY(composer.attachmentSize() > 0);
        // Text pastes as text.
        composer.clearAttachment();
        QGuiApplication::clipboard()->setText(QStringLiteral("plain words"));
        composer.textEdit()->paste();
        QVERIFY(!composer.hasAttachment());
        QCOMPARE(composer.textEdit()->toPlainText(), QStringLiteral("plain words"));
        // A file copied in a file manager pastes as the attachment.
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(writeBytes(files, QStringLiteral("copied.csv"), "a,b\n1,2\n"))});
        QGuiApplication::clipboard()->setMimeData(mime);
        composer.textEdit()->paste();
        QCOMPARE(composer.attachmentName(), QStringLiteral("copied.csv"));
        QCOMPARE(composer.textEdit()->toPlainText(), QStringLiteral("plain words"));
    }

    void composerTakesADroppedFile()
    {
        Composer composer(*h.context);
        composer.setClient(m_client);
        composer.resize(600, 200);
        composer.show();
        QVERIFY(QTest::qWaitForWindowExposed(&composer));
        const QString path = writeImage(files, QStringLiteral("dropped.png"), picture(QSize(100, 80), Qt::blue), "PNG");
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        const QPoint at(10, 10);
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&composer, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&composer, &drop);
        QVERIFY(drop.isAccepted());
        QCOMPARE(composer.attachmentName(), QStringLiteral("dropped.png"));
        // Two files, or a remote URL, are not taken.
        composer.clearAttachment();
        QMimeData two;
        two.setUrls({QUrl::fromLocalFile(path), QUrl::fromLocalFile(path)});
        QDragEnterEvent refused(at, Qt::CopyAction, &two, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&composer, &refused);
        QVERIFY(!refused.isAccepted());
        QMimeData remote;
        remote.setUrls({QUrl(QStringLiteral("https://example.com/a.png"))});
        QVERIFY(!Composer::offersAttachment(&remote));
        QVERIFY(!composer.hasAttachment());
        // Dropped on the message box itself: the box hands it over instead of inserting the path.
        QWidget *viewport = composer.textEdit()->viewport();
        const QPoint inside = viewport->rect().center();
        QDragEnterEvent enterText(inside, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(viewport, &enterText);
        QDragMoveEvent moveText(inside, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(viewport, &moveText);
        QDropEvent dropText(QPointF(inside), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(viewport, &dropText);
        QCOMPARE(composer.attachmentName(), QStringLiteral("dropped.png"));
        QVERIFY(composer.textEdit()->toPlainText().isEmpty());
    }

    void viewersCannotAttach()
    {
        Result<UserRecord> viewer = h.createMember(QStringLiteral("viewer@media.test"), Role::Viewer);
        QVERIFY(viewer.ok());
        h.context->signIn(UiHarness::actorOf(viewer.value()));
        {
            Composer composer(*h.context);
            composer.setClient(m_client);
            QVERIFY(!composer.attachButton()->isEnabled());
            QMimeData mime;
            mime.setUrls({QUrl::fromLocalFile(writeBytes(files, QStringLiteral("v.txt"), "x"))});
            QDragEnterEvent enter(QPoint(1, 1), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QCoreApplication::sendEvent(&composer, &enter);
            QVERIFY(!enter.isAccepted());
        }
        h.context->signIn(h.admin);
    }

    // The composer's image goes through the real MessageService and media store (SQLite): queued
    // as an image with its caption and the file's bytes, and the fake page receives it; the
    // thread shows its thumbnail (drawn, not blank), opens it and saves it.
    void sendsAnImageAndTheThreadShowsIt()
    {
        QVERIFY(h.startToQr(m_client));
        QVERIFY(h.scan(m_client, QStringLiteral("14155552690")));
        ConversationsView view(*h.context);
        QAbstractItemModelTester tester(view.threadModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setClient(m_client);
        view.openConversation(QStringLiteral("+14155550160"));
        Composer *composer = view.composer();
        const QString path = writeImage(files, QStringLiteral("shop-window.png"), picture(QSize(640, 480), QColor(200, 30, 30)), "PNG");
        const QByteArray bytes = readFile(path);
        QVERIFY(!bytes.isEmpty());
        QVERIFY(composer->attachFile(path));
        composer->setText(QStringLiteral("Our new shop window"));
        const QString id = composer->send();
        QVERIFY2(!id.isEmpty(), qPrintable(composer->lastError()));
        QVERIFY(!composer->hasAttachment());
        QVERIFY(composer->text().isEmpty());

        // Queued (the sender has not run yet): an image, its caption and name, the same bytes.
        Result<MessageRecord> queued = h.context->messages().get(h.admin, id);
        QVERIFY(queued.ok());
        QCOMPARE(messageStatusName(queued.value().status), QStringLiteral("queued"));
        QCOMPARE(queued.value().type, QStringLiteral("image"));
        QCOMPARE(queued.value().caption, QStringLiteral("Our new shop window"));
        QCOMPARE(queued.value().filename, QStringLiteral("shop-window.png"));
        QVERIFY(!queued.value().mediaId.isEmpty());
        Result<QByteArray> stored = h.context->media().readAll(h.admin.organizationId, queued.value().mediaId);
        QVERIFY(stored.ok());
        QCOMPARE(stored.value(), bytes);

        // The page receives an image with the caption and the same bytes.
        QTRY_VERIFY_WITH_TIMEOUT(h.fake(m_client, QStringLiteral("state().sent.length")).toInt() >= 1, kUiWaitMs);
        const QJsonObject onPage = h.fake(m_client, QStringLiteral("state().sent.slice(-1)[0]")).toObject();
        QCOMPARE(onPage.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QCOMPARE(onPage.value(QLatin1String("caption")).toString(), QStringLiteral("Our new shop window"));
        QCOMPARE(QByteArray::fromBase64(onPage.value(QLatin1String("data")).toString().toLatin1()), bytes);

        // The thread: the row, its media roles, and the thumbnail drawn where the delegate puts it.
        MessageThreadModel *thread = view.threadModel();
        const int row = thread->rowOf(id);
        QVERIFY(row >= 0);
        const QModelIndex at = thread->index(row, 0);
        QCOMPARE(at.data(MessageThreadModel::TypeRole).toString(), QStringLiteral("image"));
        QCOMPARE(at.data(MessageThreadModel::CaptionRole).toString(), QStringLiteral("Our new shop window"));
        QCOMPARE(at.data(MessageThreadModel::FilenameRole).toString(), QStringLiteral("shop-window.png"));
        QCOMPARE(at.data(MessageThreadModel::MediaSizeRole).toLongLong(), qint64(bytes.size()));
        QCOMPARE(at.data(MessageThreadModel::MediaMimeRole).toString(), QStringLiteral("image/png"));
        QCOMPARE(at.data(MessageThreadModel::MediaStateRole).value<MessageThreadModel::MediaState>(), MessageThreadModel::MediaState::Available);
        QTRY_COMPARE_WITH_TIMEOUT(ImageThumbnailer::State(at.data(MessageThreadModel::ThumbnailStateRole).toInt()), ImageThumbnailer::State::Ready, kUiWaitMs);
        const QImage thumb = at.data(MessageThreadModel::ThumbnailRole).value<QImage>();
        QVERIFY(qMax(thumb.width(), thumb.height()) <= int(MessageThreadModel::kThumbnailEdge * qApp->devicePixelRatio()) + 1);
        QCoreApplication::processEvents();
        view.threadView()->scrollTo(at);
        QStyleOptionViewItem option;
        option.initFrom(view.threadView()->viewport());
        option.widget = view.threadView();
        QTRY_VERIFY_WITH_TIMEOUT(!view.messageDelegate()->mediaRect((option.rect = view.threadView()->visualRect(at), option), at).isEmpty(), kUiWaitMs);
        option.rect = view.threadView()->visualRect(at);
        const QRect where = view.messageDelegate()->mediaRect(option, at);
        QVERIFY(where.height() > 100); // the thumbnail, not the placeholder's card
        const QImage shot = view.threadView()->viewport()->grab().toImage();
        const QColor middle = shot.pixelColor((QPointF(where.center()) * shot.devicePixelRatio()).toPoint());
        QVERIFY2(middle.red() > 150 && middle.green() < 90 && middle.blue() < 90, qPrintable(middle.name()));

        // Open: a temporary copy under its own name, handed to the desktop.
        OpenedUrls opened;
        QDesktopServices::setUrlHandler(QStringLiteral("file"), &opened, "open");
        QString openedPath;
        QCOMPARE(view.openAttachment(at, &openedPath), QString());
        QDesktopServices::unsetUrlHandler(QStringLiteral("file"));
        QCOMPARE(opened.urls.size(), 1);
        QCOMPARE(opened.urls.first().toLocalFile(), openedPath);
        QCOMPARE(QFileInfo(openedPath).fileName(), QStringLiteral("shop-window.png"));
        QVERIFY(openedPath.startsWith(view.attachmentFiles()->temporaryDirectory()));
        QCOMPARE(readFile(openedPath), bytes);
        // Save: the same bytes where asked.
        const QString savedPath = files.filePath(QStringLiteral("saved-copy.png"));
        QCOMPARE(view.saveAttachment(at, savedPath), QString());
        QCOMPARE(readFile(savedPath), bytes);
        // The context menu offers both.
        std::unique_ptr<QMenu> menu(view.contextMenuFor(at));
        QVERIFY(menu);
        QVERIFY(menu->findChild<QAction *>(QStringLiteral("openAttachmentAction"))->isEnabled());
        QVERIFY(menu->findChild<QAction *>(QStringLiteral("saveAttachmentAction"))->isEnabled());
        QVERIFY(!view.contextMenuFor(QModelIndex()));
        m_sentImage = id;
    }

    // Files received on the page appear in the open thread as they arrive: a picture with its
    // caption and thumbnail; a voice note the page never manages to download shows as being
    // downloaded while the page retries, then as not downloaded with the reason.
    void inboundMediaAppearAsTheyArrive()
    {
        ConversationsView view(*h.context);
        QAbstractItemModelTester tester(view.threadModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(900, 700);
        view.show();
        view.setClient(m_client);
        view.openConversation(QStringLiteral("+14155550180"));
        MessageThreadModel *thread = view.threadModel();
        QCOMPARE(thread->rowCount(), 0);
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(picture(QSize(400, 300), QColor(230, 120, 0)).save(&buffer, "PNG"));
        const QString call = QStringLiteral("incoming({from: '14155550180', type: 'image', caption: 'The box arrived like this', "
                                            "mimetype: 'image/png', filename: 'box.png', media: '%1'})")
                                 .arg(QString::fromLatin1(png.toBase64()));
        QVERIFY(h.fake(m_client, call).toObject().value(QLatin1String("ok")).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(thread->rowCount(), 1, kUiWaitMs);
        const QModelIndex image = thread->index(0, 0);
        QVERIFY(!image.data(MessageThreadModel::OutboundRole).toBool());
        QCOMPARE(image.data(MessageThreadModel::TypeRole).toString(), QStringLiteral("image"));
        QCOMPARE(image.data(MessageThreadModel::CaptionRole).toString(), QStringLiteral("The box arrived like this"));
        QCOMPARE(image.data(MessageThreadModel::MediaStateRole).value<MessageThreadModel::MediaState>(), MessageThreadModel::MediaState::Available);
        QCOMPARE(image.data(MessageThreadModel::MediaSizeRole).toLongLong(), qint64(png.size()));
        QTRY_COMPARE_WITH_TIMEOUT(ImageThumbnailer::State(image.data(MessageThreadModel::ThumbnailStateRole).toInt()), ImageThumbnailer::State::Ready, kUiWaitMs);
        const QColor middle = image.data(MessageThreadModel::ThumbnailRole).value<QImage>().pixelColor(120, 120);
        QVERIFY2(middle.red() > 200 && middle.green() > 90 && middle.green() < 150, qPrintable(middle.name()));

        const QString voice = QStringLiteral("incoming({from: '14155550180', type: 'ptt', media: '%1', downloadNever: true})")
                                  .arg(QString::fromLatin1(QByteArray("OggS0000").toBase64()));
        QVERIFY(h.fake(m_client, voice).toObject().value(QLatin1String("ok")).toBool());
        // Stored at once, announced once the page gives up (after its retries): read meanwhile,
        // the thread shows it as being downloaded.
        MessageQuery query;
        query.contactPhone = QStringLiteral("+14155550180");
        QTRY_COMPARE_WITH_TIMEOUT(h.context->messages().history(h.admin, m_client, query).value().messages.size(), 2, kUiWaitMs);
        thread->setThread(m_client, QStringLiteral("+14155550180"));
        QCOMPARE(thread->rowCount(), 2);
        const QModelIndex note = thread->index(1, 0);
        QCOMPARE(note.data(MessageThreadModel::TypeRole).toString(), QStringLiteral("voice"));
        QCOMPARE(note.data(MessageThreadModel::MediaStateRole).value<MessageThreadModel::MediaState>(), MessageThreadModel::MediaState::Downloading);
        QVERIFY(view.openAttachment(note).contains(QLatin1String("still being downloaded")));
        QTRY_COMPARE_WITH_TIMEOUT(thread->index(1, 0).data(MessageThreadModel::MediaStateRole).value<MessageThreadModel::MediaState>(),
                                  MessageThreadModel::MediaState::NotDownloaded, kUiWaitMs);
        QVERIFY(!thread->index(1, 0).data(MessageThreadModel::MediaErrorRole).toString().isEmpty());
        QVERIFY(thread->index(1, 0).data(Qt::ToolTipRole).toString().contains(QLatin1String("not downloaded")));
    }

    void documentCardAndAFileNoLongerStored()
    {
        QVERIFY(!m_sentImage.isEmpty());
        ConversationsView view(*h.context);
        QAbstractItemModelTester tester(view.threadModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(900, 700);
        view.show();
        view.setClient(m_client);
        view.openConversation(QStringLiteral("+14155550160"));
        const QString pdfPath = writeBytes(files, QStringLiteral("price list.pdf"), samplePdf());
        QVERIFY(view.composer()->attachFile(pdfPath));
        const QString id = view.composer()->send();
        QVERIFY2(!id.isEmpty(), qPrintable(view.composer()->lastError()));
        MessageThreadModel *thread = view.threadModel();
        QTRY_VERIFY_WITH_TIMEOUT(thread->rowOf(id) >= 0, kUiWaitMs);
        const QModelIndex doc = thread->index(thread->rowOf(id), 0);
        QCOMPARE(doc.data(MessageThreadModel::TypeRole).toString(), QStringLiteral("document"));
        QCOMPARE(doc.data(MessageThreadModel::FilenameRole).toString(), QStringLiteral("price list.pdf"));
        QCOMPARE(ImageThumbnailer::State(doc.data(MessageThreadModel::ThumbnailStateRole).toInt()), ImageThumbnailer::State::Unknown);
        QStyleOptionViewItem option;
        option.initFrom(view.threadView()->viewport());
        option.widget = view.threadView();
        option.rect = view.threadView()->visualRect(doc);
        QCOMPARE(view.messageDelegate()->mediaRect(option, doc).width(), MessageDelegate::kCardWidth);

        // The image's file removed from the store (it was sent: nothing queued needs it): the
        // row says so, and opening it explains instead of failing silently.
        QTRY_VERIFY_WITH_TIMEOUT(h.context->messages().get(h.admin, m_sentImage).value().status != MessageStatus::Queued
                                     && h.context->messages().get(h.admin, m_sentImage).value().status != MessageStatus::Sending,
                                 kUiWaitMs);
        const QString mediaId = h.context->messages().get(h.admin, m_sentImage).value().mediaId;
        QVERIFY(h.context->media().remove(h.admin, mediaId).ok());
        QVERIFY(thread->refreshMessage(m_sentImage) || true);
        thread->setThread(m_client, QStringLiteral("+14155550160"));
        const QModelIndex gone = thread->index(thread->rowOf(m_sentImage), 0);
        QCOMPARE(gone.data(MessageThreadModel::MediaStateRole).value<MessageThreadModel::MediaState>(), MessageThreadModel::MediaState::Missing);
        QVERIFY(gone.data(Qt::ToolTipRole).toString().contains(QLatin1String("no longer stored")));
        const QString why = view.openAttachment(gone);
        QVERIFY2(why.contains(QLatin1String("no longer stored")), qPrintable(why));
        std::unique_ptr<QMenu> menu(view.contextMenuFor(gone));
        QVERIFY(!menu->findChild<QAction *>(QStringLiteral("openAttachmentAction"))->isEnabled());
    }

    // The database backend (chunked rows): the thumbnail comes from bytes read on this thread and
    // decoded on the decoder's; the model passes QAbstractItemModelTester with file rows.
    void thumbnailFromTheDatabaseBackend()
    {
        UiHarness db;
        db.tweakSettings = [](ServiceSettings &s) { s.media.storage = MediaSettings::Storage::Database; };
        QString why;
        QVERIFY2(db.setUp(&why), qPrintable(why));
        const QString client = db.createClient(QStringLiteral("Rows"));
        QVERIFY(db.startToQr(client));
        QVERIFY(db.scan(client, QStringLiteral("14155552691")));
        MessageService::Content content;
        content.text = QStringLiteral("From the database");
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(picture(QSize(300, 200), QColor(20, 160, 40)).save(&buffer, "PNG"));
        content.media = png;
        content.filename = QStringLiteral("green.png");
        Result<MessageService::Accepted> a = db.context->messages().send(db.admin, client, QStringLiteral("+14155550170"), content, QString());
        QVERIFY2(a.ok(), a ? "" : qPrintable(a.error().message));
        {
            MessageThreadModel thread(*db.context);
            QAbstractItemModelTester tester(&thread, QAbstractItemModelTester::FailureReportingMode::QtTest);
            thread.setThread(client, QStringLiteral("+14155550170"));
            QCOMPARE(thread.rowCount(), 1);
            const QModelIndex at = thread.index(0, 0);
            QCOMPARE(at.data(MessageThreadModel::TypeRole).toString(), QStringLiteral("image"));
            QCOMPARE(at.data(MessageThreadModel::MediaSizeRole).toLongLong(), qint64(png.size()));
            QCOMPARE(at.data(MessageThreadModel::CaptionRole).toString(), QStringLiteral("From the database"));
            QSignalSpy changed(&thread, &MessageThreadModel::thumbnailChanged);
            QTRY_COMPARE_WITH_TIMEOUT(ImageThumbnailer::State(at.data(MessageThreadModel::ThumbnailStateRole).toInt()), ImageThumbnailer::State::Ready, kUiWaitMs);
            QVERIFY(changed.count() >= 1);
            const QImage thumb = at.data(MessageThreadModel::ThumbnailRole).value<QImage>();
            const int edge = thread.thumbnails()->maxEdge();
            QCOMPARE(thumb.size(), QSize(300, 200).scaled(edge, edge, Qt::KeepAspectRatio));
            const QColor middle = thumb.pixelColor(thumb.rect().center());
            QVERIFY2(middle.green() > 140 && middle.red() < 40, qPrintable(middle.name()));
        }
        db.tearDown();
    }

    void storageUseForAdminsOnly()
    {
        MainWindow w(*h.context);
        MediaStorageLabel *label = w.mediaStorageLabel();
        QVERIFY(label);
        Result<MediaService::Usage> usage = h.context->media().usage(h.admin);
        QVERIFY(usage.ok());
        QVERIFY(usage.value().used > 0);
        QVERIFY(!label->isHidden());
        QCOMPARE(label->text(), MediaStorageLabel::textFor(usage.value().used, usage.value().limit));
        // A file sent from the composer is counted once it is stored.
        const qint64 before = label->used();
        w.conversationsView()->setClient(m_client);
        w.conversationsView()->openConversation(QStringLiteral("+14155550161"));
        QVERIFY(w.conversationsView()->composer()->attachFile(writeBytes(files, QStringLiteral("notes.txt"), QByteArray(5000, 'n'))));
        QVERIFY(!w.conversationsView()->composer()->send().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(label->used(), before + 5000, kUiWaitMs);

        Result<UserRecord> agent = h.createMember(QStringLiteral("agent@media.test"), Role::Agent);
        QVERIFY(agent.ok());
        h.context->signIn(UiHarness::actorOf(agent.value()));
        {
            MainWindow agentWindow(*h.context);
            QVERIFY(agentWindow.mediaStorageLabel()->isHidden());
            QVERIFY(!agentWindow.mediaStorageLabel()->allowed());
        }
        h.context->signIn(h.admin);
    }

    // For people: the main window with a conversation holding an image, a document and a file
    // being attached, and the storage line (<build>/screenshots/conversations-media.png).
    void screenshot()
    {
        ConversationsView *c = nullptr;
        MainWindow w(*h.context);
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.selectClient(m_client);
        w.showPage(1);
        c = w.conversationsView();
        c->openConversation(QStringLiteral("+14155550160"));
        QVERIFY(c->threadModel()->rowCount() >= 2);
        // One received: a customer's photo with a question.
        QByteArray jpeg;
        QBuffer buffer(&jpeg);
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(samplePhoto().transformed(QTransform::fromScale(-1, 1)).save(&buffer, "JPEG"));
        const int rowsBefore = c->threadModel()->rowCount();
        QVERIFY(h.fake(m_client, QStringLiteral("incoming({from: '14155550160', type: 'image', caption: 'Is this the colour you meant?', "
                                                "mimetype: 'image/jpeg', media: '%1'})")
                                     .arg(QString::fromLatin1(jpeg.toBase64())))
                    .toObject().value(QLatin1String("ok")).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(c->threadModel()->rowCount(), rowsBefore + 1, kUiWaitMs);
        QVERIFY(c->composer()->attachFile(writeImage(files, QStringLiteral("shop-window-final.jpg"), samplePhoto(), "JPEG")));
        c->composer()->setText(QStringLiteral("The new shop window is ready!"));
        QVERIFY(!c->composer()->send().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(w.mediaStorageLabel()->used(), h.context->media().usage(h.admin).value().used, kUiWaitMs);
        // Every picture of the thread decoded before the picture is taken.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (int row = 0; row < c->threadModel()->rowCount(); ++row) {
                    const QModelIndex at = c->threadModel()->index(row, 0);
                    if (ImageThumbnailer::State(at.data(MessageThreadModel::ThumbnailStateRole).toInt()) == ImageThumbnailer::State::Loading)
                        return false;
                }
                return true;
            }(),
            kUiWaitMs);
        c->threadView()->scrollToBottom();
        QVERIFY(c->composer()->attachFile(writeImage(files, QStringLiteral("new-arrivals.jpg"), picture(QSize(800, 600), QColor(40, 120, 200)), "JPEG")));
        c->composer()->setText(QStringLiteral("New arrivals for the spring window"));
        const auto previewCentre = [&]() {
            const QImage shown = c->composer()->attachmentPreview()->pixmap().toImage();
            return shown.isNull() ? QColor() : shown.pixelColor(shown.rect().center());
        };
        QTRY_VERIFY_WITH_TIMEOUT(previewCentre().blue() > 150 && previewCentre().red() < 100, kUiWaitMs); // the thumbnail, not the icon
        // The strip above the text took height from the thread: show its newest messages.
        QCoreApplication::processEvents();
        c->threadView()->scrollToBottom();
        QTRY_COMPARE_WITH_TIMEOUT(c->threadView()->verticalScrollBar()->value(), c->threadView()->verticalScrollBar()->maximum(), kUiWaitMs);
        w.repaint();
        QCoreApplication::processEvents();
        const QImage image = w.grab().toImage();
        const QString path = QDir(wadesk::test::screenshotDir()).filePath(QStringLiteral("conversations-media.png"));
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));
        QVERIFY(hasContent(image));
        c->composer()->clearAttachment();
    }

    void delegateDrawsThumbnailAndCard()
    {
        // The delegate against rows as the thread model gives them (roles), drawn into an image.
        QStandardItemModel rows;
        auto *picture = new QStandardItem;
        picture->setData(QStringLiteral("image"), MessageThreadModel::TypeRole);
        picture->setData(true, MessageThreadModel::OutboundRole);
        picture->setData(QStringLiteral("read"), MessageThreadModel::StatusRole);
        picture->setData(QDateTime::currentDateTime(), MessageThreadModel::TimeRole);
        picture->setData(QStringLiteral("Our new shop window"), MessageThreadModel::CaptionRole);
        picture->setData(QVariant::fromValue(MessageThreadModel::MediaState::Available), MessageThreadModel::MediaStateRole);
        picture->setData(int(ImageThumbnailer::State::Ready), MessageThreadModel::ThumbnailStateRole);
        QImage red(200, 150, QImage::Format_RGB32);
        red.fill(QColor(220, 20, 20));
        picture->setData(QVariant::fromValue(red), MessageThreadModel::ThumbnailRole);
        auto *document = new QStandardItem;
        document->setData(QStringLiteral("document"), MessageThreadModel::TypeRole);
        document->setData(false, MessageThreadModel::OutboundRole);
        document->setData(QStringLiteral("received"), MessageThreadModel::StatusRole);
        document->setData(QDateTime::currentDateTime(), MessageThreadModel::TimeRole);
        document->setData(QStringLiteral("price-list-2026.pdf"), MessageThreadModel::FilenameRole);
        document->setData(qint64(245760), MessageThreadModel::MediaSizeRole);
        document->setData(QVariant::fromValue(MessageThreadModel::MediaState::Available), MessageThreadModel::MediaStateRole);
        auto *missing = document->clone();
        missing->setData(QVariant::fromValue(MessageThreadModel::MediaState::NotDownloaded), MessageThreadModel::MediaStateRole);
        missing->setData(QStringLiteral("video"), MessageThreadModel::TypeRole);
        rows.appendRow(picture);
        rows.appendRow(document);
        rows.appendRow(missing);

        QListView view;
        auto *delegate = new MessageDelegate(&view);
        view.setItemDelegate(delegate);
        view.setModel(&rows);
        view.resize(700, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QStyleOptionViewItem option;
        option.initFrom(view.viewport());
        option.rect = view.visualRect(rows.index(0, 0));
        option.widget = &view;
        const QRect pictureRect = delegate->mediaRect(option, rows.index(0, 0));
        QCOMPARE(pictureRect.size(), QSize(200, 150));
        const QImage shot = view.viewport()->grab().toImage();
        const qreal dpr = shot.devicePixelRatio();
        const QColor inPicture = shot.pixelColor((QPointF(pictureRect.center()) * dpr).toPoint());
        QVERIFY2(inPicture.red() > 180 && inPicture.green() < 80, qPrintable(inPicture.name()));
        // The card of the document: not blank (icon and text drawn).
        option.rect = view.visualRect(rows.index(1, 0));
        const QRect card = delegate->mediaRect(option, rows.index(1, 0));
        QCOMPARE(card.width(), MessageDelegate::kCardWidth);
        QVERIFY(hasContent(shot.copy(QRectF(QRectF(card).topLeft() * dpr, QSizeF(card.size()) * dpr).toRect())));
        // A row with a thumbnail is taller than its caption alone needs.
        QVERIFY(view.visualRect(rows.index(0, 0)).height() > 150);
        QVERIFY(view.visualRect(rows.index(2, 0)).isValid());
    }
};

WADESK_UI_TEST_MAIN(TestMediaUi)

#include "tst_media_ui.moc"

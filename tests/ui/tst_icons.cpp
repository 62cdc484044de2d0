// The painted fallback icons (ui/main/Icons) are vector drawings: asked for 64 px at a device
// pixel ratio of 3 they are drawn at 192 device pixels with sharp edges, not scaled up from a
// smaller pixmap, and in the palette's current text colour.

#include "ui/main/Icons.h"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QPixmap>
#include <QTest>

namespace wadesk {

namespace {

// The alpha values down one column of `image`.
QList<int> alphaColumn(const QImage &image, int x)
{
    QList<int> alphas;
    for (int y = 0; y < image.height(); ++y)
        alphas << qAlpha(image.pixel(x, y));
    return alphas;
}

int countIf(const QList<int> &values, const std::function<bool(int)> &keep)
{
    return int(std::count_if(values.cbegin(), values.cend(), keep));
}

} // namespace

class IconsTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // No freedesktop theme: the painted drawings are what is under test.
        QIcon::setThemeSearchPaths({});
        QIcon::setFallbackSearchPaths({});
        QIcon::setThemeName(QStringLiteral("wadesk-test-no-theme"));
        QVERIFY(!QIcon::hasThemeIcon(QStringLiteral("list-add")));
    }

    void paintedAtTheAskedSizeAndRatio()
    {
        const QIcon icon = Icons::addClient(); // a "+": strokes 2 units wide in a 16-unit box
        QVERIFY(!icon.isNull());
        const QPixmap pixmap = icon.pixmap(QSize(64, 64), 3.0);
        QCOMPARE(pixmap.size(), QSize(192, 192));
        QCOMPARE(pixmap.devicePixelRatio(), 3.0);

        // Down a column through the horizontal stroke only (x = 5 units): the stroke covers
        // y = 7..9 units, 84..108 device pixels, its edges on pixel boundaries. Drawn at 192 px
        // every pixel is fully in or out; scaled up from a smaller pixmap the edges blur.
        const QImage image = pixmap.toImage().convertToFormat(QImage::Format_ARGB32);
        const QList<int> column = alphaColumn(image, 60);
        QCOMPARE(countIf(column, [](int a) { return a == 255; }), 24);
        QCOMPARE(countIf(column, [](int a) { return a > 0 && a < 255; }), 0);
        QCOMPARE(qAlpha(image.pixel(60, 83)), 0);
        QCOMPARE(qAlpha(image.pixel(60, 84)), 255);
        QCOMPARE(qAlpha(image.pixel(60, 107)), 255);
        QCOMPARE(qAlpha(image.pixel(60, 108)), 0);

        // An icon made of pixmaps at 1x, 2x and 3x of 32 px (the old way) has only 96 device
        // pixels to give here: drawn at 64 px on a 3x screen it is scaled up, and blurs.
        QIcon fixed;
        for (qreal dpr : {1.0, 2.0, 3.0})
            fixed.addPixmap(icon.pixmap(QSize(32, 32), dpr));
        QVERIFY(fixed.pixmap(QSize(64, 64), 3.0).width() < 192);
    }

    void everySizeIsDrawnNotPicked_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<qreal>("ratio");
        QTest::newRow("16@1") << 16 << 1.0;
        QTest::newRow("24@1.5") << 24 << 1.5;
        QTest::newRow("48@2") << 48 << 2.0;
        QTest::newRow("64@3") << 64 << 3.0;
        QTest::newRow("128@1.25") << 128 << 1.25;
    }

    void everySizeIsDrawnNotPicked()
    {
        QFETCH(int, size);
        QFETCH(qreal, ratio);
        for (const QIcon &icon : {Icons::addClient(), Icons::send(), Icons::search(), Icons::attach(), Icons::logout(), Icons::document()}) {
            const QPixmap pixmap = icon.pixmap(QSize(size, size), ratio);
            QCOMPARE(pixmap.size(), QSize(qRound(size * ratio), qRound(size * ratio)));
            const QImage image = pixmap.toImage();
            int opaque = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x)
                    opaque += qAlpha(image.pixel(x, y)) > 128;
            // Something is drawn, in proportion to the area (a picked smaller pixmap would be
            // mostly empty, a stretched one would not be the asked size).
            QVERIFY2(opaque > image.width() * image.height() / 40, qPrintable(QString::number(opaque)));
        }
    }

    void followsThePaletteWhenPainted()
    {
        const QPalette original = QApplication::palette();
        QPalette palette = original;
        palette.setColor(QPalette::Active, QPalette::WindowText, QColor(200, 30, 40));
        QApplication::setPalette(palette);
        const QImage red = Icons::addClient().pixmap(QSize(32, 32), 1.0).toImage();
        QCOMPARE(QColor(red.pixel(16, 16)).rgb() & 0xffffff, QColor(200, 30, 40).rgb() & 0xffffff);
        palette.setColor(QPalette::Active, QPalette::WindowText, QColor(20, 220, 240));
        QApplication::setPalette(palette);
        const QImage cyan = Icons::addClient().pixmap(QSize(32, 32), 1.0).toImage();
        QCOMPARE(QColor(cyan.pixel(16, 16)).rgb() & 0xffffff, QColor(20, 220, 240).rgb() & 0xffffff);
        QApplication::setPalette(original);
    }
};

} // namespace wadesk

QTEST_MAIN(wadesk::IconsTest)
#include "tst_icons.moc"

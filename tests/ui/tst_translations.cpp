// The translations the build embeds: every message of translations/wadesk_de.ts and wadesk_es.ts
// has a German and Spanish text in the compiled .qm with the same placeholders and an accelerator
// where the source has one, the English file gives every %n message its plural forms, and the
// language chosen in the settings file is the one a real dialog speaks at the next start.

#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"

#include "translations/Translations.h"
#include "ui/clients/ClientDialogs.h"
#include "ui/settings/SettingsDialog.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QRegularExpression>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

namespace wadesk {
namespace {

constexpr const char *kRefresh = "run `cmake --build build --target wadesk_lupdate` and translate the messages marked "
                                 "unfinished (docs/translating.md)";

struct TsMessage {
    QString context;
    QString source;
    QString comment;
    bool numerus = false;
    bool unfinished = false;
};

QList<TsMessage> readTs(const QString &path, QString *why)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *why = QStringLiteral("cannot open %1").arg(path);
        return {};
    }
    QList<TsMessage> messages;
    QString context;
    TsMessage current;
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            current = TsMessage{context, {}, {}, xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes"), false};
        } else if (name == QLatin1String("source")) {
            current.source = xml.readElementText();
        } else if (name == QLatin1String("comment")) {
            current.comment = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            current.unfinished = xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
            messages.append(current);
        }
    }
    if (xml.hasError())
        *why = QStringLiteral("%1: %2").arg(path, xml.errorString());
    return messages;
}

QStringList placeholders(const QString &text)
{
    static const QRegularExpression marker(QStringLiteral("%L?(?:[1-9][0-9]?|n)"));
    QStringList found;
    for (auto it = marker.globalMatch(text); it.hasNext();)
        found.append(it.next().captured().remove(QLatin1Char('L')));
    found.sort();
    return found;
}

bool hasAccelerator(const QString &text)
{
    return QString(text).remove(QStringLiteral("&&")).contains(QLatin1Char('&'));
}

QString tsPath(const QString &language)
{
    return qEnvironmentVariable("WADESK_SOURCE_DIR") + QStringLiteral("/translations/wadesk_%1.ts").arg(language);
}

} // namespace

class TranslationsTest : public QObject {
    Q_OBJECT

private slots:
    void everyMessageTranslated_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("German") << QStringLiteral("de");
        QTest::newRow("Spanish") << QStringLiteral("es");
    }

    void everyMessageTranslated()
    {
        QFETCH(QString, language);
        QString why;
        const QList<TsMessage> messages = readTs(tsPath(language), &why);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QVERIFY2(messages.size() > 1000, qPrintable(QStringLiteral("only %1 messages in %2").arg(messages.size()).arg(tsPath(language))));
        QTranslator translator;
        QVERIFY(translator.load(QStringLiteral(":/i18n/wadesk_%1.qm").arg(language)));

        QStringList problems;
        int sameAsEnglish = 0;
        for (const TsMessage &m : messages) {
            const QString where = QStringLiteral("%1 \"%2\"").arg(m.context, m.source);
            if (m.unfinished) {
                problems << where + QStringLiteral(": unfinished");
                continue;
            }
            const QByteArray context = m.context.toUtf8(), source = m.source.toUtf8(), comment = m.comment.toUtf8();
            const char *disambiguation = m.comment.isEmpty() ? nullptr : comment.constData();
            QStringList forms;
            if (m.numerus) {
                for (int n : {1, 2, 5, 21})
                    forms << translator.translate(context.constData(), source.constData(), disambiguation, n);
            } else {
                forms << translator.translate(context.constData(), source.constData(), disambiguation);
            }
            for (qsizetype i = 0; i < forms.size(); ++i) {
                const QString &text = forms.at(i);
                if (text.isEmpty()) {
                    problems << where + QStringLiteral(": not in the compiled .qm");
                    break;
                }
                QStringList wanted = placeholders(m.source), got = placeholders(text);
                if (m.numerus && i == 0) { // a singular may say "one" instead of %n
                    wanted.removeAll(QStringLiteral("%n"));
                    got.removeAll(QStringLiteral("%n"));
                }
                if (wanted != got)
                    problems << where + QStringLiteral(": placeholders %1 became %2 in \"%3\"").arg(wanted.join(u' '), got.join(u' '), text);
                if (hasAccelerator(m.source) && !hasAccelerator(text))
                    problems << where + QStringLiteral(": the accelerator (&) is lost in \"%1\"").arg(text);
            }
            if (!forms.isEmpty() && forms.constFirst() == m.source)
                ++sameAsEnglish;
        }
        QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("%1 problem(s) in wadesk_%2 (%3):\n").arg(problems.size()).arg(language, QLatin1String(kRefresh))
                                                + problems.mid(0, 30).join(u'\n')));
        // Names (URL, HTTP, Proxy, "%1 (%2)") may read the same; a file mostly left in English may not.
        QVERIFY2(sameAsEnglish * 10 < messages.size(), qPrintable(QStringLiteral("%1 of %2 messages are the English text").arg(sameAsEnglish).arg(messages.size())));
    }

    void englishHasEveryPluralForm()
    {
        QString why;
        const QList<TsMessage> messages = readTs(tsPath(QStringLiteral("en")), &why);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QTranslator english;
        QVERIFY(english.load(QStringLiteral(":/i18n/wadesk_en.qm")));
        int plurals = 0;
        for (const TsMessage &m : messages) {
            if (!m.numerus)
                continue;
            ++plurals;
            const QByteArray context = m.context.toUtf8(), source = m.source.toUtf8();
            const QString one = english.translate(context.constData(), source.constData(), nullptr, 1);
            const QString many = english.translate(context.constData(), source.constData(), nullptr, 5);
            QVERIFY2(!one.isEmpty() && !many.isEmpty(),
                     qPrintable(QStringLiteral("wadesk_en.ts lacks the plural forms of %1 \"%2\": %3").arg(m.context, m.source, QLatin1String(kRefresh))));
            QVERIFY2(!one.contains(QStringLiteral("(s)")) && !many.contains(QStringLiteral("(s)")), qPrintable(one + QStringLiteral(" / ") + many));
        }
        QVERIFY(plurals >= 10);
    }

    void unsetOrUnknownLanguageIsTheSystems()
    {
        QTemporaryDir dir;
        QCOMPARE(uiLocale(QString()), QLocale::system());
        QCOMPARE(uiLocale(dir.filePath(QStringLiteral("missing.ini"))), QLocale::system());
        const QString file = dir.filePath(QStringLiteral("wadesk.ini"));
        QSettings(file, QSettings::IniFormat).setValue(QStringLiteral("ui/language"), QStringLiteral("fr"));
        QCOMPARE(uiLocale(file), QLocale::system());
    }

    // Last: it installs the German translation for the rest of the process.
    void languageSettingShowsGermanAtStart()
    {
        AddClientDialog before;
        QCOMPARE(before.windowTitle(), QStringLiteral("Add client"));

        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("wadesk.ini"));
        {
            QSettings settings(file, QSettings::IniFormat);
            settings.setValue(QStringLiteral("ui/language"), QStringLiteral("de")); // as the Settings screen saves it
        }
        const QLocale locale = uiLocale(file);
        QCOMPARE(locale.language(), QLocale::German);
        QCOMPARE(QLocale().language(), QLocale::German); // dates and numbers follow the words
        QVERIFY(installTranslations(locale));

        AddClientDialog dialog;
        QCOMPARE(dialog.windowTitle(), QStringLiteral("Client hinzufügen"));
        QStringList labels;
        for (const QLabel *label : dialog.findChildren<QLabel *>())
            labels << label->text();
        QVERIFY2(labels.contains(QStringLiteral("&Telefonnummer:")), qPrintable(labels.join(u'|')));

        // A whole screen over the real services: the Settings dialog, where the language is chosen.
        test::UiHarness h;
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        {
            SettingsDialog settings(*h.context);
            QCOMPARE(settings.windowTitle(), QStringLiteral("Einstellungen"));
            auto *tabs = settings.findChild<QTabWidget *>();
            QVERIFY(tabs);
            QCOMPARE(tabs->tabText(0), QStringLiteral("&Organisation"));
            tabs->setCurrentIndex(tabs->count() - 1); // Installation: the language box
            QCOMPARE(settings.languageBox()->itemText(0), QStringLiteral("Systemsprache"));
            settings.resize(760, 640);
            settings.show();
            QVERIFY(QTest::qWaitForWindowExposed(&settings));
            for (const bool dark : {false, true}) {
                const QPalette light = QApplication::palette();
                if (dark)
                    QApplication::setPalette(test::darkPalette());
                settings.repaint();
                QCoreApplication::processEvents();
                const QImage image = settings.grab().toImage();
                QVERIFY(test::hasContent(image));
                QVERIFY(image.save(QDir(test::screenshotDir()).filePath(dark ? QStringLiteral("settings-de-dark.png") : QStringLiteral("settings-de.png"))));
                QApplication::setPalette(light);
            }
        }
        h.tearDown();
    }
};

} // namespace wadesk

WADESK_UI_TEST_MAIN(wadesk::TranslationsTest)
#include "tst_translations.moc"

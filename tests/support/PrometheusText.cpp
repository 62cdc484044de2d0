#include "tests/support/PrometheusText.h"

#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QStringList>
#include <cmath>
#include <limits>

namespace wadesk::test {

namespace {

bool includes(const PrometheusSample &s, const QHash<QString, QString> &labels)
{
    for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
        if (!s.labels.contains(it.key()) || s.labels.value(it.key()) != it.value())
            return false;
    }
    return true;
}

QString seriesKey(const QHash<QString, QString> &labels, const QString &without = QString())
{
    QStringList parts;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
        if (it.key() != without)
            parts << it.key() + QLatin1String("=\"") + it.value() + QLatin1Char('"');
    }
    parts.sort();
    return parts.join(QLatin1Char(','));
}

bool parseLabels(const QString &text, QHash<QString, QString> &labels, QString *error)
{
    static const QRegularExpression name(QStringLiteral("\\G([a-zA-Z_][a-zA-Z0-9_]*)=\""));
    int i = 0;
    while (i < text.size()) {
        const QRegularExpressionMatch m = name.match(text, i);
        if (!m.hasMatch()) {
            *error = QStringLiteral("bad label name at: ") + text.mid(i);
            return false;
        }
        i = int(m.capturedEnd());
        QString value;
        bool closed = false;
        while (i < text.size()) {
            const QChar c = text.at(i++);
            if (c == QLatin1Char('\\')) {
                if (i >= text.size()) {
                    *error = QStringLiteral("a backslash ends the labels: ") + text;
                    return false;
                }
                const QChar e = text.at(i++);
                if (e == QLatin1Char('n'))
                    value += QLatin1Char('\n');
                else if (e == QLatin1Char('\\') || e == QLatin1Char('"'))
                    value += e;
                else {
                    *error = QStringLiteral("an escape the format does not have (\\%1) in: %2").arg(e, text);
                    return false;
                }
            } else if (c == QLatin1Char('"')) {
                closed = true;
                break;
            } else if (c == QLatin1Char('\n')) {
                *error = QStringLiteral("a raw line feed in a label value: ") + text;
                return false;
            } else {
                value += c;
            }
        }
        if (!closed) {
            *error = QStringLiteral("unterminated label value in: ") + text;
            return false;
        }
        if (labels.contains(m.captured(1))) {
            *error = QStringLiteral("label %1 repeated in: %2").arg(m.captured(1), text);
            return false;
        }
        labels.insert(m.captured(1), value);
        if (i < text.size()) {
            if (text.at(i) != QLatin1Char(',')) {
                *error = QStringLiteral("expected a comma after a label in: ") + text;
                return false;
            }
            ++i;
        }
    }
    return true;
}

bool parseNumber(const QString &text, double *value)
{
    if (text == QLatin1String("+Inf")) {
        *value = std::numeric_limits<double>::infinity();
        return true;
    }
    if (text == QLatin1String("-Inf")) {
        *value = -std::numeric_limits<double>::infinity();
        return true;
    }
    if (text == QLatin1String("NaN")) {
        *value = std::nan("");
        return true;
    }
    static const QRegularExpression number(QStringLiteral("^[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?$"));
    if (!number.match(text).hasMatch())
        return false;
    bool ok = false;
    *value = text.toDouble(&ok);
    return ok;
}

// The family a sample belongs to: its own name, or a histogram's or summary's base name.
QString familyOf(const QString &sample, const QString &current, const QHash<QString, QString> &types)
{
    const QString type = types.value(current);
    if (type == QLatin1String("histogram") || type == QLatin1String("summary")) {
        for (const char *suffix : {"_bucket", "_sum", "_count"}) {
            if (type == QLatin1String("summary") && qstrcmp(suffix, "_bucket") == 0)
                continue;
            if (sample == current + QLatin1String(suffix))
                return current;
        }
    }
    return sample;
}

} // namespace

double PrometheusText::value(const QString &name, const QHash<QString, QString> &labels) const
{
    for (const PrometheusSample &s : samples) {
        if (s.name == name && includes(s, labels))
            return s.value;
    }
    return std::nan("");
}

QList<PrometheusSample> PrometheusText::all(const QString &name) const
{
    QList<PrometheusSample> out;
    for (const PrometheusSample &s : samples) {
        if (s.name == name)
            out << s;
    }
    return out;
}

double PrometheusText::sum(const QString &name, const QHash<QString, QString> &labels) const
{
    double total = 0;
    for (const PrometheusSample &s : samples) {
        if (s.name == name && includes(s, labels))
            total += s.value;
    }
    return total;
}

bool PrometheusText::parse(const QByteArray &body, PrometheusText &out, QString *error)
{
    if (!body.endsWith('\n')) {
        *error = QStringLiteral("the text does not end with a line feed");
        return false;
    }
    static const QRegularExpression help(QStringLiteral("^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$"));
    static const QRegularExpression type(QStringLiteral("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$"));
    static const QRegularExpression sampleLine(QStringLiteral("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)( -?\\d+)?$"));
    QSet<QString> helped;
    QSet<QString> finished; // families whose block has ended
    QSet<QString> seenSeries;
    QString current;
    const QList<QByteArray> lines = body.split('\n');
    for (qsizetype n = 0; n < lines.size(); ++n) {
        const QString line = QString::fromUtf8(lines.at(n));
        const QString where = QStringLiteral(" (line %1)").arg(n + 1);
        if (line.isEmpty())
            continue;
        if (line.startsWith(QLatin1String("# HELP "))) {
            const QRegularExpressionMatch m = help.match(line);
            if (!m.hasMatch() || helped.contains(m.captured(1))) {
                *error = QStringLiteral("bad or repeated HELP: ") + line + where;
                return false;
            }
            const QString family = m.captured(1);
            if (family != current) {
                if (!current.isEmpty())
                    finished.insert(current);
                if (finished.contains(family)) {
                    *error = QStringLiteral("HELP of a family whose block has ended: ") + line + where;
                    return false;
                }
                current = family;
            }
            helped.insert(family);
            continue;
        }
        if (line.startsWith(QLatin1String("# TYPE "))) {
            const QRegularExpressionMatch m = type.match(line);
            if (!m.hasMatch() || out.types.contains(m.captured(1))) {
                *error = QStringLiteral("bad or repeated TYPE: ") + line + where;
                return false;
            }
            const QString family = m.captured(1);
            if (family != current) {
                if (!current.isEmpty())
                    finished.insert(current);
                if (finished.contains(family)) {
                    *error = QStringLiteral("TYPE of a family whose block has ended: ") + line + where;
                    return false;
                }
                current = family;
            }
            out.types.insert(family, m.captured(2));
            continue;
        }
        if (line.startsWith(QLatin1Char('#')))
            continue; // a comment
        const QRegularExpressionMatch m = sampleLine.match(line);
        if (!m.hasMatch()) {
            *error = QStringLiteral("not a sample: ") + line + where;
            return false;
        }
        PrometheusSample s;
        s.name = m.captured(1);
        if (!parseLabels(m.captured(2), s.labels, error)) {
            *error += where;
            return false;
        }
        if (!parseNumber(m.captured(3), &s.value)) {
            *error = QStringLiteral("not a number: ") + line + where;
            return false;
        }
        const QString family = familyOf(s.name, current, out.types);
        if (family != current || !out.types.contains(family) || !helped.contains(family)) {
            *error = QStringLiteral("a sample outside a declared family's block (HELP and TYPE first): ") + line + where;
            return false;
        }
        const QString series = s.name + QLatin1Char('{') + seriesKey(s.labels) + QLatin1Char('}');
        if (seenSeries.contains(series)) {
            *error = QStringLiteral("a series written twice: ") + series + where;
            return false;
        }
        seenSeries.insert(series);
        out.samples << s;
    }
    for (auto it = out.types.cbegin(); it != out.types.cend(); ++it) {
        if (!helped.contains(it.key())) {
            *error = QStringLiteral("no HELP for ") + it.key();
            return false;
        }
    }
    for (const QString &family : std::as_const(helped)) {
        if (!out.types.contains(family)) {
            *error = QStringLiteral("no TYPE for ") + family;
            return false;
        }
    }

    // Histograms, series by series (the labels without `le`).
    for (auto it = out.types.cbegin(); it != out.types.cend(); ++it) {
        if (it.value() != QLatin1String("histogram"))
            continue;
        const QString family = it.key();
        struct Series {
            QList<QPair<double, double>> buckets; // (le, count) in the order written
            bool hasSum = false;
            bool hasCount = false;
            double count = 0;
        };
        QMap<QString, Series> all;
        for (const PrometheusSample &s : std::as_const(out.samples)) {
            if (s.name == family + QLatin1String("_bucket")) {
                double le = 0;
                if (!s.labels.contains(QStringLiteral("le")) || !parseNumber(s.labels.value(QStringLiteral("le")), &le)) {
                    *error = QStringLiteral("a bucket of %1 without a numeric le").arg(family);
                    return false;
                }
                all[seriesKey(s.labels, QStringLiteral("le"))].buckets << qMakePair(le, s.value);
            } else if (s.name == family + QLatin1String("_sum")) {
                all[seriesKey(s.labels)].hasSum = true;
            } else if (s.name == family + QLatin1String("_count")) {
                Series &series = all[seriesKey(s.labels)];
                series.hasCount = true;
                series.count = s.value;
            }
        }
        for (auto s = all.cbegin(); s != all.cend(); ++s) {
            const QString name = family + QLatin1Char('{') + s.key() + QLatin1Char('}');
            const Series &series = s.value();
            if (series.buckets.isEmpty() || !series.hasSum || !series.hasCount) {
                *error = QStringLiteral("histogram series %1 lacks buckets, _sum or _count").arg(name);
                return false;
            }
            for (qsizetype i = 1; i < series.buckets.size(); ++i) {
                if (!(series.buckets.at(i).first > series.buckets.at(i - 1).first)) {
                    *error = QStringLiteral("buckets of %1 not in ascending le").arg(name);
                    return false;
                }
                if (series.buckets.at(i).second < series.buckets.at(i - 1).second) {
                    *error = QStringLiteral("buckets of %1 not cumulative").arg(name);
                    return false;
                }
            }
            if (!std::isinf(series.buckets.last().first)) {
                *error = QStringLiteral("the last bucket of %1 is not +Inf").arg(name);
                return false;
            }
            if (series.buckets.last().second != series.count) {
                *error = QStringLiteral("+Inf bucket of %1 (%2) differs from its _count (%3)").arg(name).arg(series.buckets.last().second).arg(series.count);
                return false;
            }
        }
    }
    return true;
}

namespace {
QString promtoolPath()
{
    const QString given = qEnvironmentVariable("WADESK_PROMTOOL");
    return given.isEmpty() ? QStandardPaths::findExecutable(QStringLiteral("promtool")) : given;
}
} // namespace

bool promtoolAvailable()
{
    return !promtoolPath().isEmpty();
}

bool promtoolCheck(const QByteArray &body, QString *output)
{
    output->clear();
    const QString tool = promtoolPath();
    if (tool.isEmpty())
        return true;
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(tool, {QStringLiteral("check"), QStringLiteral("metrics")});
    if (!p.waitForStarted(10000)) {
        *output = QStringLiteral("promtool did not start: ") + p.errorString();
        return false;
    }
    p.write(body);
    p.closeWriteChannel();
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished(5000);
        *output = QStringLiteral("promtool did not finish");
        return false;
    }
    *output = QString::fromUtf8(p.readAll());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

} // namespace wadesk::test

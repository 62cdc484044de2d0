#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

namespace wadesk::test {

// A strict reader of the Prometheus text format 0.0.4 for the /metrics tests: it fails (with the
// reason) on anything the format does not allow or WaDesk promises not to do. Checked:
// - metric and label names, label values with only the \\, \" and \n escapes, numbers;
// - every family with one HELP and one TYPE (before its samples), its samples in one block,
//   no sample outside a declared family, no series written twice;
// - histograms: for each series, buckets with ascending `le` ending in +Inf, cumulative counts,
//   +Inf equal to _count, a _sum.
struct PrometheusSample {
    QString name;
    QHash<QString, QString> labels;
    double value = 0;
};

struct PrometheusText {
    QHash<QString, QString> types; // family -> counter | gauge | histogram | summary | untyped
    QList<PrometheusSample> samples;

    // The first sample named `name` whose labels include `labels`; NaN when there is none.
    double value(const QString &name, const QHash<QString, QString> &labels = {}) const;
    // Every sample named `name`.
    QList<PrometheusSample> all(const QString &name) const;
    // The sum of the samples named `name` whose labels include `labels` (0 when none).
    double sum(const QString &name, const QHash<QString, QString> &labels = {}) const;

    static bool parse(const QByteArray &body, PrometheusText &out, QString *error);
};

// `promtool check metrics` on `body` when promtool is installed (PATH or WADESK_PROMTOOL):
// true with an empty `output` when it is not, so callers can skip with a message.
bool promtoolAvailable();
bool promtoolCheck(const QByteArray &body, QString *output);

} // namespace wadesk::test

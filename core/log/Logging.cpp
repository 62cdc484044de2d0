#include "core/log/Logging.h"

#include "core/common/RequestContext.h"

#include <QDir>
#include <QtGlobal>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace wadesk::Logging {

namespace {

// {"time":"2026-11-24T10:00:00.123Z","level":"info","thread":123,"msg":"..."}
class JsonLineFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg &msg, spdlog::memory_buf_t &dest) override
    {
        using namespace std::chrono;
        const auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count();
        const std::time_t seconds = std::time_t(ms / 1000);
        std::tm utc{};
        gmtime_r(&seconds, &utc);
        char stamp[64];
        std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                      utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, int(ms % 1000));
        const auto level = spdlog::level::to_string_view(msg.level);
        const std::string line = std::string("{\"time\":\"") + stamp + "\",\"level\":\""
            + std::string(level.data(), level.size()) + "\",\"thread\":" + std::to_string(msg.thread_id)
            + requestField() + ",\"msg\":\"" + jsonEscape(std::string_view(msg.payload.data(), msg.payload.size())) + "\"}\n";
        dest.append(line.data(), line.data() + line.size());
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLineFormatter>(); }

private:
    // Logging is synchronous, so the formatter runs on the thread that logged: the request that
    // thread is handling, if any (the id is a plain token, RequestContext made sure of it).
    static std::string requestField()
    {
        const std::string &id = RequestContext::currentRequestId();
        return id.empty() ? std::string() : ",\"request_id\":\"" + id + "\"";
    }
};

// %q in the text pattern: " [req <id>]" while a request is being handled, nothing otherwise.
class RequestIdFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg &, const std::tm &, spdlog::memory_buf_t &dest) override
    {
        const std::string &id = RequestContext::currentRequestId();
        if (id.empty())
            return;
        static constexpr std::string_view open = " [req ";
        dest.append(open.data(), open.data() + open.size());
        dest.append(id.data(), id.data() + id.size());
        dest.push_back(']');
    }
    std::unique_ptr<spdlog::custom_flag_formatter> clone() const override { return std::make_unique<RequestIdFlag>(); }
};

spdlog::level::level_enum toLevel(const QString &name)
{
    if (name == QLatin1String("error"))
        return spdlog::level::err;
    if (name == QLatin1String("warn"))
        return spdlog::level::warn;
    if (name == QLatin1String("debug"))
        return spdlog::level::debug;
    if (name == QLatin1String("trace"))
        return spdlog::level::trace;
    return spdlog::level::info;
}

void qtMessageHandler(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    spdlog::level::level_enum level = spdlog::level::info;
    switch (type) {
    case QtDebugMsg: level = spdlog::level::debug; break;
    case QtInfoMsg: level = spdlog::level::info; break;
    case QtWarningMsg: level = spdlog::level::warn; break;
    case QtCriticalMsg: level = spdlog::level::err; break;
    case QtFatalMsg: level = spdlog::level::critical; break;
    }
    const char *category = context.category ? context.category : "default";
    if (std::strcmp(category, "default") == 0)
        spdlog::log(level, "[qt] {}", text.toStdString());
    else
        spdlog::log(level, "[{}] {}", category, text.toStdString());
    if (type == QtFatalMsg) {
        spdlog::default_logger()->flush();
        std::abort();
    }
}

} // namespace

std::string jsonEscape(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 8);
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(static_cast<unsigned char>(c)));
                out += buf;
            } else {
                out += c;
            }
        }
    }
    return out;
}

Status setup(const LogOptions &options)
{
    std::vector<spdlog::sink_ptr> sinks;
    if (options.console)
        sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    if (!options.directory.isEmpty()) {
        if (!QDir().mkpath(options.directory))
            return DomainError::internal(QStringLiteral("cannot create log directory %1").arg(options.directory));
        try {
            sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                QDir(options.directory).filePath(QStringLiteral("wadesk.log")).toStdString(),
                size_t(options.maxFileBytes), size_t(options.maxFiles)));
        } catch (const spdlog::spdlog_ex &e) {
            return DomainError::internal(QStringLiteral("cannot open the log file: %1").arg(QString::fromUtf8(e.what())));
        }
    }
    auto logger = std::make_shared<spdlog::logger>("wadesk", sinks.begin(), sinks.end());
    if (options.json)
        logger->set_formatter(std::make_unique<JsonLineFormatter>());
    else {
        auto text = std::make_unique<spdlog::pattern_formatter>();
        text->add_flag<RequestIdFlag>('q').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%t]%q %v");
        logger->set_formatter(std::move(text));
    }
    logger->set_level(toLevel(options.level));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    spdlog::flush_every(std::chrono::seconds(2));
    qInstallMessageHandler(qtMessageHandler);
    return {};
}

void shutdown()
{
    qInstallMessageHandler(nullptr);
    spdlog::default_logger()->flush();
}

} // namespace wadesk::Logging

// WaDesk entry point: read the configuration before Qt starts (headless mode decides the
// platform plugin), then hand over to Application.

#include "app/Application.h"
#include "app/ExitCodes.h"
#include "core/common/Version.h"
#include "core/config/ConfigLoader.h"
#include "core/engine/EngineInfo.h"
#include "core/network/EgressProxy.h"
#include "translations/Translations.h"

#include <QApplication>
#include <QProcessEnvironment>
#include <cstdio>
#include <unistd.h>

namespace {

bool hasDisplay(const QProcessEnvironment &env)
{
    return !env.value(QStringLiteral("DISPLAY")).isEmpty() || !env.value(QStringLiteral("WAYLAND_DISPLAY")).isEmpty()
        || env.value(QStringLiteral("QT_QPA_PLATFORM")) == QLatin1String("offscreen");
}

// Sessions run in pages that are never shown (headless) or mostly hidden (GUI): Chromium would
// throttle their timers to once a second, and much harder after five minutes, which stalls
// WhatsApp Web's keep-alives and wa-js's events. Chromium also refuses its sandbox as root;
// there, and only there, the sandbox is dropped.
void prepareChromiumFlags()
{
    QByteArray flags = qgetenv("QTWEBENGINE_CHROMIUM_FLAGS");
    auto add = [&flags](const QByteArray &flag) {
        if (!flags.contains(flag))
            flags += flags.isEmpty() ? flag : " " + flag;
    };
    add("--disable-background-timer-throttling");
    add("--disable-renderer-backgrounding");
    add("--disable-backgrounding-occluded-windows");
    // Pages reach the network only through the forwarding proxy (a client's proxy, or direct by
    // WaDesk's choice): WebRTC must not open UDP around it and show the machine's own address.
    add("--force-webrtc-ip-handling-policy=disable_non_proxied_udp");
    if (::geteuid() == 0)
        add("--no-sandbox");
    qputenv("QTWEBENGINE_CHROMIUM_FLAGS", flags);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setApplicationName(QLatin1String(wadesk::kApplicationName));
    QCoreApplication::setApplicationVersion(QLatin1String(wadesk::kVersion));

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();

    auto loaded = wadesk::ConfigLoader::load(arguments, env, wadesk::ConfigLoader::defaultSettingsFilePath(env));
    if (!loaded) {
        std::fprintf(stderr, "wadesk: %s\n", loaded.error().message.toLocal8Bit().constData());
        return wadesk::ExitCode::InvalidOption;
    }
    if (loaded.value().showHelp) {
        std::fputs(loaded.value().helpText.toLocal8Bit().constData(), stdout);
        return wadesk::ExitCode::Ok;
    }
    if (loaded.value().showVersion) {
        std::printf("WaDesk %s (Qt %s, QtWebEngine %s, Chromium %s)\n", wadesk::kVersion, qVersion(),
                    qPrintable(wadesk::EngineInfo::qtWebEngineVersion()), qPrintable(wadesk::EngineInfo::chromiumVersion()));
        return wadesk::ExitCode::Ok;
    }

    wadesk::AppConfig config = loaded.value().config;
    if (loaded.value().command.kind != wadesk::MaintenanceCommand::Kind::None) {
        QCoreApplication core(argc, argv);
        wadesk::Application maintenance(config, env);
        return maintenance.runCommand(loaded.value().command);
    }
    if (loaded.value().verifyAudit) {
        QCoreApplication core(argc, argv);
        wadesk::Application verifier(config, env);
        return verifier.verifyAudit();
    }
    if (!config.headless && !hasDisplay(env)) {
        std::fprintf(stderr, "wadesk: no display found (DISPLAY and WAYLAND_DISPLAY are unset): starting headless\n");
        config.headless = true;
    }
    if (config.headless && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    prepareChromiumFlags();
    // Chromium's one proxy for every page: WaDesk's forwarding proxy, bound here because Chromium
    // reads its flags once, when the first page is made (docs/proxies.md).
    const int egressSocket = wadesk::EgressProxy::prepareForChromium();
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts); // required by Qt WebEngine

    QApplication app(argc, argv);
    app.setApplicationDisplayName(QLatin1String(wadesk::kDisplayName));
    app.setDesktopFileName(QStringLiteral("io.github.wadesk.WaDesk")); // installer/io.github.wadesk.WaDesk.desktop
    // The language chosen on the Settings screen (wadesk.ini ui/language), else the system's.
    wadesk::installTranslations(wadesk::uiLocale(config.settingsFile));

    wadesk::Application wadeskApp(config, env);
    wadeskApp.setArguments(arguments);
    wadeskApp.setEgressSocket(egressSocket);
    return wadeskApp.run(app);
}

#include "core/config/MaintenanceCommand.h"

namespace wadesk {

MaintenanceCommand::Kind MaintenanceCommand::kindOf(const QString &name)
{
    if (name == QLatin1String("backup"))
        return Kind::Backup;
    if (name == QLatin1String("restore"))
        return Kind::Restore;
    if (name == QLatin1String("import-v1"))
        return Kind::ImportV1;
    if (name == QLatin1String("analytics"))
        return Kind::Analytics;
    return Kind::None;
}

QString MaintenanceCommand::nameOf(Kind kind)
{
    switch (kind) {
    case Kind::Backup: return QStringLiteral("backup");
    case Kind::Restore: return QStringLiteral("restore");
    case Kind::ImportV1: return QStringLiteral("import-v1");
    case Kind::Analytics: return QStringLiteral("analytics");
    case Kind::None: break;
    }
    return {};
}

} // namespace wadesk

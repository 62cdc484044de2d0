#pragma once

#include "core/common/DomainError.h"

#include <QObject>
#include <QPointer>

class QAction;
class QWidget;

namespace wadesk {

class DesktopContext;
class InstancesDialog;
class PinInstanceDialog;

// The main window's actions for several instances on one database (only there: both are hidden
// when DesktopContext::cluster() is null):
//   instancesAction(): Admin → Instances… (Ctrl+Shift+I), admins (can_manage_organization, as
//                      GET /api/instances);
//   pinAction():       Client → Run on Instance…, for the selected client, those who manage
//                      clients (as PATCH /api/clients/:id {instance}).
class InstanceActions final : public QObject {
    Q_OBJECT
public:
    InstanceActions(DesktopContext &context, QWidget *dialogParent);

    QAction *instancesAction() const { return m_instances; }
    QAction *pinAction() const { return m_pin; }
    void setCurrentClient(const QString &clientId);

    InstancesDialog *instancesDialog() const; // while open
    PinInstanceDialog *pinDialog() const;     // while open
    InstancesDialog *openInstances();
    // The dialog for the selected client (null when none, or when it cannot be read: the reason
    // is shown in a message box).
    PinInstanceDialog *openPin();

private:
    void update();
    void submitPin();

    DesktopContext &m_context;
    QWidget *m_dialogParent;
    QAction *m_instances = nullptr;
    QAction *m_pin = nullptr;
    QString m_clientId;
    QString m_pinClientId; // the client the open pin dialog is for
    QString m_pinBefore;   // and its pin when it opened
    QPointer<InstancesDialog> m_instancesDialog;
    QPointer<PinInstanceDialog> m_pinDialog;
};

} // namespace wadesk

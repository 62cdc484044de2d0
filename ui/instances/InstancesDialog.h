#pragma once

#include "core/common/DomainError.h"

#include <QDialog>
#include <QTimer>

class QLabel;
class QPushButton;
class QTreeView;

namespace wadesk {

class DesktopContext;
class ErrorLabel;
class InstanceListModel;

// Admin → Instances…: the instances that share this database (several on one PostgreSQL), read
// again every few seconds while the dialog is shown. Drain… (asks first) makes the selected one
// hand its sessions over to the others one by one; Undrain ends that. Everything goes through
// InstanceService with the signed-in actor, so only admins get anything and every change is
// audited, as through POST /api/instances/:id/drain.
class InstancesDialog final : public QDialog {
    Q_OBJECT
public:
    static constexpr int kRefreshIntervalMs = 3000;

    explicit InstancesDialog(DesktopContext &context, QWidget *parent = nullptr);

    InstanceListModel *instanceModel() const { return m_model; }
    QTreeView *instanceView() const { return m_view; }
    QPushButton *drainButton() const { return m_drain; }
    QPushButton *undrainButton() const { return m_undrain; }
    QPushButton *refreshButton() const { return m_refresh; }
    QTimer *refreshTimer() { return &m_timer; }
    QString errorText() const;
    QString currentInstance() const;
    void selectInstance(const QString &instanceId);
    void refresh();
    // Without asking (the Drain button asks first).
    Status setDraining(const QString &instanceId, bool draining);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void onDrain();
    void updateControls();
    void showStatus(const Status &status);

    DesktopContext &m_context;
    InstanceListModel *m_model = nullptr;
    QTreeView *m_view = nullptr;
    QPushButton *m_drain = nullptr;
    QPushButton *m_undrain = nullptr;
    QPushButton *m_refresh = nullptr;
    QLabel *m_hint = nullptr;
    ErrorLabel *m_error = nullptr;
    QTimer m_timer;
};

} // namespace wadesk

#pragma once

#include "core/cluster/InstanceService.h"

#include <QDialog>
#include <QList>

class QComboBox;
class QLabel;
class QPushButton;

namespace wadesk {

class ErrorLabel;

// Client → Run on Instance…: which instance the client runs on ("Any instance": not pinned, the
// least busy live one takes it). Offline and draining instances are offered, marked: a pin to an
// offline instance waits for it. Like AssignProxyDialog it checks nothing itself: OK emits
// submitted() and the caller pins through InstanceService, then accepts this dialog or shows
// the refusal here.
class PinInstanceDialog final : public QDialog {
    Q_OBJECT
public:
    // `currentPin`: the client's pin now (empty: none); `thisInstanceId`: this desktop's.
    PinInstanceDialog(const QString &clientName, const QString &currentPin, const QList<InstanceService::Instance> &instances,
                      const QString &thisInstanceId, QWidget *parent = nullptr);

    // The instance id chosen; empty: not pinned.
    QString choice() const;
    void setChoice(const QString &instanceId);

    QComboBox *instanceCombo() const { return m_instance; }
    QPushButton *okButton() const { return m_ok; }
    void showError(const QString &message);
    QString errorText() const;

signals:
    void submitted();

private:
    QComboBox *m_instance = nullptr;
    ErrorLabel *m_error = nullptr;
    QPushButton *m_ok = nullptr;
};

} // namespace wadesk

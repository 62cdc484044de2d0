#pragma once

#include <QDialog>
#include <QStringList>

class QDialogButtonBox;
class QLineEdit;
class QListWidget;

namespace wadesk {

class ErrorLabel;

// "Add webhook": the endpoint's URL and a checklist of the events it receives ("All events" or
// any of the event names). It only collects and shows: WebhooksDialog checks and registers on
// submitted(), and calls showError() or accept().
class AddWebhookDialog final : public QDialog {
    Q_OBJECT
public:
    AddWebhookDialog(const QStringList &eventNames, QWidget *parent = nullptr);

    QString url() const;
    // The ticked events; ["*"] when "All events" is ticked.
    QStringList events() const;
    void setUrl(const QString &url);
    // Ticks exactly these events ("*" ticks "All events").
    void setEvents(const QStringList &events);
    QLineEdit *urlEdit() const { return m_url; }
    QListWidget *eventList() const { return m_events; }
    QString errorText() const;
    void showError(const QString &message);
    void setBusy(bool busy);
    bool busy() const { return m_busy; }
    // Presses OK (what a click does).
    void submit();

signals:
    void submitted();

private:
    QLineEdit *m_url = nullptr;
    QListWidget *m_events = nullptr;
    ErrorLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    bool m_busy = false;
};

} // namespace wadesk

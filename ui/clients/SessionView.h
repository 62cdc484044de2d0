#pragma once

#include <QPointer>
#include <QWebEnginePage>
#include <QWebEngineView>
#include <QWidget>

class QLabel;
class QPushButton;
class QStackedWidget;

namespace wadesk {

class DesktopContext;
class LinkPanel;
struct Event;

// The selected client's live WhatsApp Web page. The page belongs to the client's WaSession and
// keeps running whether it is shown or not: this view only borrows it (QWebEngineView::setPage
// never takes ownership of a page it did not create), and lets it go before the session deletes
// it: when the registry is about to stop the session (sessionAboutToStop, whoever asked), when
// the session gives its page up (failed), or when the page is destroyed for any other reason. A header shows the client's state and, on the QR screen,
// how to link the phone (with the LinkPanel beside the page to those who may link), and, to those who may see the proxy pool (admins and managers), the
// client's proxy with its health (read through ProxyService when the client is selected, when
// its proxy is assigned here and when a proxy fails).
class SessionView final : public QWidget {
    Q_OBJECT
public:
    explicit SessionView(DesktopContext &context, QWidget *parent = nullptr);
    ~SessionView() override;

    void setClient(const QString &clientId, const QString &name);
    QString clientId() const { return m_clientId; }
    // The page shown now (null when the placeholder shows).
    QWebEnginePage *attachedPage() const { return m_page; }
    QWebEngineView *webView() const { return m_view; }
    // The native QR code and "Link with phone number instead" (visible only on the QR screen).
    LinkPanel *linkPanel() const { return m_linkPanel; }
    // Lets the page of `clientId` go now (before a stop), if it is the one shown.
    void detachClient(const QString &clientId);
    // The proxy line: empty when hidden (no proxy pool for this role, or no client).
    QString proxyText() const;
    // Reads the shown client's proxy again (any client when `clientId` is empty).
    void refreshProxy(const QString &clientId = QString());
    // Whether the signed-in user sees no client at all (the empty state then offers to add one).
    void setNoClients(bool none);
    // The empty state's button ("Add Your First Client…" or "Start Session"), hidden when none applies.
    QPushButton *emptyStateButton() const { return m_placeholderButton; }
    QString placeholderText() const;

signals:
    void startRequested(const QString &clientId);
    void addClientRequested();

private:
    void refresh();
    void detach();
    void onSessionStopped(const QString &clientId);
    void onSnapshotChanged(const QString &clientId);
    void onEvent(const Event &event);

    DesktopContext &m_context;
    QString m_clientId;
    QString m_name;
    QLabel *m_title = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_proxy = nullptr;
    QLabel *m_hint = nullptr;
    QStackedWidget *m_stack = nullptr;
    LinkPanel *m_linkPanel = nullptr;
    QLabel *m_placeholder = nullptr;
    QWidget *m_placeholderPage = nullptr;
    QPushButton *m_placeholderButton = nullptr;
    bool m_noClients = false;
    QPointer<QWebEngineView> m_view;
    QPointer<QWebEnginePage> m_page;
};

} // namespace wadesk

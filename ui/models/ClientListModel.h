#pragma once

#include "core/sessions/ClientRepository.h"
#include "core/sessions/SessionState.h"

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QTimer>
#include <QVector>

namespace wadesk {

class DesktopContext;
struct Event;

// The clients the signed-in user may see (ClientService::list with the actor does the scoping),
// each with its live session state from the SessionRegistry, the unread count (messages that
// arrived while another client was selected), the queue depth and the paused flag.
//
// Cheap by design: a snapshot change or an event touches one row (dataChanged on that row);
// what needs the database (paused flag, queue depth) is re-read for the changed clients only,
// coalesced over a short timer.
class ClientListModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        ClientIdRole = Qt::UserRole + 1,
        NameRole,
        PhoneRole,
        StateRole,     // int(SessionState)
        StateNameRole, // "ready", "qr", ... (SessionStates::name)
        StateTextRole, // translated, for people
        LastErrorRole,
        UnreadRole,
        QueueDepthRole,
        PausedRole,
        RunningRole,   // a page exists in this process
        InstanceRole,  // the instance that runs the session when it is another one (else empty)
    };

    explicit ClientListModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Reads the list again (after a client was added elsewhere, or on View → Refresh): one list
    // query per page of 500 clients, then one query for the paused flags and one for all queue
    // depths.
    void reload();
    // Reads the list of visible clients and reloads only when it differs from the rows shown
    // (connected to DesktopContext::assignmentsMayHaveChanged).
    void reloadIfClientsChanged();
    int rowOf(const QString &clientId) const;
    QString clientIdAt(int row) const;
    // The client the operator looks at: its unread count resets and stays at zero.
    void setCurrentClient(const QString &clientId);
    QString currentClient() const { return m_current; }
    // Re-reads one client's record and counters (after a rename, a send, a pause).
    void refreshClient(const QString &clientId);
    // Re-reads the counters of these clients soon (coalesced).
    void scheduleRefresh(const QString &clientId);

    static QString stateText(SessionState state);

private:
    struct Row {
        QString id;
        QString name;
        QString phone;
        ClientRecord stored; // status, number and error as last stored, for ClientStatus
        SessionState state = SessionState::Stopped;
        QString lastError;
        int unread = 0;
        int queueDepth = 0;
        bool paused = false;
        bool running = false;
        QString instance; // runs on that other instance
    };
    QList<ClientRecord> listClients(bool *ok) const;
    void applyList(const QList<ClientRecord> &clients);
    void readLive(Row &row) const;
    void readStored(Row &row) const;
    void onSnapshotChanged(const QString &clientId);
    void onRemoteSessionsChanged();
    void onEvent(const Event &event);
    void flushRefresh();
    void emitRow(int row, const QVector<int> &roles = {});

    DesktopContext &m_context;
    QVector<Row> m_rows;
    QHash<QString, int> m_index;
    QString m_current;
    QSet<QString> m_dirty;
    QTimer m_refreshTimer;
};

} // namespace wadesk

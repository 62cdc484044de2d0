#pragma once

#include <QMainWindow>

class QLabel;

namespace wadesk {

// The application window. Screens arrive with later work; today it shows where the API
// listens and which database is in use, and the About box with the versions in use.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    struct Facts {
        QString apiAddress;      // "http://127.0.0.1:3002"
        QString database;        // "SQLite /home/me/.local/share/wadesk/wadesk.db"
        QString secrets;         // which secret store holds the master key
    };

    explicit MainWindow(Facts facts, QWidget *parent = nullptr);
    static QString aboutText();

public slots:
    void showAbout();

private:
    Facts m_facts;
    QLabel *m_apiLabel = nullptr;
    QLabel *m_databaseLabel = nullptr;
};

} // namespace wadesk

#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace simfleet::ui {

// "Connect to a Shared Workspace": a workspace a team keeps on a PostgreSQL server (issue 22).
// Server (with the servers used before), port, database and user make the address; the password
// is asked every time, handed to the connection in memory and never stored (the recent list keeps
// the address only).
class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    // recent: workspace addresses used before; the PostgreSQL ones fill the server list, the
    // first of them the fields.
    explicit ConnectDialog(const QStringList &recent, QWidget *parent = nullptr);

    // Fills the fields from an address (a recent entry chosen from the menu).
    void setAddress(const QString &address);
    // postgresql://USER@HOST:PORT/DATABASE, without the password.
    QString address() const;
    // The password typed; the caller hands it on and wipes its copy.
    QByteArray password() const;

private:
    void check();
    QString typedUrl() const;

    QComboBox *m_server;
    QSpinBox *m_port;
    QLineEdit *m_database;
    QLineEdit *m_user;
    QLineEdit *m_password;
    QLabel *m_problem;
    QPushButton *m_connect;
};

} // namespace simfleet::ui

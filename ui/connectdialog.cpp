#include "connectdialog.h"

#include "store/workspaceaddress.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QUrl>

namespace simfleet::ui {

ConnectDialog::ConnectDialog(const QStringList &recent, QWidget *parent)
    : QDialog(parent), m_server(new QComboBox(this)), m_port(new QSpinBox(this)), m_database(new QLineEdit(this)),
      m_user(new QLineEdit(this)), m_password(new QLineEdit(this)), m_problem(new QLabel(this))
{
    setObjectName(QStringLiteral("connectDialog"));
    setWindowTitle(tr("Connect to a Shared Workspace"));
    m_server->setObjectName(QStringLiteral("connectServer"));
    m_port->setObjectName(QStringLiteral("connectPort"));
    m_database->setObjectName(QStringLiteral("connectDatabase"));
    m_user->setObjectName(QStringLiteral("connectUser"));
    m_password->setObjectName(QStringLiteral("connectPassword"));
    m_problem->setObjectName(QStringLiteral("connectProblem"));
    m_server->setEditable(true);
    m_server->setInsertPolicy(QComboBox::NoInsert);
    m_server->lineEdit()->setPlaceholderText(tr("e.g. db.stadtwerke-rheinau.de"));
    m_port->setRange(1, 65535);
    m_port->setValue(5432);
    m_database->setPlaceholderText(tr("e.g. fleet"));
    m_user->setPlaceholderText(tr("your simfleet user name"));
    m_password->setEchoMode(QLineEdit::Password);
    m_server->setAccessibleName(tr("Database server"));
    m_port->setAccessibleName(tr("Port"));
    m_database->setAccessibleName(tr("Database"));
    m_user->setAccessibleName(tr("User"));
    m_password->setAccessibleName(tr("Password"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #c0392b;"));

    setMinimumWidth(480);
    QStringList servers;
    QString first;
    for (const QString &entry : recent) {
        auto address = store::WorkspaceAddress::parse(entry);
        if (!address || !address->isPostgres())
            continue;
        if (first.isEmpty())
            first = entry;
        if (!servers.contains(address->host()))
            servers << address->host();
    }
    m_server->addItems(servers);

    auto *form = new QFormLayout(this);
    auto *intro = new QLabel(tr("A workspace a team shares lives in a PostgreSQL database. The server checks your "
                                "user name and password, and lets you see and change what your role allows. The "
                                "password is not stored."),
                             this);
    intro->setWordWrap(true);
    form->addRow(intro);
    form->addRow(tr("&Server:"), m_server);
    form->addRow(tr("P&ort:"), m_port);
    form->addRow(tr("&Database:"), m_database);
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(m_problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_connect = buttons->button(QDialogButtonBox::Ok);
    m_connect->setText(tr("&Connect"));
    m_connect->setObjectName(QStringLiteral("connectButton"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_server, &QComboBox::currentTextChanged, this, &ConnectDialog::check);
    connect(m_port, &QSpinBox::valueChanged, this, &ConnectDialog::check);
    for (QLineEdit *field : { m_database, m_user, m_password })
        connect(field, &QLineEdit::textChanged, this, &ConnectDialog::check);
    if (!first.isEmpty())
        setAddress(first);
    check();
}

void ConnectDialog::setAddress(const QString &text)
{
    auto address = store::WorkspaceAddress::parse(text);
    if (!address || !address->isPostgres())
        return;
    m_server->setCurrentText(address->host());
    m_port->setValue(address->port());
    m_database->setText(address->database());
    m_user->setText(address->user());
    m_password->clear();
    m_password->setFocus();
}

QString ConnectDialog::typedUrl() const
{
    return QStringLiteral("postgresql://%1@%2:%3/%4")
        .arg(QString::fromUtf8(QUrl::toPercentEncoding(m_user->text().trimmed())), m_server->currentText().trimmed())
        .arg(m_port->value())
        .arg(QString::fromUtf8(QUrl::toPercentEncoding(m_database->text().trimmed())));
}

QString ConnectDialog::address() const
{
    auto address = store::WorkspaceAddress::parse(typedUrl());
    return address ? address->toString() : QString();
}

QByteArray ConnectDialog::password() const
{
    return m_password->text().toUtf8();
}

void ConnectDialog::check()
{
    QString problem;
    if (m_server->currentText().trimmed().isEmpty() || m_database->text().trimmed().isEmpty()
        || m_user->text().trimmed().isEmpty()) {
        problem = tr("Give the server, the database and your user name.");
    } else {
        if (auto address = store::WorkspaceAddress::parse(typedUrl()); !address)
            problem = address.errorMessage();
        else if (m_password->text().isEmpty())
            problem = tr("Type your password.");
    }
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty() && problem != tr("Type your password."));
    m_connect->setEnabled(problem.isEmpty());
}

} // namespace simfleet::ui

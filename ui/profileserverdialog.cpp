#include "profileserverdialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace simfleet::ui {

ProfileServerDialog::ProfileServerDialog(const QString &operatorName, QWidget *parent)
    : QDialog(parent),
      m_operator(operatorName),
      m_listen(new QLineEdit(QStringLiteral("127.0.0.1:8443"), this)),
      m_address(new QLineEdit(this)),
      m_certificate(nullptr),
      m_key(nullptr),
      m_es2Listen(new QLineEdit(this)),
      m_es2Ca(nullptr),
      m_problem(new QLabel(this))
{
    setObjectName(QStringLiteral("profileServerDialog"));
    setWindowTitle(tr("Serve %1's Profile Server").arg(operatorName));
    setMinimumWidth(560); // room for file paths
    m_listen->setObjectName(QStringLiteral("serverListen"));
    m_listen->setAccessibleName(tr("Listen on address and port"));
    m_address->setObjectName(QStringLiteral("serverAddress"));
    m_address->setPlaceholderText(tr("as listened on"));
    m_address->setAccessibleName(tr("SM-DP+ address devices name"));
    m_certificate = fileField(QStringLiteral("serverCertificate"), tr("TLS Certificate"), tr("Certificates (*.pem *.crt *.der);;All files (*)"));
    m_key = fileField(QStringLiteral("serverKey"), tr("TLS Key"), tr("Keys (*.pem *.key);;All files (*)"));
    m_es2Listen->setObjectName(QStringLiteral("es2Listen"));
    m_es2Listen->setPlaceholderText(tr("not served"));
    m_es2Listen->setAccessibleName(tr("ES2+ address and port"));
    m_es2Ca = fileField(QStringLiteral("es2ClientCa"), tr("Operator's CA"), tr("Certificates (*.pem *.crt *.der);;All files (*)"));
    m_problem->setObjectName(QStringLiteral("profileServerProblem"));
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->hide();

    auto *intro = new QLabel(tr("Devices and their relays reach the profile server with ES9+ over HTTPS (SGP.22 section 6), "
                                "signed with %1's keys; the operator orders over ES2+ with its own TLS certificate.")
                                 .arg(operatorName),
                             this);
    intro->setWordWrap(true);
    auto *form = new QFormLayout(this);
    form->addRow(intro);
    form->addRow(tr("&Listen on:"), m_listen);
    form->addRow(tr("SM-DP+ &address:"), m_address);
    form->addRow(tr("TLS &certificate:"), m_certificate->parentWidget());
    form->addRow(tr("TLS &key:"), m_key->parentWidget());
    form->addRow(tr("ES&2+ on:"), m_es2Listen);
    form->addRow(tr("ES2+ client &CA:"), m_es2Ca->parentWidget());
    form->addRow(m_problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    auto *serve = buttons->addButton(tr("&Serve"), QDialogButtonBox::AcceptRole);
    serve->setObjectName(QStringLiteral("startServing"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // Accepted only once it listens: the page closes the dialog then.
    connect(serve, &QPushButton::clicked, this, [this] {
        m_problem->hide();
        // SGP.22 section 2.6.6: HTTPS only, and ES2+ only with the operator's certificate.
        if (m_certificate->text().trimmed().isEmpty() || m_key->text().trimmed().isEmpty())
            showProblem(tr("Choose the TLS certificate and its key: ES9+ is served over HTTPS only."));
        else if (!m_es2Listen->text().trimmed().isEmpty() && m_es2Ca->text().trimmed().isEmpty())
            showProblem(tr("Choose the CA the operator's client certificates chain to: ES2+ is served over mutual TLS only."));
        else
            Q_EMIT submitted();
    });
}

QLineEdit *ProfileServerDialog::fileField(const QString &objectName, const QString &title, const QString &filter)
{
    auto *row = new QWidget(this);
    auto *edit = new QLineEdit(row);
    edit->setObjectName(objectName);
    edit->setAccessibleName(title);
    auto *browse = new QPushButton(tr("Browse…"), row);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this, edit, title, filter] {
        const QString path = QFileDialog::getOpenFileName(this, title, edit->text(), filter);
        if (!path.isEmpty())
            edit->setText(path);
    });
    return edit;
}

net::ProfileServerOptions ProfileServerDialog::options() const
{
    net::ProfileServerOptions o;
    o.operatorName = m_operator;
    o.listen = m_listen->text().trimmed();
    o.address = m_address->text().trimmed();
    o.tlsCertificateFile = m_certificate->text().trimmed();
    o.tlsKeyFile = m_key->text().trimmed();
    o.es2Listen = m_es2Listen->text().trimmed();
    o.es2ClientCaFile = m_es2Ca->text().trimmed();
    return o;
}

void ProfileServerDialog::showProblem(const QString &message)
{
    m_problem->setText(message);
    m_problem->show();
}

} // namespace simfleet::ui

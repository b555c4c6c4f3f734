#include "newworkspacedialog.h"

#include "access/passwordpolicy.h"
#include "store/workspace.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>

namespace simfleet::ui {

NewWorkspaceDialog::NewWorkspaceDialog(QWidget *parent)
    : QDialog(parent), m_path(new QLineEdit(this)), m_name(new QLineEdit(this)), m_passphrase(new QLineEdit(this)),
      m_passphraseRepeat(new QLineEdit(this)), m_admin(new QLineEdit(this)), m_password(new QLineEdit(this)),
      m_passwordRepeat(new QLineEdit(this)), m_problem(new QLabel(this))
{
    setObjectName(QStringLiteral("newWorkspaceDialog"));
    setWindowTitle(tr("New Workspace"));
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    m_path->setText(QDir(documents.isEmpty() ? QDir::homePath() : documents)
                        .filePath(QStringLiteral("fleet.") + store::Workspace::fileSuffix()));
    const std::pair<QLineEdit *, const char *> names[] = {
        { m_path, "workspacePath" },        { m_name, "workspaceName" },     { m_passphrase, "passphrase" },
        { m_passphraseRepeat, "passphraseRepeat" }, { m_admin, "administrator" }, { m_password, "administratorPassword" },
        { m_passwordRepeat, "administratorPasswordRepeat" },
    };
    for (const auto &[field, name] : names)
        field->setObjectName(QLatin1StringView(name));
    for (QLineEdit *secret : { m_passphrase, m_passphraseRepeat, m_password, m_passwordRepeat })
        secret->setEchoMode(QLineEdit::Password);
    m_path->setAccessibleName(tr("Workspace file"));
    m_name->setAccessibleName(tr("Workspace name"));
    m_passphrase->setAccessibleName(tr("Workspace passphrase"));
    m_passphraseRepeat->setAccessibleName(tr("Repeat the passphrase"));
    m_admin->setAccessibleName(tr("Administrator's user name"));
    m_password->setAccessibleName(tr("Administrator's password"));
    m_passwordRepeat->setAccessibleName(tr("Repeat the administrator's password"));
    m_name->setPlaceholderText(tr("e.g. Stadtwerke Rheinau fleet"));
    m_admin->setText(QStringLiteral("admin"));
    m_problem->setObjectName(QStringLiteral("newWorkspaceProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_problem->hide();

    auto *browse = new QPushButton(tr("&Browse…"), this);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_path, 1);
    fileRow->addWidget(browse);
    auto *form = new QFormLayout(this);
    form->addRow(new QLabel(tr("A workspace is one file holding fleets, operators, their secrets (sealed under the "
                               "passphrase) and their history. Keep the passphrase safe: without it the secrets cannot be "
                               "opened, and whoever has it can."),
                            this));
    form->addRow(tr("&File:"), fileRow);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Passphrase:"), m_passphrase);
    form->addRow(tr("&Repeat it:"), m_passphraseRepeat);
    form->addRow(tr("First user, the &Administrator:"), m_admin);
    form->addRow(tr("Their pass&word:"), m_password);
    form->addRow(tr("Repeat i&t:"), m_passwordRepeat);
    form->addRow(m_problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Create"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &NewWorkspaceDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        auto *dialog = new QFileDialog(this, tr("New Workspace File"), QFileInfo(m_path->text()).absolutePath(),
                                       tr("simfleet workspaces (*.%1)").arg(store::Workspace::fileSuffix()));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setAcceptMode(QFileDialog::AcceptSave);
        dialog->setDefaultSuffix(store::Workspace::fileSuffix());
        connect(dialog, &QFileDialog::fileSelected, m_path, &QLineEdit::setText);
        dialog->open();
    });
    setMinimumWidth(560);
}

QString NewWorkspaceDialog::path() const
{
    return m_path->text().trimmed();
}

QString NewWorkspaceDialog::workspaceName() const
{
    const QString name = m_name->text().trimmed();
    return name.isEmpty() ? QFileInfo(path()).completeBaseName() : name;
}

QByteArray NewWorkspaceDialog::passphrase() const
{
    return m_passphrase->text().toUtf8();
}

QString NewWorkspaceDialog::administrator() const
{
    return m_admin->text().trimmed();
}

QByteArray NewWorkspaceDialog::administratorPassword() const
{
    return m_password->text().toUtf8();
}

void NewWorkspaceDialog::accept()
{
    QString problem;
    if (path().isEmpty())
        problem = tr("Say where the workspace file goes.");
    else if (QFileInfo::exists(path()))
        problem = tr("%1 already exists; choose another file name, or open it instead.").arg(QDir::toNativeSeparators(path()));
    else if (m_passphrase->text().size() < 8)
        problem = tr("The passphrase needs at least 8 characters.");
    else if (m_passphrase->text() != m_passphraseRepeat->text())
        problem = tr("The two passphrases differ; type them again.");
    else if (administrator().isEmpty())
        problem = tr("Name the first user, the Administrator.");
    else if (m_password->text() != m_passwordRepeat->text())
        problem = tr("The two passwords differ; type them again.");
    else if (auto weak = access::PasswordPolicy::check(administratorPassword(), administrator(), false); !weak)
        problem = tr("The Administrator's password: %1.").arg(weak.errorMessage());
    if (!problem.isEmpty()) {
        m_problem->setText(problem);
        m_problem->show();
        return;
    }
    QDialog::accept();
}

} // namespace simfleet::ui

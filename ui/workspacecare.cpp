#include "workspacecare.h"

#include "accesscontroller.h"

#include "access/session.h"
#include "core/clock.h"
#include "store/auditlog.h"
#include "store/secretvault.h"
#include "store/storewriter.h"
#include "store/workspace.h"
#include "store/workspacebackup.h"
#include "store/workspacerekey.h"
#include "store/workspaceservice.h"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QInputDialog>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QThreadPool>

namespace simfleet::ui {

namespace {

QLineEdit *secretField(QWidget *parent, const QString &name)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(name);
    edit->setEchoMode(QLineEdit::Password);
    return edit;
}

} // namespace

WorkspaceCare::WorkspaceCare(models::AccessController *access, QWidget *window)
    : QObject(window), m_access(access), m_window(window), m_backUp(new QAction(tr("&Back Up Workspace…"), this)),
      m_restore(new QAction(tr("&Restore a Backup…"), this)), m_passphrase(new QAction(tr("Change &Passphrase…"), this)),
      m_rekey(new QAction(tr("New Data &Key…"), this))
{
    m_backUp->setObjectName(QStringLiteral("backUpAction"));
    m_backUp->setToolTip(tr("One file with the workspace and the files beside it, consistent while campaigns run"));
    m_restore->setObjectName(QStringLiteral("restoreAction"));
    m_passphrase->setObjectName(QStringLiteral("passphraseAction"));
    m_rekey->setObjectName(QStringLiteral("rekeyAction"));
    m_rekey->setToolTip(tr("Seal every secret again under a new data key; users take up their key slots at their next login"));
    connect(m_backUp, &QAction::triggered, this, &WorkspaceCare::backUp);
    connect(m_restore, &QAction::triggered, this, &WorkspaceCare::restore);
    connect(m_passphrase, &QAction::triggered, this, &WorkspaceCare::changePassphrase);
    connect(m_rekey, &QAction::triggered, this, &WorkspaceCare::rekey);
    updateActions();
}

void WorkspaceCare::addTo(QMenu *menu)
{
    menu->addActions({ m_backUp, m_restore, m_passphrase, m_rekey });
}

void WorkspaceCare::updateActions()
{
    const access::Session *session = m_access->session();
    const bool owner = session && session->isOwner();
    for (QAction *a : { m_backUp, m_passphrase, m_rekey })
        a->setVisible(owner);
    // Restoring makes a new workspace file: anyone may, and proves the passphrase when opening it.
    m_restore->setVisible(true);
}

void WorkspaceCare::backUp()
{
    auto *dialog = new QFileDialog(m_window, tr("Back Up the Workspace"),
                                   QDir::home().filePath(QStringLiteral("%1-%2.simfleet-backup")
                                                             .arg(m_access->workspaces()->current().name,
                                                                  QDate::currentDate().toString(Qt::ISODate))),
                                   tr("simfleet backups (*.simfleet-backup)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        Q_EMIT message(tr("Backing up…"), false);
        m_access->request<store::WorkspaceBackup::Taken>(
            this,
            [path](store::Workspace &ws, const access::Session &by) -> Result<store::WorkspaceBackup::Taken> {
                if (!by.isOwner())
                    return fail(tr("only the workspace's owner backs it up"));
                return store::WorkspaceBackup::take(ws, by.author(), path);
            },
            [this](const Result<store::WorkspaceBackup::Taken> &taken) {
                Q_EMIT message(taken ? tr("Backed up to %1 (%2 MB, with %3).")
                                           .arg(QDir::toNativeSeparators(taken->file))
                                           .arg(double(taken->bytes) / 1e6, 0, 'f', 1)
                                           .arg(taken->sideFiles.join(QStringLiteral(", ")))
                                     : taken.errorMessage(),
                               !taken);
            });
    });
    dialog->open();
}

void WorkspaceCare::restore()
{
    const QString backup = QFileDialog::getOpenFileName(m_window, tr("Restore a Backup"), QDir::homePath(),
                                                        tr("simfleet backups (*.simfleet-backup);;All files (*)"));
    if (backup.isEmpty())
        return;
    const QString target = QFileDialog::getSaveFileName(m_window, tr("The Restored Workspace"),
                                                        QDir::home().filePath(QStringLiteral("restored.simfleet")),
                                                        tr("simfleet workspaces (*.simfleet)"));
    if (target.isEmpty())
        return;
    Q_EMIT message(tr("Restoring…"), false);
    QPointer<WorkspaceCare> self(this);
    QThreadPool::globalInstance()->start([self, backup, target] {
        auto restored = store::WorkspaceBackup::restore(backup, target);
        QMetaObject::invokeMethod(
            qApp,
            [self, restored] {
                if (!self)
                    return;
                if (!restored) {
                    Q_EMIT self->message(restored.errorMessage(), true);
                    return;
                }
                Q_EMIT self->message(tr("Restored to %1; opening it (its audit log can be verified on the Audit page).")
                                         .arg(QDir::toNativeSeparators(restored->path)),
                                     false);
                Q_EMIT self->restored(restored->path);
            },
            Qt::QueuedConnection);
    });
}

void WorkspaceCare::changePassphrase()
{
    auto *dialog = new QDialog(m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("passphraseDialog"));
    dialog->setWindowTitle(tr("Change the Workspace Passphrase"));
    auto *old = secretField(dialog, QStringLiteral("oldPassphrase"));
    auto *fresh = secretField(dialog, QStringLiteral("newPassphrase"));
    auto *again = secretField(dialog, QStringLiteral("repeatPassphrase"));
    auto *problem = new QLabel(dialog);
    problem->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    auto *form = new QFormLayout(dialog);
    form->addRow(new QLabel(tr("Users keep their own passwords and key slots."), dialog));
    form->addRow(tr("Current passphrase:"), old);
    form->addRow(tr("New passphrase:"), fresh);
    form->addRow(tr("Repeat it:"), again);
    form->addRow(problem);
    form->addRow(buttons);
    const auto check = [=] {
        QString why;
        if (fresh->text().size() < 8)
            why = tr("The new passphrase needs at least 8 characters.");
        else if (fresh->text() != again->text())
            why = tr("The two new passphrases differ.");
        problem->setText(why);
        buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty() && !old->text().isEmpty());
    };
    for (QLineEdit *e : { old, fresh, again })
        connect(e, &QLineEdit::textChanged, dialog, check);
    check();
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, old, fresh] {
        const QByteArray before = old->text().toUtf8(), after = fresh->text().toUtf8();
        dialog->accept();
        m_access->request<bool>(
            this,
            [before, after](store::Workspace &ws, const access::Session &by) -> Result<bool> {
                if (!by.isOwner())
                    return fail(tr("only the workspace's owner changes its passphrase"));
                if (ws.info().demo)
                    return fail(tr("a demo workspace keeps its passphrase in its key file"));
                const store::AuditAuthor author = by.author();
                const QDateTime now = ws.clock().now();
                auto done = ws.writer().run([&](QSqlDatabase &db) -> Result<void> {
                    if (auto ok = store::SecretVault::changePassphrase(db, before, after); !ok)
                        return ok;
                    return store::AuditLog::record(db, now, author, QStringLiteral("workspace.passphrase"),
                                                   QStringLiteral("workspace"), QJsonObject {});
                });
                if (!done)
                    return done.error();
                return true;
            },
            [this](const Result<bool> &done) {
                Q_EMIT message(done ? tr("The passphrase is changed; users' key slots are kept.")
                                    : done.errorMessage() + tr("; the passphrase is unchanged"),
                               !done);
            });
    });
    dialog->open();
}

void WorkspaceCare::rekey()
{
    const bool demo = m_access->workspaces()->current().demo;
    QByteArray passphrase;
    if (!demo) {
        bool ok = false;
        const QString typed = QInputDialog::getText(m_window, tr("New Data Key"),
                                                    tr("Every secret is sealed again under a new data key, batch by batch; "
                                                       "interrupted, it resumes when run again. Users with key slots take up "
                                                       "their new ones at their next login.\n\nThe workspace passphrase:"),
                                                    QLineEdit::Password, {}, &ok);
        if (!ok)
            return;
        passphrase = typed.toUtf8();
    } else if (QMessageBox::question(m_window, tr("New Data Key"),
                                     tr("Seal every secret of the demo again under a new data key?"))
               != QMessageBox::Yes) {
        return;
    }
    Q_EMIT message(tr("Sealing every secret again under a new data key…"), false);
    m_access->request<store::WorkspaceRekey::Outcome>(
        this,
        [passphrase, demo](store::Workspace &ws, const access::Session &by) -> Result<store::WorkspaceRekey::Outcome> {
            if (!by.isOwner())
                return fail(tr("only the workspace's owner gives it a new data key"));
            QByteArray secret = passphrase;
            if (demo) {
                auto read = store::readKeyFile(store::Workspace::keyFilePath(ws.info().path));
                if (!read)
                    return read.error();
                secret = read->view().toByteArray();
            }
            auto done = store::WorkspaceRekey::run(ws, secret, by.author(), {});
            secret.fill('\0');
            return done;
        },
        [this](const Result<store::WorkspaceRekey::Outcome> &done) {
            Q_EMIT message(done ? tr("New data key: %n secret(s) sealed again; %1 user(s) take up their key slot at their next "
                                     "login.",
                                     nullptr, int(done->progress.resealed))
                                      .arg(done->pendingSlots)
                                : done.errorMessage() + tr("; run it again to resume"),
                           !done);
        });
}

} // namespace simfleet::ui

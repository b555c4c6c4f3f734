#pragma once

#include <QObject>

class QAction;
class QMenu;
class QWidget;

namespace simfleet::models {
class AccessController;
}

namespace simfleet::ui {

// The owner's File menu entries for a long-lived workspace (issue 23): back up, restore a backup
// into a new workspace, change the passphrase, and give the workspace a new data key. Shown to
// the owner only (who proved the passphrase); the work runs on the store thread or a worker,
// never on the GUI thread, and each says how it went.
class WorkspaceCare : public QObject
{
    Q_OBJECT
public:
    WorkspaceCare(models::AccessController *access, QWidget *window);
    void addTo(QMenu *menu);
    // Shows the entries when the owner is logged in.
    void updateActions();

Q_SIGNALS:
    void message(const QString &text, bool problem);
    // A backup was restored at path: the window offers to open it.
    void restored(const QString &path);

private:
    void backUp();
    void restore();
    void changePassphrase();
    void rekey();

    models::AccessController *m_access;
    QWidget *m_window;
    QAction *m_backUp;
    QAction *m_restore;
    QAction *m_passphrase;
    QAction *m_rekey;
};

} // namespace simfleet::ui

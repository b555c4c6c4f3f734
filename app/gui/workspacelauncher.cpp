#include "workspacelauncher.h"

#include "mainwindow.h"

namespace simfleet::app {

void launch(ui::MainWindow &window, const LaunchRequest &request)
{
    if (!request.workspacePath.isEmpty()) {
        window.openWorkspaceFile(request.workspacePath);
        return;
    }
    if (request.demo) {
        window.openDemoWorkspace();
        return;
    }
    // Whether the last file still exists is the store thread's question; if it fails, the
    // window explains why and offers the choice.
    const QString last = ui::MainWindow::lastWorkspacePath();
    if (!last.isEmpty())
        window.openWorkspaceFile(last);
    else
        window.offerWorkspaceChoice();
}

} // namespace simfleet::app

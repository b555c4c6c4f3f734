#pragma once

#include <QString>

namespace simfleet::ui {
class MainWindow;
}

namespace simfleet::app {

// What the command line asked for at start-up.
struct LaunchRequest
{
    QString workspacePath; // simfleet WORKSPACE
    bool demo = false;     // simfleet --demo
};

// simfleet WORKSPACE opens that file, --demo the demo workspace (created on first run);
// with neither, the last workspace, or the first-run choice when there is none.
void launch(ui::MainWindow &window, const LaunchRequest &request);

} // namespace simfleet::app

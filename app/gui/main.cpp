// simfleet: the desktop application. Wiring only: command line, identity, services, window.

#include "workspacelauncher.h"

#include "core/version.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "appearance.h"
#include "mainwindow.h"
#include "store/workspaceservice.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

#include <cstdio>

using namespace simfleet;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QLatin1StringView(applicationName));
    QApplication::setApplicationDisplayName(QStringLiteral("simfleet"));
    QApplication::setOrganizationName(QLatin1StringView(organizationName));
    QApplication::setOrganizationDomain(QLatin1StringView(organizationDomain));
    QApplication::setApplicationVersion(versionString());
    QGuiApplication::setDesktopFileName(QLatin1StringView(desktopFileName));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/simfleet.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Remote USIM provisioning, attestation and subscription change for M2M fleets."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demoOption(QStringLiteral("demo"),
                                        QStringLiteral("Open the demo workspace, creating it on first use."));
    parser.addOption(demoOption);
    parser.addPositionalArgument(QStringLiteral("workspace"), QStringLiteral("A workspace file to open."),
                                 QStringLiteral("[WORKSPACE]"));
    if (!parser.parse(QApplication::arguments())) {
        std::fprintf(stderr, "simfleet: %s\nRun 'simfleet --help' for usage.\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1 || (positional.size() == 1 && parser.isSet(demoOption))) {
        std::fprintf(stderr, "simfleet: give one workspace file or --demo, not both.\n");
        return 2;
    }

    if (ui::savedAppearance() != ui::Appearance::System)
        ui::applyAppearance(ui::savedAppearance());

    store::WorkspaceService workspaces([](const QString &path) { return simulation::DemoWorkspace::openOrCreateWithStories(path); },
                                       // A demo opened as a file (the last one, from the menu) is
                                       // renewed too; any other workspace is left as it is.
                                       [](store::Workspace &ws) {
                                           if (auto renewed = simulation::DemoWorkspace::renewRevocationLists(ws); !renewed)
                                               qWarning("the demo's revocation lists could not be renewed: %s",
                                                        qPrintable(renewed.errorMessage()));
                                       });
    ui::MainWindow window(&workspaces, simulation::SimulatedField::opener());
    window.show();

    const app::LaunchRequest request { positional.value(0), parser.isSet(demoOption) };
    QTimer::singleShot(0, &window, [&window, request] { app::launch(window, request); });
    return QApplication::exec();
}

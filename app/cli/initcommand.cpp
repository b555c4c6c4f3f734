#include "initcommand.h"
#include "passphraseprompt.h"

#include "fleet/demoworkspace.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QDir>
#include <QTextStream>

namespace simfleet::cli {

int InitCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QStringLiteral("Create the demo workspace: PKI, operators, customers and a "
                                                 "simulated fleet; its passphrase goes to a key file beside it."));
    const QCommandLineOption workspaceName(QStringLiteral("name"), QStringLiteral("The workspace's display name."),
                                           QStringLiteral("NAME"));
    parser.addOptions({ demo, workspaceName });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (context.workspacePath.isEmpty())
        return report(context, name(), QStringLiteral("say where: simfleet-cli -w PATH init"), BadUsage);
    const QString path = context.workspacePath;

    if (parser.isSet(demo)) {
        fleet::DemoContents contents;
        auto created = fleet::DemoWorkspace::create(path, nullptr, {}, &contents);
        if (!created)
            return report(context, name(), created.errorMessage(), RequestFailed);
        context.out << "Created the demo workspace " << QDir::toNativeSeparators(path) << ":\n"
                    << "  " << contents.operators << " operators, " << contents.customers << " customers, "
                    << contents.fleets << " fleets, " << contents.devices << " simulated devices, "
                    << contents.certificates << " certificates (demo PKI)\n"
                    << "Its passphrase is in " << QDir::toNativeSeparators(contents.keyFile)
                    << ", readable by you only; keep the two files together." << Qt::endl;
        return Success;
    }

    auto passphrase = obtainPassphrase(context, true);
    if (!passphrase)
        return report(context, name(), passphrase.errorMessage(), RequestFailed);
    const QString displayName = parser.isSet(workspaceName) ? parser.value(workspaceName)
                                                            : QFileInfo(path).completeBaseName();
    auto created = store::Workspace::create(path, displayName, passphrase->view());
    if (!created)
        return report(context, name(), created.errorMessage(), RequestFailed);
    context.out << "Created the workspace \"" << displayName << "\" at " << QDir::toNativeSeparators(path)
                << "; keep its passphrase safe: without it the secrets in it cannot be opened." << Qt::endl;
    return Success;
}

} // namespace simfleet::cli

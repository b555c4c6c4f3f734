#include "initcommand.h"
#include "passphraseprompt.h"

#include "access/accessservice.h"
#include "simulation/demoworkspace.h"
#include "store/workspace.h"
#include "store/workspaceaddress.h"

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
    const QCommandLineOption admin(QStringLiteral("admin"),
                                   QStringLiteral("Also add the first user, its Administrator (password from"
                                                  " SIMFLEET_NEW_PASSWORD or asked for twice)."),
                                   QStringLiteral("NAME"));
    const QCommandLineOption withoutStories(QStringLiteral("without-stories"),
                                            QStringLiteral("With --demo: nothing provisioned yet, instead of the seed's three "
                                                           "stories told over the demo's first two months (a file workspace "
                                                           "only; a demo on a server starts without them)."));
    parser.addOptions({ demo, workspaceName, admin, withoutStories });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (context.workspacePath.isEmpty())
        return report(context, name(), QStringLiteral("say where: simfleet-cli -w PATH init"), BadUsage);
    const QString path = context.workspacePath;

    if (parser.isSet(demo)) {
        simulation::DemoContents contents;
        QStringList told;
        const bool stories = !parser.isSet(withoutStories) && !store::WorkspaceAddress::looksLikeUrl(path);
        if (stories)
            context.err << "Creating the demo and telling its stories (about half a minute)..." << Qt::endl;
        auto created = stories ? simulation::DemoWorkspace::createWithStories(path, &contents, &told)
                               : simulation::DemoWorkspace::create(path, nullptr, {}, &contents);
        if (!created)
            return report(context, name(), created.errorMessage(), RequestFailed);
        context.out << "Created the demo workspace " << QDir::toNativeSeparators(path) << ":\n"
                    << "  " << contents.operators << " operators, " << contents.customers << " customers, "
                    << contents.fleets << " fleets, " << contents.devices << " simulated devices, "
                    << contents.certificates << " certificates (demo PKI)\n"
                    << "Its passphrase is in " << QDir::toNativeSeparators(contents.keyFile)
                    << ", readable by you only; keep the two files together.\n"
                    << "Users, each with the password \"" << simulation::demoPassword << "\" (simfleet-cli -w PATH --user NAME ...):\n";
        for (const QString &user : contents.users)
            context.out << "  " << user << "\n";
        if (!told.isEmpty()) {
            context.out << "Its stories (see the Dashboard, the Map and the Ledger):\n";
            for (const QString &story : std::as_const(told))
                context.out << "  " << story << "\n";
        }
        const auto tls = simulation::DemoWorkspace::eimTlsFiles(path);
        context.out << "Its devices can also run on the network, polling the workspace's eIM (SGP.32): the eIM's TLS "
                    << "certificate and key for localhost are " << QDir::toNativeSeparators(tls.certificate) << " and "
                    << QDir::toNativeSeparators(tls.key) << ", the root the devices trust is "
                    << QDir::toNativeSeparators(contents.eimRootFile) << ":\n"
                    << "  simfleet-cli -w " << QDir::toNativeSeparators(path) << " serve --esipa 127.0.0.1:8443\n"
                    << "  simfleet-field serve --field " << QDir::toNativeSeparators(contents.fieldFile)
                    << " --eim https://localhost:8443 --poll 60\n";
        context.out << Qt::flush;
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
    if (parser.isSet(admin)) {
        const QString adminName = parser.value(admin);
        auto password = obtainPassword(context, "SIMFLEET_NEW_PASSWORD",
                                       qPrintable(QStringLiteral("Password for %1: ").arg(adminName)));
        if (!password)
            return report(context, name(), password.errorMessage() + QStringLiteral("; add the Administrator later with: users add"),
                          RequestFailed);
        access::AccessService access(*created.value());
        auto owner = access.ownerSession();
        auto added = owner ? access.addUser(owner.value(), { adminName, access::Role::Administrator, {}, password->view().toByteArray() })
                           : Result<void>(owner.error());
        if (!added)
            return report(context, name(), added.errorMessage() + QStringLiteral("; add the Administrator later with: users add"),
                          RequestFailed);
        context.out << "Added " << adminName << ", the workspace's Administrator." << Qt::endl;
    }
    return Success;
}

} // namespace simfleet::cli

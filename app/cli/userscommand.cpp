#include "userscommand.h"

#include "passphraseprompt.h"

#include "access/accessservice.h"
#include "access/session.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>

namespace simfleet::cli {

namespace {

// A new password from SIMFLEET_NEW_PASSWORD, or typed twice on the terminal.
Result<crypto::SecretBytes> newPassword(CliContext &context, const QString &user)
{
    auto first = obtainPassword(context, "SIMFLEET_NEW_PASSWORD", qPrintable(QStringLiteral("New password for %1: ").arg(user)));
    if (!first)
        return first.error();
    if (!std::getenv("SIMFLEET_NEW_PASSWORD")) {
        auto second = obtainPassword(context, "SIMFLEET_NEW_PASSWORD", "Repeat the password: ");
        if (!second)
            return second.error();
        if (!(first.value() == second.value()))
            return fail(QStringLiteral("the two passwords differ; nothing was changed"));
    }
    return first;
}

} // namespace

int UsersCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption roleOption(QStringLiteral("role"),
                                        QStringLiteral("add, role: administrator, operations, operator-account-manager or viewer."),
                                        QStringLiteral("ROLE"));
    const QCommandLineOption operatorOption(QStringLiteral("operator"),
                                            QStringLiteral("add, role: the operator an account manager manages."),
                                            QStringLiteral("NAME"));
    const QCommandLineOption passwordOption(QStringLiteral("new-password"),
                                            QStringLiteral("role: also set a new password (needed when the new role works with"
                                                           " secrets and the old did not)."));
    parser.addOptions({ roleOption, operatorOption, passwordOption });
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("list (default), add NAME, remove NAME, role NAME or password NAME. New passwords"
                                                " come from SIMFLEET_NEW_PASSWORD or are asked for twice."));
    if (const auto done = parseCommandLine(parser, *this, arguments, context, 2))
        return *done;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0, QStringLiteral("list"));
    const QString user = positional.value(1);
    const QStringList actions { QStringLiteral("list"), QStringLiteral("add"), QStringLiteral("remove"), QStringLiteral("role"),
                                QStringLiteral("password") };
    if (!actions.contains(action))
        return report(context, name(), QStringLiteral("the action is list, add, remove, role or password, not %1").arg(action),
                      BadUsage);
    if (action != u"list" && user.isEmpty())
        return report(context, name(), QStringLiteral("%1 needs the user's name: users %1 NAME").arg(action), BadUsage);
    std::optional<access::Role> role;
    if (action == u"add" || action == u"role") {
        role = access::roleFromKey(parser.value(roleOption));
        if (!role)
            return report(context, name(),
                          QStringLiteral("%1 needs --role administrator, operations, operator-account-manager or viewer")
                              .arg(action),
                          BadUsage);
    }

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    access::AccessService access(*workspace);
    const access::Session &by = *context.session;
    Result<void> done;
    if (action == u"add") {
        auto password = newPassword(context, user);
        if (!password)
            return report(context, name(), password.errorMessage(), RequestFailed);
        // NewUser holds a QByteArray: the one copy is wiped in place once it was used.
        access::NewUser added { user, *role, parser.value(operatorOption), password->view().toByteArray() };
        done = access.addUser(by, added);
        crypto::wipeBytes(added.password);
    } else if (action == u"remove") {
        done = access.removeUser(by, user);
    } else if (action == u"role") {
        std::optional<QByteArray> password;
        if (parser.isSet(passwordOption)) {
            auto typed = newPassword(context, user);
            if (!typed)
                return report(context, name(), typed.errorMessage(), RequestFailed);
            password = typed->view().toByteArray();
        }
        done = access.setRole(by, user, *role, parser.value(operatorOption), password);
        if (password)
            crypto::wipeBytes(*password);
    } else if (action == u"password") {
        auto password = newPassword(context, user);
        if (!password)
            return report(context, name(), password.errorMessage(), RequestFailed);
        done = access.setPassword(by, user, password->view());
    }
    if (!done)
        return report(context, name(), done.errorMessage(), RequestFailed);
    if (action == u"password") // a user may change their own password without seeing the others
        return Success;
    const auto users = access.users(by);
    if (!users)
        return report(context, name(), users.errorMessage(), RequestFailed);
    QJsonArray list;
    for (const access::UserSummary &u : users.value()) {
        QJsonObject o { { QStringLiteral("name"), u.name },
                        { QStringLiteral("role"), access::roleKey(u.role) },
                        { QStringLiteral("operator"), u.operatorName.isEmpty() ? QJsonValue() : QJsonValue(u.operatorName) } };
        if (u.lastLoginAt.isValid())
            o.insert(QStringLiteral("last_login"), u.lastLoginAt.toUTC().toString(Qt::ISODate));
        if (u.failedLogins > 0)
            o.insert(QStringLiteral("failed_logins"), u.failedLogins);
        list.append(o);
    }
    printJson(context, list);
    return Success;
}

} // namespace simfleet::cli

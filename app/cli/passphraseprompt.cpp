#include "passphraseprompt.h"

#include "access/session.h"
#include "store/workspace.h"

#include <QTextStream>

#include <cstdio>
#include <cstring>
#include <termios.h>
#include <unistd.h>

namespace simfleet::cli {

namespace {

Result<crypto::SecretBytes> readHidden(CliContext &context, const char *prompt)
{
    context.err << prompt << Qt::flush;
    termios saved {};
    const bool tty = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (tty) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char buffer[1024];
    const bool got = std::fgets(buffer, sizeof buffer, stdin) != nullptr;
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    context.err << Qt::endl;
    if (!got)
        return fail(QStringLiteral("nothing was typed"));
    std::size_t len = std::strlen(buffer);
    while (len > 0 && (buffer[len - 1] == '\n' || buffer[len - 1] == '\r'))
        --len;
    crypto::SecretBytes secret(QByteArrayView(buffer, qsizetype(len)));
    explicit_bzero(buffer, sizeof buffer);
    return secret;
}

} // namespace

Result<crypto::SecretBytes> obtainPassphrase(CliContext &context, bool confirmNew)
{
    if (const char *env = std::getenv("SIMFLEET_PASSPHRASE"); env && *env)
        return crypto::SecretBytes(QByteArrayView(env, qsizetype(std::strlen(env))));
    if (!isatty(STDIN_FILENO))
        return fail(QStringLiteral("no passphrase: set SIMFLEET_PASSPHRASE or run this in a terminal"));
    auto first = readHidden(context, "Workspace passphrase: ");
    if (!first || !confirmNew)
        return first;
    auto second = readHidden(context, "Repeat the passphrase: ");
    if (!second)
        return second;
    if (!(first.value() == second.value()))
        return fail(QStringLiteral("the two passphrases differ; nothing was created"));
    return first;
}

Result<crypto::SecretBytes> obtainPassword(CliContext &context, const char *variable, const char *prompt)
{
    if (const char *env = std::getenv(variable); env && *env)
        return crypto::SecretBytes(QByteArrayView(env, qsizetype(std::strlen(env))));
    if (!isatty(STDIN_FILENO))
        return fail(QStringLiteral("no password: set %1 or run this in a terminal").arg(QLatin1StringView(variable)));
    return readHidden(context, prompt);
}

Result<crypto::SecretBytes> obtainNewPassphrase(CliContext &context)
{
    if (const char *env = std::getenv("SIMFLEET_NEW_PASSPHRASE"); env && *env)
        return crypto::SecretBytes(QByteArrayView(env, qsizetype(std::strlen(env))));
    if (!isatty(STDIN_FILENO))
        return fail(QStringLiteral("no new passphrase: set SIMFLEET_NEW_PASSPHRASE or run this in a terminal"));
    auto first = readHidden(context, "New workspace passphrase: ");
    if (!first)
        return first;
    auto second = readHidden(context, "Repeat the new passphrase: ");
    if (!second)
        return second;
    if (!(first.value() == second.value()))
        return fail(QStringLiteral("the two new passphrases differ"));
    return first;
}

Result<crypto::SecretBytes> ownerPassphrase(CliContext &context, const store::Workspace &workspace)
{
    if (workspace.info().demo)
        return store::readKeyFile(store::Workspace::keyFilePath(workspace.info().path));
    return obtainPassphrase(context, false);
}

Result<void> requireOwner(const CliContext &context, const QString &command)
{
    if (!context.session || !context.session->isOwner())
        return fail(QStringLiteral("only the workspace's owner may run %1: leave out -u and give the workspace passphrase")
                        .arg(command));
    return {};
}

} // namespace simfleet::cli

#pragma once

// simfleet-cli run as its users run it, for the tests that drive the command line: a fresh
// environment without the caller's SIMFLEET_PASSWORD and SIMFLEET_NEW_PASSWORD, the variables
// given on top, standard input from `input` (or none), and everything it printed kept.

#include <QByteArray>
#include <QHash>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace simfleet::testing {

struct CliRun
{
    int exitCode = -1; // -1: it crashed or did not end within two minutes
    QByteArray out;
    QByteArray err;
};

inline CliRun runCli(const QString &program, const QStringList &arguments, const QHash<QString, QString> &variables,
                     const QByteArray &input = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : { "SIMFLEET_PASSWORD", "SIMFLEET_NEW_PASSWORD" })
        env.remove(QLatin1StringView(name));
    for (auto it = variables.cbegin(); it != variables.cend(); ++it)
        env.insert(it.key(), it.value());
    p.setProcessEnvironment(env);
    if (input.isEmpty())
        p.setStandardInputFile(QProcess::nullDevice());
    p.start(program, arguments);
    if (!input.isEmpty()) {
        p.write(input);
        p.closeWriteChannel();
    }
    CliRun r;
    if (!p.waitForFinished(120000))
        return r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

} // namespace simfleet::testing

#include "secretfile.h"

#include "clicommand.h"

#include <QDir>
#include <QFile>
#include <QTextStream>

#include <termios.h>
#include <unistd.h>

namespace simfleet::cli {

namespace {

// Turns terminal echo off for as long as it lives, so a key typed in is never shown.
class EchoOff
{
public:
    EchoOff() : m_tty(tcgetattr(STDIN_FILENO, &m_saved) == 0)
    {
        if (m_tty) {
            termios quiet = m_saved;
            quiet.c_lflag &= ~tcflag_t(ECHO);
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
    }
    ~EchoOff()
    {
        if (m_tty)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
    }
    EchoOff(const EchoOff &) = delete;
    EchoOff &operator=(const EchoOff &) = delete;
    bool isTerminal() const { return m_tty; }

private:
    termios m_saved {};
    bool m_tty = false;
};

} // namespace

Result<void> checkHex(QByteArrayView text, const QString &what, int bytes)
{
    const auto wrong = [&](const QString &why) {
        return fail(QStringLiteral("%1 %2; it must be %3 hex digits (%4 bytes)").arg(what, why).arg(bytes * 2).arg(bytes));
    };
    if (text.isEmpty())
        return wrong(QStringLiteral("is missing"));
    for (char c : text) {
        const char lower = char(c | 0x20);
        if (!(c >= '0' && c <= '9') && !(lower >= 'a' && lower <= 'f'))
            return wrong(QStringLiteral("contains a character that is not hex (%1)").arg(QLatin1Char(c)));
    }
    if (text.size() != bytes * 2)
        return wrong(QStringLiteral("has %1 hex digits").arg(text.size()));
    return {};
}

Result<crypto::SecretBytes> readSecretFile(CliContext &context, const QString &path, const QString &what, int bytes)
{
    QFile file;
    bool opened = false;
    std::optional<EchoOff> echoOff;
    if (path == u"-") {
        echoOff.emplace();
        if (echoOff->isTerminal())
            context.err << "Type " << what << " (" << bytes * 2 << " hex digits; not shown), then Enter and Ctrl-D: "
                        << Qt::flush;
        opened = file.open(0, QIODevice::ReadOnly | QIODevice::Unbuffered, QFileDevice::DontCloseHandle);
    } else {
        file.setFileName(path);
        opened = file.open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }
    if (!opened)
        return fail(QStringLiteral("cannot read %1: %2").arg(what, file.errorString()));
    char buffer[256];
    qint64 filled = 0;
    while (filled < qint64(sizeof buffer)) {
        const qint64 n = file.read(buffer + filled, qint64(sizeof buffer) - filled);
        if (n <= 0)
            break;
        filled += n;
    }
    if (echoOff && echoOff->isTerminal())
        context.err << Qt::endl;
    echoOff.reset();
    Result<crypto::SecretBytes> out = fail(QString());
    if (filled == qint64(sizeof buffer)) {
        out = fail(QStringLiteral("%1 holds more than one key; it must hold %2 hex digits").arg(what).arg(bytes * 2));
    } else {
        const QByteArrayView text = QByteArrayView(buffer, filled).trimmed();
        if (auto ok = checkHex(text, what, bytes); !ok) {
            out = ok.error();
        } else {
            bool parsed = false;
            out = crypto::SecretBytes::fromHex(text, &parsed);
        }
    }
    QByteArray held = QByteArray::fromRawData(buffer, sizeof buffer);
    crypto::wipeBytes(held); // in place: the raw data is the buffer itself
    return out;
}

Result<crypto::SecretBytes> readPrivateKeyFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return fail(QStringLiteral("cannot read %1: %2").arg(what, file.errorString()));
    constexpr qint64 largest = 64 * 1024;
    if (file.size() > largest)
        return fail(QStringLiteral("%1 is larger than a private key file can be; give the key's PEM or DER file").arg(what));
    // Sized once from the file, so the key is never copied into a growing buffer.
    crypto::SecretBytes out(std::size_t(file.size()));
    const qint64 n = file.read(reinterpret_cast<char *>(out.data()), file.size());
    if (n != file.size())
        return fail(QStringLiteral("cannot read %1: %2").arg(what, file.errorString()));
    return out;
}

namespace {

Result<QByteArray> readBoundedFile(const QString &path, const QString &what, qint64 largest, const char *kind)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1 %2: %3").arg(what, path, file.errorString()));
    if (file.size() > largest)
        return fail(QStringLiteral("%1 %2 is larger than %3 MiB, too large for %4")
                        .arg(what, path)
                        .arg(largest / (1024 * 1024))
                        .arg(QLatin1StringView(kind)));
    return file.readAll();
}

} // namespace

Result<QByteArray> readCertificateFile(const QString &path, const QString &what)
{
    // Certificates and lists are small; a bigger file is not one.
    return readBoundedFile(path, what, 4 * 1024 * 1024, "a certificate or revocation list");
}

Result<QByteArray> readProfilePackageFile(const QString &path, const QString &what)
{
    // A profile with its applets is tens of kilobytes; the TS.48 ones are 12.
    return readBoundedFile(path, what, 1024 * 1024, "a profile package");
}

Result<void> writeNewFile(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return fail(QStringLiteral("cannot create %1: %2").arg(QDir::toNativeSeparators(path),
                                                               file.exists() ? QStringLiteral("it exists already, and is never "
                                                                                              "overwritten; give a new name")
                                                                             : file.errorString()));
    if (file.write(contents) != contents.size() || !file.flush()) {
        const QString why = file.errorString();
        file.remove();
        return fail(QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), why));
    }
    return {};
}

} // namespace simfleet::cli

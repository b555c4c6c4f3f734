#pragma once

#include "core/result.h"
#include "crypto/secretbytes.h"

#include <QByteArrayView>
#include <QString>

namespace simfleet::cli {

struct CliContext;

// The whole rule in one message, so the user sees the fix at once. `what` is how the user gave
// the value ("--k", "--op-file op.hex"). The text is not copied into the message.
Result<void> checkHex(QByteArrayView text, const QString &what, int bytes);

// A key of `bytes` bytes as hex digits from a file or standard input ("-"), read unbuffered into
// one fixed buffer that is wiped afterwards: no QIODevice buffer, no growing array, no QString
// keeps a copy of it. From a terminal, echo is off while it is typed (the prompt goes to stderr).
Result<crypto::SecretBytes> readSecretFile(CliContext &context, const QString &path, const QString &what, int bytes);

// A whole private key file (PEM or DER, at most 64 KiB) into a buffer that wipes itself.
Result<crypto::SecretBytes> readPrivateKeyFile(const QString &path, const QString &what);

// Writes a file that must not exist yet, whole or not at all: what a command leaves as its
// record (an audit checkpoint, a production run's files) is never overwritten.
Result<void> writeNewFile(const QString &path, const QByteArray &contents);

// A certificate or revocation list file (PEM or DER, at most 4 MiB). Public, so read plainly.
Result<QByteArray> readCertificateFile(const QString &path, const QString &what);
// A profile package file (DER, at most 1 MiB).
Result<QByteArray> readProfilePackageFile(const QString &path, const QString &what);

} // namespace simfleet::cli

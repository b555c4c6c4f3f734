#pragma once

#include "core/result.h"
#include "crypto/secretbytes.h"

#include <QString>

#include <memory>

namespace simfleet::models {

// The OP an Administrator gives for an operator (issue 18): typed as 32 hex digits, or a file
// holding them, read on the store thread. Either way the bytes live only in a buffer that wipes
// itself and are only ever sealed; there is no way to show them.
class OpInput
{
public:
    // None given: an edit keeps the operator's OP.
    OpInput() = default;
    // Takes the typed hex digits and wipes the string in place, whatever it held. A refusal says
    // the rule, never the text.
    static Result<OpInput> fromTyped(QString &hex);
    static OpInput fromFile(const QString &path);

    bool isGiven() const { return m_typed || !m_file.isEmpty(); }
    // The file it is read from, or empty.
    const QString &file() const { return m_file; }
    // On the store thread: the OP (read from the file if it came as one), or null when none was given.
    Result<std::shared_ptr<const crypto::SecretBytes>> read() const;

private:
    std::shared_ptr<const crypto::SecretBytes> m_typed;
    QString m_file;
};

// Overwrites a string that held a secret, in place (every copy sharing its buffer sees zeros),
// then empties it.
void wipeString(QString &text);

} // namespace simfleet::models

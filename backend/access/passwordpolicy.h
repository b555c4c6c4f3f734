#pragma once

#include "core/result.h"

#include <QByteArrayView>
#include <QString>

namespace simfleet::access {

// What a user's password must resist (README "Security"): whoever copies the workspace file can
// try passwords offline against its scrypt check as fast as their hardware allows, so the
// password alone stands between them and the user's key slot. Length and a refusal of the
// passwords and patterns attackers try first make that search long.
class PasswordPolicy
{
public:
    static constexpr int shortest = 12;
    static constexpr int longest = 1024;

    // Refuses, in one sentence that says what to do, a password shorter than 12 characters, one
    // of the most common passwords (also with digits or symbols around it, or letters swapped
    // for look-alike digits), a keyboard run, a sequence or a repetition, or one containing the
    // user's name. In the demo workspace the published demo password is accepted too.
    static Result<void> check(QByteArrayView password, const QString &userName, bool demoWorkspace);
};

} // namespace simfleet::access

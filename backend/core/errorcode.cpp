#include "errorcode.h"

#include <array>

namespace simfleet {

namespace {
constexpr std::array<const char *, 25> names {
    "",                  "timeout",
    "device-restarted",  "already-installed",
    "no-such-profile",   "profile-enabled",
    "no-memory",         "no-enabled-profile",
    "no-coverage",       "enable-rejected",
    "attach-failed",     "server-not-authenticated",
    "device-not-authenticated", "package-rejected",
    "range-exhausted",   "field-busy",
    "not-permitted",     "session-expired",
    "login-failed",      "upgrade-needed",
    "no-activation-code", "profile-server-unreachable",
    "profile-server-untrusted", "profile-server-refused",
    "wrong-profile",
};
} // namespace

QString errorCodeName(ErrorCode code)
{
    return QLatin1StringView(names.at(std::size_t(code)));
}

std::optional<ErrorCode> errorCodeFromName(QStringView name)
{
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (name == QLatin1StringView(names[i]))
            return ErrorCode(i);
    }
    return std::nullopt;
}

} // namespace simfleet

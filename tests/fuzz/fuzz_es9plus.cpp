// libFuzzer target for the ES9+ request parser (SGP.22 section 6: JSON bodies, base64 DER, hex
// transaction IDs) that a served profile server runs on every body from the network, and for
// the client's reading of responses. Whatever the bytes, each parser ends with a request or a
// status naming what is wrong; a request it accepts is written back and read again to the same
// values; the response reader never takes a body without a header for a success.

#include "protocol/es9plus.h"

#include <cstddef>
#include <cstdint>

using namespace simfleet::protocol::es9plus;

namespace {

template<typename T, typename Same>
void roundTrip(const QByteArray &bytes, Same same)
{
    auto parsed = T::fromJson(bytes);
    if (auto *refused = std::get_if<StatusCode>(&parsed)) {
        if (refused->subjectCode.isEmpty() || refused->reasonCode.isEmpty() || refused->message.isEmpty())
            __builtin_trap();
        return;
    }
    const T &first = std::get<T>(parsed);
    auto again = T::fromJson(first.toJson());
    if (!std::holds_alternative<T>(again) || !same(first, std::get<T>(again)))
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    roundTrip<InitiateAuthenticationRequest>(bytes, [](const auto &a, const auto &b) {
        return a.euiccChallenge == b.euiccChallenge && a.euiccInfo1 == b.euiccInfo1 && a.smdpAddress == b.smdpAddress;
    });
    roundTrip<AuthenticateClientRequest>(bytes, [](const auto &a, const auto &b) {
        return a.transactionId == b.transactionId && a.authenticateServerResponse == b.authenticateServerResponse;
    });
    roundTrip<GetBoundProfilePackageRequest>(bytes, [](const auto &a, const auto &b) {
        return a.transactionId == b.transactionId && a.prepareDownloadResponse == b.prepareDownloadResponse;
    });
    roundTrip<HandleNotificationRequest>(bytes, [](const auto &a, const auto &b) { return a.pendingNotification == b.pendingNotification; });
    roundTrip<CancelSessionRequest>(bytes, [](const auto &a, const auto &b) {
        return a.transactionId == b.transactionId && a.cancelSessionResponse == b.cancelSessionResponse;
    });
    auto response = readResponse(bytes);
    if (auto *body = std::get_if<ResponseBody>(&response); body && body->members.contains(QStringLiteral("header")))
        __builtin_trap();
    return 0;
}

// libFuzzer target for the ES2+ request parser (SGP.22 section 5.3 in the JSON binding of 6.5.1:
// the header, EIDs, ICCIDs with their padding, Matching IDs, flags, timestamps, the notification
// point's status) that the served ES2+ listener runs on every body an operator sends, and that a
// notified operator runs on handleDownloadProgressInfo; and for the client's reading of ES2+
// responses. Whatever the bytes, each parser ends with a request or a status naming what is
// wrong; a request it accepts is written back and read again to the same values.

#include "protocol/es2plus.h"

#include <cstddef>
#include <cstdint>

using namespace simfleet::protocol::es2plus;

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

bool sameHeader(const RequestHeader &a, const RequestHeader &b)
{
    return a.functionRequesterIdentifier == b.functionRequesterIdentifier && a.functionCallIdentifier == b.functionCallIdentifier;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    roundTrip<DownloadOrderRequest>(bytes, [](const auto &a, const auto &b) {
        return sameHeader(a.header, b.header) && a.eid == b.eid && a.iccid == b.iccid && a.profileType == b.profileType;
    });
    roundTrip<ConfirmOrderRequest>(bytes, [](const auto &a, const auto &b) {
        return sameHeader(a.header, b.header) && a.iccid == b.iccid && a.eid == b.eid && a.matchingId == b.matchingId
            && a.confirmationCode == b.confirmationCode && a.smdsAddress == b.smdsAddress && a.releaseFlag == b.releaseFlag;
    });
    roundTrip<CancelOrderRequest>(bytes, [](const auto &a, const auto &b) {
        return sameHeader(a.header, b.header) && a.iccid == b.iccid && a.eid == b.eid && a.matchingId == b.matchingId
            && a.finalProfileStatusIndicator == b.finalProfileStatusIndicator;
    });
    roundTrip<ReleaseProfileRequest>(bytes, [](const auto &a, const auto &b) { return sameHeader(a.header, b.header) && a.iccid == b.iccid; });
    roundTrip<HandleDownloadProgressInfoRequest>(bytes, [](const auto &a, const auto &b) {
        return sameHeader(a.header, b.header) && a.eid == b.eid && a.iccid == b.iccid && a.profileType == b.profileType
            && a.timestamp == b.timestamp && a.notificationPointId == b.notificationPointId && a.failure == b.failure
            && a.resultData == b.resultData;
    });
    auto response = readResponse(bytes);
    if (auto *body = std::get_if<ResponseBody>(&response); body && body->members.contains(QStringLiteral("header")))
        __builtin_trap();
    // What the operator's client makes of a success: a value or a problem, never a crash.
    if (auto *body = std::get_if<ResponseBody>(&response); body && !body->failed) {
        (void)DownloadOrderResponse::fromMembers(body->members);
        (void)ConfirmOrderResponse::fromMembers(body->members);
    }
    return 0;
}

// libFuzzer target for the SGP.22 message decoders a device and a profile server run on what the
// other side sent (ES10b AuthenticateServer and PrepareDownload, both ways; the bound profile
// package and its InitialiseSecureChannel; StoreMetadata; ConfigureISDP; simfleet's own
// attestation request and response; the installation result; ES10c GetProfilesInfo and the
// profile operations, the notification messages and EUICCInfo1, each way), and for the secure
// channel opening segments. The first byte picks the decoder, the rest is the message. Whatever
// the bytes, a decoder ends with a value or an error; a value it accepts encodes to a message it
// accepts again (for the ES10 messages, one that encodes to the same bytes again); and no
// segment the fuzzer makes opens under keys it does not know.

#include "protocol/cancelsession.h"
#include "protocol/attestationmessage.h"
#include "protocol/authenticateserver.h"
#include "protocol/boundprofilepackage.h"
#include "protocol/euiccinfo.h"
#include "protocol/notifications.h"
#include "protocol/preparedownload.h"
#include "protocol/profileinstallationresult.h"
#include "protocol/profilemanagement.h"
#include "protocol/profilemetadata.h"
#include "protocol/securechannel.h"

#include <cstddef>
#include <cstdint>

using namespace simfleet;
using namespace simfleet::protocol;

namespace {

template<typename Message>
void roundTrip(QByteArrayView input)
{
    auto decoded = Message::decode(input);
    if (!decoded) {
        if (decoded.errorMessage().isEmpty())
            __builtin_trap();
        return;
    }
    auto again = Message::decode(decoded->encode());
    if (!again)
        __builtin_trap();
}

// The same, and the encoding of what was accepted is stable: decoded again, it encodes to the
// same bytes. `check` asks the decoded value what callers ask of it.
template<typename Message, typename Check>
void stableRoundTrip(QByteArrayView input, Check check)
{
    auto decoded = Message::decode(input);
    if (!decoded) {
        if (decoded.errorMessage().isEmpty())
            __builtin_trap();
        return;
    }
    check(decoded.value());
    const QByteArray encoded = decoded->encode();
    auto again = Message::decode(encoded);
    if (!again || again->encode() != encoded)
        __builtin_trap();
}

template<typename Message>
void stableRoundTrip(QByteArrayView input)
{
    stableRoundTrip<Message>(input, [](const Message &) {});
}

void openSegments(QByteArrayView input)
{
    // Fixed keys: the fuzzer's bytes as segments of one package, split where their TLVs end.
    const auto keys = SessionKeys::derive(crypto::SecretBytes(QByteArray(32, '\x5a')), "fuzz", QByteArray(16, '\x89'));
    if (!keys)
        __builtin_trap();
    SecureChannel channel(keys.value());
    qsizetype at = 0;
    while (at < input.size()) {
        const qsizetype size = std::min<qsizetype>(input.size() - at, 1 + quint8(input[at]) * 4);
        const QByteArrayView segment = input.sliced(at, size);
        at += size;
        auto opened = (segment.size() % 2) ? channel.openMacOnly(0x88, segment).ok() : channel.open(0x86, segment).ok();
        if (opened)
            __builtin_trap(); // a MAC the fuzzer guessed: 64 bits of luck, or a broken check
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    switch (data[0] % 25) {
    case 0: roundTrip<AuthenticateServerRequest>(input); break;
    case 1:
        roundTrip<AuthenticateServerResponse>(input);
        // The matching ID the profile server finds its order by, from the device's ctxParams1.
        if (auto response = AuthenticateServerResponse::decode(input))
            (void)response->matchingId();
        break;
    case 2: roundTrip<PrepareDownloadRequest>(input); break;
    case 3: roundTrip<PrepareDownloadResponse>(input); break;
    case 4: roundTrip<BoundProfilePackage>(input); break;
    case 5: roundTrip<InitialiseSecureChannelRequest>(input); break;
    case 6: roundTrip<ProfileMetadata>(input); break;
    case 7:
        if (!decodeConfigureIsdp(input).ok() && input.isEmpty())
            return 0;
        openSegments(input);
        break;
    case 8: roundTrip<AttestationRequest>(input); break;
    case 9: roundTrip<AttestationResponse>(input); break;
    case 10: roundTrip<ProfileInstallationResult>(input); break;
    case 11:
        stableRoundTrip<ProfileInfoListRequest>(input, [](const ProfileInfoListRequest &r) { (void)r.wants(0x9F70); });
        break;
    case 12:
        // What the device lists, encoded as a device would for that tag list.
        stableRoundTrip<ProfileInfoListResponse>(input, [](const ProfileInfoListResponse &r) {
            (void)r.encode(QByteArray::fromHex("5a9f70b7"));
        });
        break;
    case 13: stableRoundTrip<ProfileOperationRequest>(input); break;
    case 14:
        stableRoundTrip<ProfileOperationResponse>(input, [](const ProfileOperationResponse &r) {
            if (!r.outcome(QStringLiteral("89049032"), QStringLiteral("8999901000000000017")).ok() && r.resultName().isEmpty())
                __builtin_trap();
        });
        break;
    case 15: stableRoundTrip<ListNotificationRequest>(input); break;
    case 16: stableRoundTrip<ListNotificationResponse>(input); break;
    case 17: stableRoundTrip<RetrieveNotificationsListRequest>(input); break;
    case 18: stableRoundTrip<RetrieveNotificationsListResponse>(input); break;
    case 19: stableRoundTrip<NotificationSentRequest>(input); break;
    case 20: stableRoundTrip<NotificationSentResponse>(input); break;
    case 21: stableRoundTrip<EuiccInfo1>(input); break;
    case 22:
        stableRoundTrip<PendingNotification>(input, [](const PendingNotification &n) { (void)n.metadata(); });
        break;
    case 23: roundTrip<CancelSessionResponse>(input); break;
    case 24: {
        // GetEuiccChallengeResponse: 16 bytes accepted are written back as read.
        auto challenge = decodeGetEuiccChallengeResponse(input);
        if (challenge ? encodeGetEuiccChallengeResponse(challenge.value()) != input : challenge.errorMessage().isEmpty())
            __builtin_trap();
        break;
    }
    }
    return 0;
}

// libFuzzer target for the ESipa decoders (SGP.32 section 6.3) an eIM runs on what an IPA sent
// and an IPA on what an eIM sent, and for the eIM packages inside them (section 2.11, and
// simfleet's own 'FF21'). The first byte picks the decoder, the rest is the message. Whatever
// the bytes, a decoder ends with a value or an error that says something; a value it accepts
// encodes to a message it accepts again, which encodes to the same bytes again. (Not the bytes it
// came from: IpaEuiccDataRequest and IpaEuiccData skip extension additions, ipaeuiccdata.h.)

#include "protocol/eimpackage.h"
#include "protocol/esipa.h"
#include "protocol/ipaeuiccdata.h"

#include <cstddef>
#include <cstdint>

using namespace simfleet;
using namespace simfleet::protocol;

namespace {

// `decode` and `encode` of one message type; the value's re-encoding must decode and be stable.
template<typename Decode, typename Encode>
void roundTrip(QByteArrayView input, Decode decode, Encode encode)
{
    auto decoded = decode(input);
    if (!decoded) {
        if (decoded.errorMessage().isEmpty())
            __builtin_trap();
        return;
    }
    const QByteArray first = encode(decoded.value());
    auto again = decode(first);
    if (!again || encode(again.value()) != first)
        __builtin_trap();
}

template<typename Message>
void packageRoundTrip(QByteArrayView input)
{
    roundTrip(input, [](QByteArrayView b) { return Message::decode(b); }, [](const Message &m) { return m.encode(); });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    switch (data[0] % 8) {
    case 0:
        roundTrip(input, [](QByteArrayView b) { return esipa::decodeFromIpa(b); },
                  [](const esipa::MessageFromIpa &m) { return esipa::encode(m); });
        break;
    case 1:
        roundTrip(input, [](QByteArrayView b) { return esipa::decodeFromEim(b); },
                  [](const esipa::MessageFromEim &m) { return esipa::encode(m); });
        break;
    case 2: packageRoundTrip<EuiccPackageRequest>(input); break;
    case 3: packageRoundTrip<EuiccPackageResult>(input); break;
    case 4: packageRoundTrip<esipa::SimfleetEimPackage>(input); break;
    case 5: packageRoundTrip<esipa::SimfleetEimPackageResult>(input); break;
    case 6: packageRoundTrip<IpaEuiccDataRequest>(input); break;
    case 7: packageRoundTrip<IpaEuiccDataResponse>(input); break;
    }
    return 0;
}

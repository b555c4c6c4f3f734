#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace simfleet::protocol {

// The attestation exchange in simfleet's own ASN.1 module (protocol/SimfleetDefinitions.asn1):
// SGP.22 and SGP.32 have no message for it, so the Entity Attestation Token travels in these,
// in DER like every other message a device sees.
struct AttestationRequest
{
    QByteArray nonce; // 32 bytes
    QByteArray encode() const;
    static Result<AttestationRequest> decode(QByteArrayView der);
};

struct AttestationResponse
{
    enum class ErrorCode { None = 0, NotSupported = 1, Busy = 2, Undefined = 127 };
    QByteArray evidence; // the EAT (COSE_Sign1), when there is no error
    ErrorCode error = ErrorCode::None;

    QByteArray encode() const;
    // An error answer decodes (error set, no evidence); malformed bytes do not.
    static Result<AttestationResponse> decode(QByteArrayView der);
};

} // namespace simfleet::protocol

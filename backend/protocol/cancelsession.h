#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace simfleet::protocol {

// ES10b.CancelSession's answer (SGP.22 section 5.7.14, CancelSessionResponse 'BF41', the ok
// choice), which the LPA hands to ES9+.CancelSession (section 5.6.5): the eUICC's signature over
// euiccCancelSessionSigned, so only the device in the session can end it.
struct CancelSessionResponse
{
    enum class Reason { EndUserRejection = 0, Postponed = 1, Timeout = 2, PprNotAllowed = 3, MetadataMismatch = 4,
                        LoadBppExecutionError = 5, Undefined = 127 };

    QByteArray transactionId;
    QByteArray serverOid; // DER content octets of smdpOid
    Reason reason = Reason::Undefined;
    QByteArray signature; // ECDSA r || s

    // EuiccCancelSessionSigned as a TLV: the bytes the signature covers.
    QByteArray signedData() const;
    QByteArray encode() const;
    // An error answer (cancelSessionResponseError) is refused with its code in the message.
    static Result<CancelSessionResponse> decode(QByteArrayView der);
};

} // namespace simfleet::protocol

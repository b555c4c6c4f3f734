#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>
#include <variant>

// The eIM asking an IPA what it and its eUICC are (SGP.32 sections 2.11.1.2 and 2.11.2.2): at a
// device's first check-in the eIM learns the eUICC's certificates (CERT.EUM, CERT.EUICC),
// EUICCInfo1 and DeviceInfo this way. The request travels as GetEimPackageResponse's
// ipaEuiccDataRequest, the answer as ProvideEimPackageResult's ipaEuiccDataResponse (esipa.h).
// Pure data in, bytes out.
//
// Both SEQUENCEs are extensible (the module's EXTENSIBILITY IMPLIED): a member decode does not
// know, after the members it knows, is an extension addition of a later SGP.32 and is skipped,
// so a newer IPA's answer still gives the eIM its certificates (such a value does not re-encode
// to the bytes it came from: the skipped members are not kept). A member simfleet knows that
// comes twice, out of order or in the wrong form (primitive for constructed) is refused.
namespace simfleet::protocol {

// IpaEuiccDataRequest ('BF52'): the data objects the eIM wants, by their tags.
struct IpaEuiccDataRequest
{
    enum class Search { None, SeqNumber, ProfileManagementOperation, EuiccPackageResults };

    // tagList ('5C'): the tags of the data objects of IpaEuiccData wanted, their identifier
    // octets one after another, e.g. A5 A6 for both certificates. A list that names nothing
    // simfleet knows still decodes: the IPA answers it with incorrectTagList.
    QByteArray tagList;
    QByteArray euiccCiPKId;   // SubjectKeyIdentifier's octets; empty: absent
    // searchCriteria: which notifications or results notificationsList ('BF2B') should hold.
    Search search = Search::None;
    qint64 seqNumber = 0;     // SeqNumber
    int notificationEvent = 0; // ProfileManagementOperation: NotificationEvent's bits as a mask
                               // (protocol::eventBit, notifications.h)

    // Whether tagList names this data object. The constructed bit is not compared: section
    // 2.11.2.2 writes ipaCapabilities as '88' where its encoding (a SEQUENCE) is 'A8', so an eIM
    // may ask for it either way.
    bool wants(quint16 tag) const;
    QByteArray encode() const; // 'BF52' whole
    // Refuses a tag list whose tags are cut short or longer than two octets.
    static Result<IpaEuiccDataRequest> decode(QByteArrayView der);
};

// IpaEuiccData: what the IPA answers with, each member present when asked for and known.
struct IpaEuiccData
{
    QString defaultSmdpAddress;        // empty: absent (an empty '80' is read as absent too)
    QByteArray euiccInfo1;             // 'BF20' whole; empty: absent
    QByteArray euiccInfo2;             // 'BF22' whole, as it arrived; empty: absent
    QString rootSmdsAddress;           // empty: absent (likewise)
    std::optional<qint64> associationToken;
    // Each the Certificate's DER with its universal '30' tag, as crypto::Certificate::fromDer reads
    // it. On the wire the [5] and [6] tags replace that tag ('A5', 'A6': implicit, as the module's
    // AUTOMATIC TAGS make every tag on a SEQUENCE). Decode refuses content that is not a
    // Certificate's three parts (tbsCertificate, signatureAlgorithm, signatureValue), such as
    // the whole certificate wrapped in an explicit tag. Empty: absent.
    QByteArray eumCertificate;
    QByteArray euiccCertificate;
    // The data object as it arrived ('A8', 'A9', 'BF2B' whole), written back as is; empty: absent.
    // ipaCapabilities is a SEQUENCE, so 'A8' ('88' in the section's comment is refused).
    QByteArray ipaCapabilities;
    QByteArray deviceInfo;
    QByteArray notificationsList;
};

// IpaEuiccDataResponse: the data, or ipaEuiccDataError.
struct IpaEuiccDataResponse
{
    enum Error { IncorrectTagList = 1, EuiccCiPKIdNotFound = 5, UndefinedError = 127 };
    std::variant<IpaEuiccData, int> content;

    // The untagged CHOICE as asn1c encodes the type IpaEuiccDataResponse alone: its alternatives
    // take automatic tags, ipaEuiccData [0] ('A0', implicit on the SEQUENCE) and
    // ipaEuiccDataError [1] ('81'). ProvideEimPackageResult wraps this in 'BF52' (explicit,
    // since [82] is on a CHOICE).
    QByteArray encode() const;
    static Result<IpaEuiccDataResponse> decode(QByteArrayView der);
};

} // namespace simfleet::protocol

#!/bin/sh
# Decodes every message simfleet wrote in a real conversation with a simulated device
# (attestation, a download, ES10c and the notifications) with asn1c, an ASN.1 compiler
# independent of simfleet, built from the GSMA modules in ../shared/spec (RSPDefinitions
# with the PKIX and profile package modules it imports) and simfleet's own module for what SGP.22
# lacks (backend/protocol/SimfleetDefinitions.asn1: the attestation exchange, simfleet's eIM package).
# SGP32Definitions (SGP.32's ESipa and eIM packages), which imports from RSPDefinitions and PKIX,
# is compiled with them. Each file is named after its type (Type.der, or Type.alternative.der
# where one type has several samples) and must decode as that type with its constraints met,
# and asn1c's DER of what it decoded must be byte for byte what simfleet wrote.
set -eu
spec="$1"; sample="$2"; work="$3"; own="$4"
command -v asn1c >/dev/null || { echo "asn1c is missing: run installer/install-deps.sh" >&2; exit 1; }
mkdir -p "$work/rsp-asn1c" "$work/rsp-messages"
cd "$work/rsp-asn1c"
# asn1c 0.9.28 mishandles a tag written on the element type of a SEQUENCE OF ("SEQUENCE OF [7]
# OCTET STRING"): it wraps it explicitly, or with IMPLICIT spelled out drops it, where the
# module's AUTOMATIC TAGS make it implicit (X.680 section 31.2.7) and SGP.22 section 2.5.4 shows
# the segments as '86', '87' and '88' TLVs. The copy it compiles names those element types
# (SegmentTaggedN ::= [N] OCTET STRING), which is the same type and the same bytes.
sed 's/SEQUENCE OF \[\([0-9]\)\] OCTET STRING/SEQUENCE OF SegmentTagged\1/; s/^END$//' "$spec/RSPDefinitions.asn1" > RSPDefinitions.asn1
printf 'SegmentTagged6 ::= [6] OCTET STRING\nSegmentTagged7 ::= [7] OCTET STRING\nSegmentTagged8 ::= [8] OCTET STRING\nEND\n' >> RSPDefinitions.asn1
modules="RSPDefinitions.asn1 $spec/SGP32Definitions.asn1 $spec/PKIX1Explicit88.asn1 $spec/PKIX1Implicit88.asn1 $spec/PEDefinitions.asn1 $own"
if [ ! -x progname ] || [ "$spec/RSPDefinitions.asn1" -nt progname ] || [ "$spec/SGP32Definitions.asn1" -nt progname ] || [ "$own" -nt progname ] || [ "$0" -nt progname ]; then
  asn1c -fcompound-names -fwide-types -pdu=all $modules >/dev/null 2>asn1c.log
  make -s -j2 -f Makefile.am.sample CFLAGS="-DASN_PDU_COLLECTION -DPDU=BoundProfilePackage -I. -O1 -w" progname >make.log 2>&1 \
    || { tail -20 make.log >&2; exit 1; }
fi
rm -rf "$work"/rsp-messages/*
"$sample" "$work/rsp-messages"
fail=0
count=0
for file in "$work"/rsp-messages/*.der; do
  name=$(basename "$file" .der)
  type=${name%%.*}
  if ! ./progname -p "$type" -iber -c -oder "$file" > "$file.asn1c" 2> "$file.err"; then
    echo "asn1c cannot decode $name as $type:" >&2; cat "$file.err" >&2; fail=1; continue
  fi
  cmp -s "$file" "$file.asn1c" || { echo "asn1c re-encodes $name differently: not canonical DER" >&2; fail=1; }
  # The values as text (asn1c cannot print simfleet's UUID-based OID, whose arc has 128 bits,
  # and stops there; the DER round trip above covers it).
  ./progname -p "$type" -iber -otext "$file" > "$file.txt" 2>&1 || true
  count=$((count + 1))
done
expect() { grep -q "$2" "$work/rsp-messages/$1.der.txt" || { echo "$1 lacks $2" >&2; fail=1; }; }
expect StoreMetadataRequest 'serviceProviderName: Nordtel$'
expect StoreMetadataRequest 'profileName: Nordtel IoT$'
expect StoreMetadataRequest 'mccMnc: 00 F1 10$'
expect StoreMetadataRequest 'iccid: 98 99 09 01 00 00 00 00 10 F7$'
expect InitialiseSecureChannelRequest 'remoteOpId: 1$'
expect InitialiseSecureChannelRequest 'keyType: 88$'
expect InitialiseSecureChannelRequest 'keyLen: 10$'
expect BoundProfilePackage 'sequenceOf86:'
expect AuthenticateServerRequest 'serverAddress: smdp.nordtel.example$'
expect CtxParams1 'matchingId: 04386-AGYFT-A74Y8-3F815$'
expect AuthenticateServerResponse '^AuthenticateResponseOk ::= {'
expect AuthenticateServerResponse 'ppVersion: 01 00 00$'
expect ProfileInstallationResult 'iccid: 98 99 09 01 00 00 00 00 10 F7$'
expect ProfileInstallationResultData 'profileManagementOperation: 80$'
expect PrepareDownloadRequest 'ccRequiredFlag: FALSE$'
expect AttestationResponse 'D2 84 ' # the COSE_Sign1 tag (18), then its four-element array
expect PrepareDownloadResponse '^PrepareDownloadResponseOk ::= {'
expect EUICCInfo1 'svn: 02 05 00$'
expect EUICCInfo1 'euiccCiPKIdListForSigning: euiccCiPKIdListForSigning ::= {'
expect ProfileInfoListResponse '^profileInfoListOk ::= {'
expect ProfileInfoListResponse 'iccid: 98 99 09 01 00 00 00 00 10 F7$'
expect ProfileInfoListResponse 'profileState: 0$'
expect ProfileInfoListResponse 'profileName: Nordtel IoT$'
expect ProfileInfoListResponse 'profileManagementOperation: 70$' # enable, disable, delete
expect ProfileInfoListResponse 'notificationAddress: smdp.nordtel.example$'
expect ProfileInfoListResponse 'mccMnc: 00 F1 10$'
expect EnableProfileRequest 'profileIdentifier: 98 99 09 01 00 00 00 00 10 F7$'
expect EnableProfileRequest 'refreshFlag: TRUE$'
expect EnableProfileResponse 'enableResult: 0$'
expect DisableProfileRequest 'refreshFlag: TRUE$'
expect DisableProfileResponse 'disableResult: 0$'
expect DeleteProfileRequest '^98 99 09 01 00 00 00 00 10 F7$' # the CHOICE's ICCID, tagged [51] around it
expect DeleteProfileResponse 'deleteResult: 0$'
expect ListNotificationResponse '^notificationMetadataList ::= {'
expect ListNotificationResponse 'profileManagementOperation: 40$' # the enable
expect RetrieveNotificationsListResponse '^notificationList ::= {'
expect RetrieveNotificationsListResponse 'ProfileInstallationResult ::= {'
expect PendingNotification '^OtherSignedNotification ::= {'
expect PendingNotification 'profileManagementOperation: 40$'
expect PendingNotification 'euiccNotificationSignature: '
expect PendingNotification 'eumCertificate: Certificate ::= {'
expect NotificationSentRequest 'seqNumber: 1$'
expect NotificationSentResponse 'deleteNotificationStatus: 0$'
expect GetEuiccChallengeResponse 'euiccChallenge: '
# SGP.32's ESipa: the eIM's package, with enable (and its rollbackFlag, a universal NULL),
# disable, delete and listProfileInfo; the IPA's poll, result and notification; the relay.
ipa=EsipaMessageFromIpaToEim; eim=EsipaMessageFromEimToIpa
expect $eim.getEimPackageResponse '^EuiccPackageRequest ::= {'
expect $eim.getEimPackageResponse 'eidValue: 89 04 90 32 00 00 00 00 00 00 00 00 00 00 00 19$'
expect $eim.getEimPackageResponse 'counterValue: 7$'
expect $eim.initiateAuthenticationResponseEsipa 'serverAddress: smdp.nordtel.example$'
expect $eim.authenticateClientResponseEsipa '^AuthenticateClientOkDPEsipa ::= {'
expect $eim.getBoundProfilePackageResponseEsipa 'sequenceOf86:'
expect $eim.eimPackageError '^1$' # noEimPackageAvailable, the CHOICE's INTEGER alone
expect $eim.getEimPackageResponse 'rollbackFlag: <present>$'
expect $eim.getEimPackageResponse '^            disable ::= {'
expect $eim.getEimPackageResponse '^            delete ::= {'
expect $eim.getEimPackageResponse 'tagList: 5A 9F 70$'
expect $eim.profileDownloadTriggerRequest 'profileDownloadData: LPA:1\$smdp.nordtel.example\$04386-AGYFT-A74Y8-3F815$'
expect $eim.provideEimPackageResultResponse '^        13$'
expect $ipa.getEimPackageRequest 'notifyStateChange: <present>$'
expect $ipa.getEimPackageRequest 'rPLMN: 00 F1 10$'
expect $ipa.provideEimPackageResult '^ePRAndNotifications ::= {'
expect $ipa.provideEimPackageResult 'euiccPackageResult: EuiccPackageResultSigned ::= {'
expect $ipa.provideEimPackageResult 'seqNumber: 12$'
expect $ipa.provideEimPackageResult 'profileState: 1$'
expect $ipa.provideEimPackageResult 'SGP32-ProfileInstallationResult ::= {'
expect $ipa.handleNotificationEsipa '^OtherSignedNotification ::= {'
expect $ipa.initiateAuthenticationRequestEsipa 'smdpAddress: smdp.nordtel.example$'
expect $ipa.initiateAuthenticationRequestEsipa 'euiccInfo1: EUICCInfo1 ::= {'
# IpaEuiccDataRequest and IpaEuiccDataResponse (sections 2.11.1.2, 2.11.2.2): the request's own
# [82] in the envelope, the response's CHOICE inside an explicit [82], its alternatives with
# automatic tags ([0] implicit on IpaEuiccData, [1]); the real CERT.EUM and CERT.EUICC under
# implicit [5] and [6], ipaCapabilities 'A8', DeviceInfo 'A9', notificationsList 'BF2B'.
expect $eim.ipaEuiccDataRequest '^IpaEuiccDataRequest ::= {'
expect $eim.ipaEuiccDataRequest 'tagList: A5 A6 BF 20 A9$'
expect $eim.ipaEuiccDataRequest '^        F5 41 72 BD F9 8A 95 D6' # euiccCiPKId, the universal OCTET STRING
expect IpaEuiccDataRequest 'searchCriteria: 40$' # '81' in 'A1': profileManagementOperation, enable
expect $ipa.ipaEuiccDataResponse '^IpaEuiccData ::= {'
expect $ipa.ipaEuiccDataResponse 'defaultSmdpAddress: smdp.nordtel.example$'
expect $ipa.ipaEuiccDataResponse 'euiccInfo1: EUICCInfo1 ::= {'
expect $ipa.ipaEuiccDataResponse 'associationToken: 300$'
expect $ipa.ipaEuiccDataResponse 'eumCertificate: Certificate ::= {'
expect $ipa.ipaEuiccDataResponse 'euiccCertificate: Certificate ::= {'
expect $ipa.ipaEuiccDataResponse 'ipaFeatures: 60$'
expect $ipa.ipaEuiccDataResponse 'tac: 35 00 00 00$'
expect $ipa.ipaEuiccDataResponse 'OtherSignedNotification ::= {'
expect IpaEuiccDataResponse '^IpaEuiccData ::= {' # the CHOICE alone: 'A0', ipaEuiccData [0]
expect IpaEuiccDataResponse 'eumCertificate: Certificate ::= {'
expect IpaEuiccDataResponse.ipaEuiccDataError '^1$' # '81 01 01', ipaEuiccDataError [1]
# simfleet's eIM package, its attestation alternative keeping its own 'FF20'.
expect SimfleetEimPackage 'request: attachRequest ::= {'
expect SimfleetEimPackage 'rand: 23 55 3C BE 96 37 A8 9D 21 8A E6 4D AE 47 BF 35$'
expect SimfleetEimPackage.attest 'request: AttestationRequest ::= {'
expect SimfleetEimPackageResult 'iccid: 98 99 09 01 00 00 00 00 20 F5$'
expect SimfleetEimPackageResult 'fellBack: TRUE$'
expect SimfleetEimPackageResult.unattached 'detail: no network here$'
expect SimfleetEimPackageResult.attest 'D2 84 '
[ $fail = 0 ] || exit 1
[ $count = 56 ] || { echo "expected 56 messages, decoded $count" >&2; exit 1; }

# The same conversation as the protocol trace wrote it (--trace): every file decodes as the type
# its device's index.json names, and re-encodes to the same bytes.
traced=0
for index in "$work"/rsp-messages/trace/*/index.json; do
  device=$(dirname "$index")
  python3 -c 'import json,sys
for m in json.load(open(sys.argv[1]))["messages"]: print(m["file"], m["type"].split(".")[-1])' "$index" > "$device/files.txt"
  while read -r file type; do
    [ -f "$device/$file" ] || { echo "the trace's index names $file, which is missing" >&2; fail=1; continue; }
    if ! ./progname -p "$type" -iber -c -oder "$device/$file" > "$device/$file.asn1c" 2> "$device/$file.err"; then
      echo "asn1c cannot decode the traced $file as $type:" >&2; cat "$device/$file.err" >&2; fail=1; continue
    fi
    cmp -s "$device/$file" "$device/$file.asn1c" || { echo "the traced $file re-encodes differently" >&2; fail=1; }
    traced=$((traced + 1))
  done < "$device/files.txt"
done
[ $fail = 0 ] || exit 1
[ $traced -ge 30 ] || { echo "expected the whole conversation in the trace, found $traced messages" >&2; exit 1; }
echo "asn1c decoded $count messages (SGP.22, SGP.32's ESipa and simfleet's own) from a real conversation with a simulated device, and the $traced messages of its protocol trace as the types the trace names; each DER round trip identical"

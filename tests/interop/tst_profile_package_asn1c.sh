#!/bin/sh
# Decodes a simfleet profile package with asn1c, an ASN.1 compiler independent of simfleet,
# built from ../shared/spec/PEDefinitions.asn1 (DESIGN.md "Credentials": what simfleet writes
# must decode with any compiler of that module). Checks constraints, the decoded values, and
# that asn1c's own DER encoding of what it decoded is byte for byte what simfleet wrote.
set -eu
spec="$1"; sample="$2"; work="$3"
command -v asn1c >/dev/null || { echo "asn1c is missing: run installer/install-deps.sh" >&2; exit 1; }
mkdir -p "$work/asn1c"
cd "$work/asn1c"
if [ ! -x progname ] || [ "$spec" -nt progname ]; then
  asn1c -fcompound-names -pdu=ProfileElement "$spec" >/dev/null 2>asn1c.log
  make -s -f Makefile.am.sample CFLAGS="-DPDU=ProfileElement -I. -O1 -w" progname >make.log 2>&1
fi
"$sample" package.der
./progname -iber -c -oxer package.der > package.xml
./progname -iber -c -oder package.der > reencoded.der
cmp package.der reencoded.der || { echo "asn1c re-encodes the package differently: not canonical DER" >&2; exit 1; }
fail=0
expect() { grep -q "$1" package.xml || { echo "decoded package lacks $1" >&2; fail=1; }; }
expect '<major-version>3</major-version>'
expect '<iccid>89 99 90 10 00 00 00 00 01 7F</iccid>'
expect '<fillFileContent>98 99 09 01 00 00 00 00 10 F7</fillFileContent>'
expect '<fillFileContent>08 09 10 10 10 32 54 76 98</fillFileContent>'
expect '<pol>01</pol>'
expect '<algorithmID>1</algorithmID>'
expect '<key>46 5B 5C E8 B1 99 B4 9F AA 5F 0A 2E E2 38 A6 BC</key>'
expect '<fillFileContent>02 00</fillFileContent>'
expect '<end>'
expect '<mf>'
expect '<pukCodes>'
expect '<pinconfig>'
expect '<fillFileContent>00 00 00 02</fillFileContent>' # EF.AD: a two-digit MNC
expect '<ef-ust>'
expect '<ef-dir>'
expect '<milenage></milenage>'
[ $fail = 0 ] || { cat package.xml >&2; exit 1; }
echo "asn1c decoded $(grep -c '^<ProfileElement>' package.xml) profile elements; DER round trip identical"

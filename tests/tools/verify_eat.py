#!/usr/bin/env python3
"""Verifies a simfleet attestation token (EID.cbor) with its chain (EID-chain.pem) outside
simfleet: its own minimal CBOR decoder and encoder (RFC 8949), the COSE_Sign1 Sig_structure
(RFC 9052 section 4.4) and the OpenSSL command line for the ES256 check. Nothing here shares
code with simfleet.

Usage: verify_eat.py TOKEN.cbor CHAIN.pem   -> prints the claims as JSON, exit 0 if the signature
                                              verifies with the first certificate's key and the
                                              location claim, if any, is as RFC 9711 defines it;
                                              1 if not.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile


def decode(data, pos=0):
    initial = data[pos]
    major, info = initial >> 5, initial & 0x1F
    pos += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    else:
        raise ValueError("indefinite lengths are not expected here")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major == 2:
        return bytes(data[pos:pos + arg]), pos + arg
    if major == 3:
        return data[pos:pos + arg].decode("utf-8"), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        result = {}
        for _ in range(arg):
            key, pos = decode(data, pos)
            value, pos = decode(data, pos)
            result[key] = value
        return result, pos
    if major == 6:
        value, pos = decode(data, pos)
        return ("tag", arg, value), pos
    if major == 7:
        # Floating point (RFC 8949 section 3.3): the head's argument holds the IEEE 754 bits.
        if info == 25:
            return struct.unpack(">e", arg.to_bytes(2, "big"))[0], pos
        if info == 26:
            return struct.unpack(">f", arg.to_bytes(4, "big"))[0], pos
        if info == 27:
            return struct.unpack(">d", arg.to_bytes(8, "big"))[0], pos
        return {20: False, 21: True, 22: None}.get(arg, arg), pos
    raise ValueError("unknown major type")


def location_claim(value):
    """RFC 9711 section 4.2.10: location-type = { latitude => number, longitude => number,
    ? altitude, ? accuracy, ? altitude-accuracy, ? heading, ? speed, ? timestamp => ~time-int,
    ? age => uint }, with latitude 1, longitude 2, accuracy 4, timestamp 8. Returns it readable,
    or raises ValueError."""
    def number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")
    if not isinstance(value, dict):
        raise ValueError("the location claim is not a map")
    lat, lon = value.get(1), value.get(2)
    if not number(lat) or not number(lon) or abs(lat) > 90 or abs(lon) > 180:
        raise ValueError("the location claim has no latitude and longitude on the globe")
    out = {"latitude": lat, "longitude": lon}
    for key, name in ((3, "altitude"), (4, "accuracy"), (5, "altitude_accuracy"), (6, "heading"), (7, "speed")):
        if key in value:
            if not number(value[key]):
                raise ValueError("the location claim's %s is not a number" % name)
            out[name] = value[key]
    for key, name in ((8, "timestamp"), (9, "age")):
        if key in value:
            if not isinstance(value[key], int) or isinstance(value[key], bool) or (key == 9 and value[key] < 0):
                raise ValueError("the location claim's %s is not an integer" % name)
            out[name] = value[key]
    return out


def head(major, length):
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError("too long")


def encode_sig_structure(protected, payload):
    out = head(4, 4)
    context = b"Signature1"
    out += head(3, len(context)) + context
    out += head(2, len(protected)) + protected
    out += head(2, 0)
    out += head(2, len(payload)) + payload
    return out


def der_integer(value):
    raw = value.lstrip(b"\x00") or b"\x00"
    if raw[0] & 0x80:
        raw = b"\x00" + raw
    return b"\x02" + bytes([len(raw)]) + raw


def main():
    token = open(sys.argv[1], "rb").read()
    value, end = decode(token)
    if end != len(token):
        print("trailing bytes after the token", file=sys.stderr)
        return 1
    if isinstance(value, tuple) and value[0] == "tag":
        if value[1] != 18:
            print("not a COSE_Sign1", file=sys.stderr)
            return 1
        value = value[2]
    protected, _unprotected, payload, signature = value
    header, _ = decode(protected)
    if header.get(1) != -7:
        print("not ES256", file=sys.stderr)
        return 1
    if len(signature) != 64:
        print("ES256 signatures are 64 bytes", file=sys.stderr)
        return 1
    body = der_integer(signature[:32]) + der_integer(signature[32:])
    der_signature = b"\x30" + bytes([len(body)]) + body
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: os.path.join(tmp, name) for name in ("tbs", "sig", "pub.pem")}
        open(paths["tbs"], "wb").write(encode_sig_structure(protected, payload))
        open(paths["sig"], "wb").write(der_signature)
        pub = subprocess.run(["openssl", "x509", "-in", sys.argv[2], "-noout", "-pubkey"],
                             capture_output=True, check=True).stdout
        open(paths["pub.pem"], "wb").write(pub)
        checked = subprocess.run(["openssl", "dgst", "-sha256", "-verify", paths["pub.pem"],
                                  "-signature", paths["sig"], paths["tbs"]], capture_output=True)
    claims, _ = decode(payload)
    readable = {str(k): (v.hex() if isinstance(v, bytes) else v) for k, v in claims.items()
                if not isinstance(v, (list, dict))}
    if 264 in claims:
        try:
            readable["264"] = location_claim(claims[264])
        except ValueError as error:
            print(str(error), file=sys.stderr)
            return 1
    print(json.dumps(readable, sort_keys=True))
    if checked.returncode != 0:
        print("signature does not verify: " + checked.stdout.decode().strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

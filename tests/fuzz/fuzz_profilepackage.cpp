// libFuzzer target for profile packages (issue 19): what an operator hands to `operators
// set-profile-template` and what a device reads from a bound package. Whatever the bytes, the
// decoder ends with a value or an error that says something; a package it accepts encodes back to
// exactly its bytes; a template it accepts personalises into a package the device reads back with
// the content given, and its inspection copy holds zeros where Ki and OPc go.

#include "protocol/profilepackage.h"
#include "protocol/profiletemplate.h"

#include <cstddef>
#include <cstdint>

using namespace simfleet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    auto package = protocol::ProfilePackage::decode(input);
    if (!package) {
        if (package.errorMessage().isEmpty())
            __builtin_trap();
        return 0;
    }
    if (package->encode() != input)
        __builtin_trap();
    (void)package->summary();
    if (auto device = protocol::decodeProfilePackage(input); !device && device.errorMessage().isEmpty())
        __builtin_trap();

    auto made = protocol::ProfileTemplate::fromPackage(input);
    if (!made) {
        if (made.errorMessage().isEmpty())
            __builtin_trap();
        return 0;
    }
    protocol::ProfileContent content;
    content.iccid = QStringLiteral("8999901000000000017");
    content.imsi = QStringLiteral("240991234567891");
    content.ki = crypto::SecretBytes(QByteArray::fromHex("465b5ce8b199b49faa5f0a2ee238a6bc"));
    content.opc = crypto::SecretBytes(QByteArray::fromHex("cd63cb71954a9f4e48a5994e37a02baf"));
    content.serviceProviderName = QStringLiteral("Fuzz");
    auto personalised = made->personalise(content);
    if (!personalised)
        __builtin_trap(); // an accepted template personalises
    auto back = protocol::decodeProfilePackage(personalised->view());
    // The device may refuse what it cannot run (another algorithm, a CDMA service), but what it
    // reads back must be what was written.
    if (back && (back->iccid != content.iccid || back->imsi != content.imsi || !(back->ki == content.ki)))
        __builtin_trap();
    // The inspection copy's AKA parameters hold zeros where Ki and OPc go.
    auto inspected = made->withoutSecrets(content);
    if (!inspected)
        __builtin_trap();
    auto shown = protocol::ProfilePackage::decode(*inspected);
    if (!shown)
        __builtin_trap();
    for (const protocol::der::Node &e : shown->elements()) {
        const protocol::der::Node *configuration = e.tag == 0xA4 ? e.child(0xA1) : nullptr;
        const protocol::der::Node *parameter = configuration ? configuration->child(0xA1) : nullptr;
        for (quint16 tag : { quint16(0x82), quint16(0x83) })
            if (const protocol::der::Node *secret = parameter ? parameter->child(tag) : nullptr)
                if (secret->value.count(char(0)) != secret->value.size())
                    __builtin_trap();
    }
    return 0;
}

// libFuzzer target for the audit checkpoint reader: `audit verify --against FILE` reads a file
// someone kept outside the workspace, which may have been altered. Whatever the bytes, the reader
// must end with a checkpoint whose own signature verified, or a refusal; never crash.

#include "store/auditcheckpoint.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto checkpoint = simfleet::store::AuditCheckpoint::fromJson(bytes);
    // A checkpoint accepted names its signer among its keys and a 32-byte head.
    if (checkpoint && (checkpoint->head.size() != 32 || !checkpoint->keys.contains(checkpoint->signer)))
        __builtin_trap();
    return 0;
}

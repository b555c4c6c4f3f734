// libFuzzer target for the simulated field's flash log reader: arbitrary bytes as the frames
// after a log's header, read as version 2 (frames found by marker and digest) or version 1
// (chained by length), as the first byte says. The log is a file that a crash, a flipped bit or
// whoever can write it may leave in any state; the reader must account for every byte (intact
// frames, skipped stretches, a tail to cut) and never crash, leak or hang.

#include "simulation/flashlog.h"

#include <cstddef>
#include <cstdint>

using namespace simfleet;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const int version = (data[0] & 1) ? 1 : 2;
    const QByteArray frames(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const simulation::FlashScan scan = simulation::scanFlashFrames(frames, version);
    if (scan.end < 0 || scan.end > frames.size() || scan.tailBytes != frames.size() - scan.end || scan.bytesSkipped < 0
        || scan.bytesSkipped > scan.end || scan.damagedStretches < 0 || qsizetype(scan.records.size()) > frames.size() / 16 + 1)
        __builtin_trap();
    if (version == 1 && scan.damagedStretches != 0)
        __builtin_trap(); // version 1 cannot resynchronise, so it never claims to
    // Reading what was kept again finds the same records: the tail cut off changes nothing before it.
    const simulation::FlashScan again = simulation::scanFlashFrames(QByteArrayView(frames).first(scan.end), version);
    if (again.records.size() != scan.records.size() || again.tailBytes != 0 || again.end != scan.end)
        __builtin_trap();
    return 0;
}

#pragma once

#include "simulation/simulatedfield.h"

namespace simfleet::testing {

// One healthy meter of the manufacturer "Acme" (EUM EID prefix 89049032), for tests that hold a
// conversation with a single simulated device.
inline simulation::FieldDevice acmeMeter(const QString &eid)
{
    simulation::FieldDevice device;
    device.eid = eid;
    device.imei = QStringLiteral("356938035643809");
    device.manufacturer = QStringLiteral("Acme");
    device.hwmodel = QStringLiteral("MeterOne M2");
    device.hwversion = QStringLiteral("2");
    device.swname = QStringLiteral("meter-os");
    device.swversion = QStringLiteral("4.2.1");
    return device;
}

} // namespace simfleet::testing

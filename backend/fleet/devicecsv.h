#pragma once

#include <QByteArray>

namespace simfleet::store {
struct DeviceOverview;
}

namespace simfleet::fleet {

// The device list as CSV, one format for every export (the Devices page's Export, `devices
// --format csv`): the enrollment columns (so an export can be enrolled elsewhere), then where the
// device stands. UTF-8, comma-separated, quoted where a field needs it.
namespace deviceCsv {
QByteArray header();
QByteArray row(const store::DeviceOverview &device);
} // namespace deviceCsv

} // namespace simfleet::fleet

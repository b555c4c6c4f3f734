#pragma once

#include <QDateTime>

#include <optional>

namespace simfleet::protocol {

// Where a device's positioning receiver put it (RFC 9711 section 4.2.10, the location claim):
// WGS84 degrees, the accuracy in metres, and when the fix was taken.
struct ReportedLocation
{
    double latitude = 0;
    double longitude = 0;
    std::optional<double> accuracy; // metres
    QDateTime measuredAt;           // invalid: the token does not say (the evidence's iat then)
    bool operator==(const ReportedLocation &) const = default;
};

} // namespace simfleet::protocol

#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace simfleet {
class ManualClock;
}

namespace simfleet::simulation {

// The seed's three stories (../shared/seed: TR 33.812's use cases), told on a new demo workspace
// as they would have happened over its first two months, with the same services and the same
// cryptography as every campaign, on a clock that runs from the workspace's creation to now:
// - metering: the meters provisioned at the start, moved last month, on the 14th, from their
//   first power supplier's operator to the new supplier's, with a new owner: the ledger shows
//   each meter's two periods meeting at that instant, and the month's statement splits it;
// - tracking: a container tracker whose enclosure was opened two days ago: its next attestation
//   is contraindicated, it is quarantined, its subscription disabled on the device;
// - pay-as-you-drive: a car unit stolen yesterday evening, reported by Operations: its
//   subscription disabled at once, and this morning it checked in from the docks, an alert with
//   where.
class DemoStories
{
public:
    // On the demo workspace at path, its clock standing at the workspace's creation; ends at
    // `until`. Returns what it told, one line per story.
    static Result<QStringList> tell(const QString &path, ManualClock &clock, const QDateTime &until);
    // When a demo created now starts its stories: 09:00 UTC on the first day of the month before
    // last.
    static QDateTime beginning(const QDateTime &now);
};

} // namespace simfleet::simulation

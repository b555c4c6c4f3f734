#pragma once

#include "core/result.h"

#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

#include <atomic>
#include <chrono>
#include <optional>

namespace simfleet::simulation {

class SimulatedField;

// How a field's devices reach their eIM (simfleet-field serve).
struct FieldNetworkOptions
{
    QUrl eim;                          // https://HOST:PORT
    QList<QSslCertificate> eimRoots;   // what the eIM's TLS certificate must chain to
    QString eimName;                   // the name it must carry, when not the URL's host
    std::chrono::milliseconds poll { std::chrono::hours(4) }; // between a device's check-ins
    double speed = 1;                  // time runs this much faster (tests, demos)
    // Check-ins in parallel. A device in session keeps its thread through its whole change, as a
    // real IPA would its modem: more threads than a campaign has devices in session at once
    // (its concurrency), or the devices in session wait for each other and go silent.
    int threads = 64;
    bool once = false;                 // each device checks in once, then the field stops
    // A device whose fault is Offline is out of reach this long (field time, scaled by speed),
    // then checks in like the others; nothing: it never does.
    std::optional<std::chrono::milliseconds> offlineFor;
};

// What the field did, for its log line and the tests.
struct FieldNetworkCounts
{
    qint64 checkIns = 0;
    qint64 packages = 0;
    qint64 unreached = 0; // check-ins that did not reach the eIM
    qint64 offline = 0;   // devices that never check in (their fault), or only after offlineFor
};

// The simulated devices of a field as equipment on the network (SGP.32): each device's IPA wakes
// on its own schedule (the poll interval, scaled by speed, each device at its own offset so they
// do not all wake at once), checks in with the eIM over HTTPS and runs what it is handed on the
// device's eUICC. A device whose fault is Offline does not check in (for offlineFor, or ever); a
// slow one takes its latency before each check-in. Runs until stop is set (or, with once, until every device checked in).
class FieldOnNetwork
{
public:
    FieldOnNetwork(SimulatedField &field, FieldNetworkOptions options);
    FieldNetworkCounts run(const std::atomic<bool> &stop);

private:
    SimulatedField &m_field;
    FieldNetworkOptions m_options;
};

} // namespace simfleet::simulation

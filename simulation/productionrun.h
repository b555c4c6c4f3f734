#pragma once

#include "core/result.h"
#include "crypto/secretbytes.h"
#include "simulateddevice.h"
#include "store/referencevaluerepository.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace simfleet::store {
class Workspace;
}

namespace simfleet::simulation {

// What a lab with a manufacturer's test key orders from the simulated factory (issue 18,
// `field create`): that many healthy devices of one model and software version.
struct ProductionOrder
{
    QByteArray manufacturerCertificate; // the EUM certificate, PEM or DER
    crypto::SecretBytes manufacturerKey; // its private key, PEM or PKCS#8 DER; never stored in the workspace
    int count = 0;
    QString model;
    QString software;        // the software version the devices run
    QString softwareName;    // empty: "<model> firmware"
    std::optional<qint64> oemid; // the oemid claim the devices make (a private enterprise number)
};

// A production run of simulated devices certified by a manufacturer from outside simfleet's demo:
// they join the simulated field beside the workspace (created when there is none), each with the
// next free EID of the manufacturer's range (SGP.22 section 4.5.2.1: the name constraints of its
// EUM certificate), an IMEI, and the measurements of genuine firmware. The manufacturer must
// already be trusted by the workspace (trust add --manufacturer): the run changes nothing in the
// workspace itself; enrolling the devices and loading their reference values are the caller's
// next steps, with the CSV and values this hands back.
struct ProductionRun
{
    QString manufacturer; // as the workspace names it (its certificate's organization)
    QString fieldFile;
    std::vector<FieldDevice> devices;
    store::ReferenceValueRecord referenceValues; // what genuine devices of the run measure

    static Result<ProductionRun> make(const store::Workspace &workspace, const QString &workspacePath,
                                      const ProductionOrder &order);

    // The factory's enrollment file for the run (the columns `enroll` reads).
    QByteArray enrollmentCsv() const;

    // More devices in one run than one command should make at once.
    static constexpr int maximumCount = 100000;
};

} // namespace simfleet::simulation

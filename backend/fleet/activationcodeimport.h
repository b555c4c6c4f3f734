#pragma once

#include "core/result.h"
#include "enrollment.h"

#include <QList>
#include <QString>

class QIODevice;

namespace simfleet::store {
class Workspace;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::fleet {

// What an import of activation codes came to. Rows with a problem are reported and skipped,
// like enrollment's: the good rows are stored together, the others change nothing.
struct ActivationCodeImportReport
{
    QString operatorName;
    qint64 rowsRead = 0;
    qint64 imported = 0;
    qint64 boundToDevices = 0; // rows naming an EID; the others are a pool any device may take
    QList<EnrollmentIssue> issues;
};

// Activation codes an operator issued for its own profile server (SGP.22 section 4.1), which a
// campaign relays to the devices (SGP.32 indirect download). CSV with a header: iccid and
// activation_code are required, eid optional (a code for one device; without it the code
// goes to whichever device of a campaign to that operator needs one). The ICCID is the
// profile's, as the operator's ES2+ DownloadOrder gave it: simfleet records it before the
// download and checks the device installed that one. Administrators (ManageOperators), on an
// unlocked workspace: the matching IDs are sealed.
class ActivationCodeImport
{
public:
    static Result<ActivationCodeImportReport> importFile(store::Workspace &workspace, const access::Session &by,
                                                         const QString &operatorName, const QString &path);
    static Result<ActivationCodeImportReport> import(store::Workspace &workspace, const access::Session &by,
                                                     const QString &operatorName, QIODevice &csv, const QString &source);
};

} // namespace simfleet::fleet

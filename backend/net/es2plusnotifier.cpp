#include "es2plusnotifier.h"

#include "es2plusclient.h"
#include "netlog.h"

namespace simfleet::net {

namespace es2 = protocol::es2plus;

Es2PlusNotifier::Es2PlusNotifier(QUrl base, QList<QSslCertificate> roots, TlsIdentity identity, QString requester,
                                 std::chrono::milliseconds timeout)
    : m_base(std::move(base)), m_roots(std::move(roots)), m_identity(std::move(identity)), m_requester(std::move(requester)), m_timeout(timeout)
{
    m_pool.setMaxThreadCount(1);
}

Es2PlusNotifier::~Es2PlusNotifier()
{
    m_pool.waitForDone();
}

void Es2PlusNotifier::notify(es2::HandleDownloadProgressInfoRequest progress)
{
    // Section 6.5.1.3: who calls, and an identifier of this call the operator can log and match.
    const quint64 call = ++m_calls;
    progress.header = { m_requester, QStringLiteral("%1-%2").arg(es2::functionName(es2::Function::HandleDownloadProgressInfo)).arg(call) };
    m_pool.start([this, progress = std::move(progress)] {
        // A client of its own on this thread: QNetworkAccessManager belongs to one thread.
        Es2PlusClient client(m_base, m_roots, m_identity, {}, m_timeout);
        client.http().setPeerRole(QStringLiteral("the operator's ES2+ server"));
        auto told = client.handleDownloadProgressInfo(progress);
        if (told) {
            ++m_delivered;
            qCDebug(lcNet) << "handleDownloadProgressInfo" << progress.header.functionCallIdentifier << "delivered: profile" << progress.iccid
                           << "point" << progress.notificationPointId;
        } else {
            ++m_failed;
            qCWarning(lcNet) << "handleDownloadProgressInfo for profile" << progress.iccid << "point" << progress.notificationPointId
                             << "not delivered:" << told.errorMessage();
        }
    });
}

profiles::DownloadProgressListener Es2PlusNotifier::listener()
{
    return [this](const es2::HandleDownloadProgressInfoRequest &progress) { notify(progress); };
}

} // namespace simfleet::net

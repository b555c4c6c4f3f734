#pragma once

#include "tlsidentity.h"

#include "profiles/es9plusservice.h"
#include "protocol/es2plus.h"

#include <QList>
#include <QSslCertificate>
#include <QThreadPool>
#include <QUrl>

#include <atomic>
#include <chrono>

namespace simfleet::net {

// Tells the operator where the downloads of its ES2+ orders stand: ES2+.HandleDownloadProgressInfo
// (SGP.22 section 5.3.5) posted to <base>/gsma/rsp2/es2plus/handleDownloadProgressInfo over
// mutually authenticated TLS (section 2.6.6): the operator's server verified against the roots
// given, the profile server presenting its own TLS identity. Notifications go one at a time, in
// the order they came, on a thread of their own: a download never waits for the operator. One
// the operator's server does not take is logged and dropped (simfleet does not retry).
class Es2PlusNotifier
{
public:
    // requester: the functionRequesterIdentifier the profile server calls with (its address).
    Es2PlusNotifier(QUrl base, QList<QSslCertificate> roots, TlsIdentity identity, QString requester,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Waits for the notifications under way, each at most the timeout.
    ~Es2PlusNotifier();
    Es2PlusNotifier(const Es2PlusNotifier &) = delete;
    Es2PlusNotifier &operator=(const Es2PlusNotifier &) = delete;

    // Queues one notification and returns at once; the header is filled in here. Thread-safe.
    void notify(protocol::es2plus::HandleDownloadProgressInfoRequest progress);
    // notify(), for Es9PlusService::setProgressListener; the notifier must outlive the service's use.
    profiles::DownloadProgressListener listener();

    quint64 delivered() const { return m_delivered.load(); }
    quint64 failed() const { return m_failed.load(); }

private:
    QUrl m_base;
    QList<QSslCertificate> m_roots;
    TlsIdentity m_identity;
    QString m_requester;
    std::chrono::milliseconds m_timeout;
    std::atomic<quint64> m_calls { 0 };
    std::atomic<quint64> m_delivered { 0 };
    std::atomic<quint64> m_failed { 0 };
    QThreadPool m_pool; // one thread: in order, one at a time
};

} // namespace simfleet::net

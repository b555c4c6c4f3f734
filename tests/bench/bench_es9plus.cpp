// ES9+ download throughput over HTTPS (SGP.22 section 6: the HTTPS binding; section 3.1.3: the
// download): simfleet's own served profile server (Es9PlusHttpServer on a thread of its own with
// its event loop, Es9PlusService with an order per EID) and N simulated eUICCs (256, or 32 with
// --quick) downloading their profiles through loopback HTTPS, C at once (64 by default), each of
// the C client threads with its own Es9PlusClient (its own QNetworkAccessManager and connection),
// relaying for one device after another: initiateAuthentication, authenticateClient,
// getBoundProfilePackage, handleNotification. The devices are certified first (their first
// contact, once in a device's life, is not a download). Printed next to the bound this machine's
// own P-256 rates allow on its cores for the operations one download needs on both sides,
// measured in the same run:
//   device:  3 signatures (euiccSigned1, euiccSigned2, the installation result), 4 verifications
//            (the server's certificate against the CI, serverSignature1, smdpSignature2,
//            InitialiseSecureChannel; the demo's server binds with the certificate that
//            authenticated it, which the eUICC does not check twice), 1 key generation and 1 ECDH
//            (the one-time key)
//   server:  3 signatures (serverSigned1, smdpSigned2, InitialiseSecureChannel), 5 verifications
//            (the device's chain: CERT.EUICC by the EUM and CERT.EUM by the CI; euiccSignature1,
//            euiccSignature2, the installation result), 1 key generation and 1 ECDH
// TLS is not in the bound: its handshakes are measured on their own and printed as a share of the
// run's CPU, with the number of connections the server accepted. The clients' HTTP stack (Qt
// Network, a thread per client crossed several times per request) and the eUICCs run in the same
// process; the served profile server's own CPU (its socket thread and its functions) is also
// printed against its own part of the cryptography: what it would serve on the cores alone.
// Usage: bench_es9plus [--quick | --devices N] [--concurrency C]

#include "benchsupport.h"
#include "es9tls.h"
#include "es9world.h"

#include "net/es9plusclient.h"
#include "net/es9plusdownload.h"
#include "net/es9plushttpserver.h"
#include "net/servicethread.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <cstdio>

using namespace simfleet;
using namespace simfleet::testing::es9;

namespace {

constexpr int signsPerDownload = 6;
constexpr int verifiesPerDownload = 9;
constexpr int keygensPerDownload = 2;
constexpr int ecdhPerDownload = 2;
// The server's part of those (see above).
constexpr int serverSigns = 3;
constexpr int serverVerifies = 5;
constexpr int serverKeygens = 1;
constexpr int serverEcdh = 1;
constexpr std::chrono::seconds deviceTimeout(60);
constexpr std::chrono::seconds httpTimeout(120);

int stop(const QString &message)
{
    std::fprintf(stderr, "bench_es9plus: %s\n", qPrintable(message));
    return 1;
}

int argument(const QStringList &args, const QString &name, int otherwise)
{
    const qsizetype at = args.indexOf(name);
    return at > 0 && at + 1 < args.size() ? args.at(at + 1).toInt() : otherwise;
}

struct Downloads
{
    QStringList installed;
    QStringList failures;
    double seconds = 0;
    double cpuSeconds = 0;
    int peakInFlight = 0;
    qsizetype peakSessions = 0;
};

// Every device downloads once, concurrency at a time, each client thread relaying for one
// device after another over its own connection.
Downloads downloadAll(const World &w, const TlsFixture &tls, quint16 port, int concurrency)
{
    QThreadPool clients;
    clients.setMaxThreadCount(concurrency);
    std::atomic<int> next = 0;
    std::atomic<int> inFlight = 0;
    std::atomic<int> peakInFlight = 0;
    QMutex resultsMutex;
    Downloads out;

    const double cpuBefore = bench::processCpuSeconds();
    QElapsedTimer t;
    t.start();
    QList<QFuture<void>> threads;
    for (int c = 0; c < concurrency; ++c)
        threads.append(QtConcurrent::run(&clients, [&] {
            net::Es9PlusClient client = tls.client(port, httpTimeout);
            for (int i = next++; i < w.eids.size(); i = next++) {
                const int now = ++inFlight;
                for (int peak = peakInFlight; now > peak && !peakInFlight.compare_exchange_weak(peak, now);) {
                }
                auto link = w.field->linkTo(w.eids.at(i));
                auto installed = net::downloadThroughEs9Plus(client, *link, w.server->address(), deviceTimeout);
                --inFlight;
                QMutexLocker lock(&resultsMutex);
                if (installed)
                    out.installed.append(installed.value());
                else
                    out.failures.append(QStringLiteral("%1: %2").arg(w.eids.at(i), installed.errorMessage()));
            }
        }));
    // The sessions open at the server at once, sampled while the clients run.
    while (!std::all_of(threads.cbegin(), threads.cend(), [](const QFuture<void> &f) { return f.isFinished(); })) {
        out.peakSessions = std::max(out.peakSessions, w.service->openSessions());
        QThread::msleep(2);
    }
    out.seconds = double(t.nsecsElapsed()) / 1e9;
    out.cpuSeconds = bench::processCpuSeconds() - cpuBefore;
    out.peakInFlight = peakInFlight;
    return out;
}

// CPU seconds of one full TLS handshake with the served server, both sides (they run in this
// process), over a fresh connection each time, as a client without a cached session makes it.
double handshakeCpuSeconds(const TlsFixture &tls, quint16 port, int handshakes)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates({ QSslCertificate(tls.root.certificate.toPem()) });
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    const double before = bench::processCpuSeconds();
    int done = 0;
    for (int i = 0; i < handshakes; ++i) {
        QSslSocket socket;
        socket.setSslConfiguration(configuration);
        socket.setPeerVerifyName(QStringLiteral("localhost"));
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        if (socket.waitForEncrypted(10000))
            ++done;
        socket.disconnectFromHost();
    }
    return done > 0 ? (bench::processCpuSeconds() - before) / done : 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("simfleet.*.info=false"));
    const QStringList args = QCoreApplication::arguments();
    const bool quick = args.contains(QStringLiteral("--quick"));
    const int devices = argument(args, QStringLiteral("--devices"), quick ? 32 : 256);
    const int concurrency = std::min(argument(args, QStringLiteral("--concurrency"), 64), devices);
    if (devices < 1 || devices > 9999 || concurrency < 1)
        return stop(QStringLiteral("--devices takes 1 to 9999, --concurrency at least 1"));

    QElapsedTimer t;
    t.start();
    auto w = world(QStringLiteral("smdp.nordtel.example"), devices);
    for (qsizetype i = 0; i < w->eids.size(); ++i) {
        profiles::DownloadOrder order = orderFor(w->eids.at(i));
        order.profile.iccid = QStringLiteral("8999901000000%1").arg(i, 6, 10, QLatin1Char('0'));
        w->service->addOrder(order);
    }
    // First contact (key derivation and the certificate's issue) before the clock starts.
    QtConcurrent::blockingMap(w->eids, [&w](const QString &eid) { (void)ask(w->field->linkTo(eid)->info()); });
    const TlsFixture tls;
    const double setupSeconds = double(t.nsecsElapsed()) / 1e9;

    // The served profile server on a thread of its own, as the desktop runs it: the thread that
    // owns the sockets runs an event loop and nothing else.
    net::ServiceThread serverThread;
    const net::Es9PlusHttpServer *http = nullptr;
    quint16 port = 0;
    if (auto started = serverThread.start([&]() -> Result<std::shared_ptr<void>> {
            auto served = std::make_shared<net::Es9PlusHttpServer>(w->service);
            served->setTlsIdentity(tls.identity);
            auto listening = served->listen(QHostAddress::LocalHost, 0);
            if (!listening)
                return listening.error();
            port = listening.value();
            http = served.get();
            return std::shared_ptr<void>(std::move(served));
        });
        !started)
        return stop(started.errorMessage());

    const double serverThreadBefore = serverThread.cpuSeconds();
    const Downloads run = downloadAll(*w, tls, port, concurrency);
    const net::Es9PlusHttpServer::Traffic traffic = http->traffic();
    // The served profile server's own CPU: its socket thread (TLS, HTTP) and its functions on
    // its pool; the rest of the run's CPU is the 64 relaying clients' and the eUICCs'.
    const double serverCpu = serverThread.cpuSeconds() - serverThreadBefore + traffic.functionCpuSeconds;
    const QStringList someFailures = run.failures.mid(0, 5);
    for (const QString &failure : someFailures)
        std::fprintf(stderr, "bench_es9plus: %s\n", qPrintable(failure));
    QStringList distinct = run.installed;
    distinct.sort();
    distinct.removeDuplicates();

    const double handshakeCpu = handshakeCpuSeconds(tls, port, 64);
    const bench::P256Rates rates = bench::measureP256(1000);
    const int cores = QThread::idealThreadCount();
    const double cpuSecondsPerDownload = signsPerDownload / rates.sign + verifiesPerDownload / rates.verify
        + keygensPerDownload / rates.keygen + ecdhPerDownload / rates.ecdh;
    const double bound = double(cores) / cpuSecondsPerDownload;
    const double rate = double(run.installed.size()) / run.seconds;
    const double serverCryptoPerDownload = serverSigns / rates.sign + serverVerifies / rates.verify + serverKeygens / rates.keygen
        + serverEcdh / rates.ecdh;
    const double serverCpuPerDownload = serverCpu / double(std::max<qsizetype>(1, run.installed.size()));

    std::printf("simfleet ES9+ over loopback HTTPS, %d devices, %d client threads, %d cores, allocator %s, %s "
                "(field, orders and first contact set up in %.1f s)\n",
                devices, concurrency, cores, bench::allocatorName(), qPrintable(QSslSocket::sslLibraryVersionString()), setupSeconds);
    std::printf("downloads: %lld succeeded, %lld failed in %.2f s = %.0f downloads/s (at most %d in flight, %lld sessions open "
                "at the server at once)\n",
                static_cast<long long>(run.installed.size()), static_cast<long long>(run.failures.size()), run.seconds, rate,
                run.peakInFlight, static_cast<long long>(run.peakSessions));
    std::printf("CPU used, both sides: %.3f ms per download (%.2f cores busy on average)\n",
                run.cpuSeconds * 1000.0 / double(std::max<qsizetype>(1, run.installed.size())), run.cpuSeconds / run.seconds);
    std::printf("HTTP: %llu requests over %llu TLS connections; one full handshake costs %.3f ms of CPU (both sides), "
                "%.1f%% of the run's CPU for its handshakes\n",
                static_cast<unsigned long long>(traffic.requests), static_cast<unsigned long long>(traffic.connections), handshakeCpu * 1000.0,
                100.0 * handshakeCpu * double(traffic.connections) / run.cpuSeconds);
    std::printf("this machine, one core: sign %.0f/s, verify %.0f/s, key generation %.0f/s, ECDH %.0f/s\n", rates.sign, rates.verify,
                rates.keygen, rates.ecdh);
    std::printf("one download needs %d signatures, %d verifications, %d key generations, %d ECDH = %.3f ms of one core; "
                "bound on %d cores %.0f downloads/s; achieved %.0f%% of the bound\n",
                signsPerDownload, verifiesPerDownload, keygensPerDownload, ecdhPerDownload, cpuSecondsPerDownload * 1000.0, cores, bound,
                100.0 * rate / bound);
    std::printf("the served profile server alone: %.3f ms of CPU per download (socket thread %.3f, functions %.3f); its share "
                "of the cryptography (%d signatures, %d verifications, %d key generation, %d ECDH) = %.3f ms: on %d cores of its "
                "own it serves %.0f downloads/s, %.0f%% of its bound %.0f/s\n",
                serverCpuPerDownload * 1000.0, (serverCpu - traffic.functionCpuSeconds) * 1000.0 / double(std::max<qsizetype>(1, run.installed.size())),
                traffic.functionCpuSeconds * 1000.0 / double(std::max<qsizetype>(1, run.installed.size())), serverSigns, serverVerifies,
                serverKeygens, serverEcdh, serverCryptoPerDownload * 1000.0, cores, double(cores) / serverCpuPerDownload,
                100.0 * serverCryptoPerDownload / serverCpuPerDownload, double(cores) / serverCryptoPerDownload);
    std::printf("peak RSS %ld MiB\n", bench::peakMemoryMiB());

    const bool complete = run.installed.size() == devices && distinct.size() == devices && w->service->installations().size() == devices
        && w->service->openSessions() == 0 && w->service->pendingOrders() == 0;
    if (!complete)
        return stop(QStringLiteral("not every device got its own profile, or the server kept sessions or orders"));
    return 0;
}

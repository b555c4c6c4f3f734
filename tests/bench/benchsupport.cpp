#include "benchsupport.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>
#include <unistd.h>

#include "crypto/ecdh.h"
#include "crypto/ecdsa.h"
#include "crypto/eckey.h"

#include <QByteArray>
#include <QElapsedTimer>

#include <dlfcn.h>
#include <functional>
#include <sys/resource.h>

namespace simfleet::bench {

namespace {

double rate(int milliseconds, const std::function<bool()> &op)
{
    QElapsedTimer t;
    t.start();
    qint64 n = 0;
    while (t.elapsed() < milliseconds) {
        for (int i = 0; i < 16; ++i)
            n += op() ? 1 : 0;
    }
    return double(n) * 1e9 / double(t.nsecsElapsed());
}

} // namespace

long peakMemoryMiB()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

long residentMemoryMiB()
{
    // /proc/self/statm: size and resident pages.
    long size = 0, resident = 0;
    if (FILE *f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &size, &resident) != 2)
            resident = 0;
        std::fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

const char *allocatorName()
{
    // gperftools exports tc_version; glibc has no such symbol.
    using Version = const char *(*)(int *, int *, const char **);
    if (auto version = reinterpret_cast<Version>(dlsym(RTLD_DEFAULT, "tc_version")))
        return version(nullptr, nullptr, nullptr);
    return "glibc";
}

double processCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

P256Rates measureP256(int milliseconds)
{
    const auto key = crypto::EcPrivateKey::generate();
    const auto peer = crypto::EcPrivateKey::generate().publicKey();
    const auto pub = key.publicKey();
    const QByteArray message(300, 'm');
    const QByteArray signature = crypto::ecdsaSign(key, message, crypto::SignatureFormat::Raw).value();
    P256Rates r;
    r.sign = rate(milliseconds, [&] { return crypto::ecdsaSign(key, message, crypto::SignatureFormat::Raw).ok(); });
    r.verify = rate(milliseconds, [&] { return crypto::ecdsaVerify(pub, message, signature, crypto::SignatureFormat::Raw).ok(); });
    r.keygen = rate(milliseconds, [&] { return !crypto::EcPrivateKey::generate().isNull(); });
    r.ecdh = rate(milliseconds, [&] { return crypto::ecdh(key, peer).ok(); });
    return r;
}

namespace {
const QString clusterScript = QStringLiteral(SIMFLEET_SOURCE_DIR "/tests/tools/postgres_cluster.sh");
}

int devicesOption(const QStringList &arguments, int fallback)
{
    const qsizetype at = arguments.indexOf(QStringLiteral("--devices"));
    return at > 0 && at + 1 < arguments.size() ? arguments.at(at + 1).toInt() : fallback;
}

std::unique_ptr<PostgresCluster> PostgresCluster::start(QTemporaryDir &dir)
{
    // The server runs as the postgres user when this runs as root: it must reach its folder.
    QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                          | QFileDevice::ExeGroup | QFileDevice::ExeOther);
    const QString cluster = dir.filePath(QStringLiteral("cluster"));
    if (QProcess::execute(clusterScript, { QStringLiteral("start"), cluster }) != 0)
        return nullptr;
    auto server = test::readTestServer(cluster);
    if (!server)
        return nullptr;
    std::unique_ptr<PostgresCluster> started(new PostgresCluster);
    started->m_dir = cluster;
    started->m_server = *server;
    return started;
}

PostgresCluster::~PostgresCluster()
{
    QProcess::execute(clusterScript, { QStringLiteral("stop"), m_dir });
}

QString PostgresCluster::newDatabase()
{
    return test::newServerWorkspace(m_server, QStringLiteral("bench_%1").arg(++m_databases));
}

} // namespace simfleet::bench

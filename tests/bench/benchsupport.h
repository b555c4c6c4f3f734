#pragma once

// What the benchmarks share: the process's peak memory and this machine's bare P-256 rates,
// measured in the same run as the figure they are compared with.

#include "teststore.h"

#include <QString>
#include <QStringList>

#include <memory>

class QTemporaryDir;

namespace simfleet::bench {

// The number after `--devices` on the command line, or fallback when it is not given.
int devicesOption(const QStringList &arguments, int fallback);

// A throw-away PostgreSQL cluster on loopback for the --postgres runs
// (tests/tools/postgres_cluster.sh in dir), stopped when this goes.
class PostgresCluster
{
public:
    static std::unique_ptr<PostgresCluster> start(QTemporaryDir &dir);
    ~PostgresCluster();
    // A new, empty database; its workspace address, with the password given to this process.
    QString newDatabase();
    const test::TestServer &server() const { return m_server; }

private:
    QString m_dir;
    test::TestServer m_server;
    int m_databases = 0;
};

long peakMemoryMiB();
// The process's resident memory now.
long residentMemoryMiB();
// User and system time of every thread of the process so far.
double processCpuSeconds();
// The allocator malloc resolves to in this process: "tcmalloc 2.10" or "glibc".
const char *allocatorName();

// Operations per second on one core, each measured for about milliseconds.
struct P256Rates
{
    double sign = 0;
    double verify = 0;
    double keygen = 0;
    double ecdh = 0;
};
P256Rates measureP256(int milliseconds);

// P-256 operations, and the seconds of one core they take at a machine's rates.
struct CryptoCount
{
    int signs = 0;
    int verifies = 0;
    int keygens = 0;
    int ecdh = 0;
    double seconds(const P256Rates &r) const { return signs / r.sign + verifies / r.verify + keygens / r.keygen + ecdh / r.ecdh; }
};
// What one subscription change needs on both sides (bench_change's header counts them).
inline constexpr CryptoCount changeCrypto { 9, 14, 2, 2 };

} // namespace simfleet::bench

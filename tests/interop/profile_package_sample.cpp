// Writes a profile package made from published test values (TS 35.208 test set 1 Ki and OPc,
// a test-range ICCID and IMSI) so an independent ASN.1 compiler can decode what simfleet
// encodes. No workspace is involved and no real secret can reach this file.
#include "protocol/profilepackage.h"

#include <QFile>
#include <cstdio>

int main(int argc, char **argv)
{
    using namespace simfleet;
    if (argc != 2) {
        std::fprintf(stderr, "usage: profile_package_sample OUTPUT.der\n");
        return 2;
    }
    protocol::ProfileContent p;
    p.iccid = QStringLiteral("8999901000000000017");
    p.imsi = QStringLiteral("001010123456789");
    p.ki = crypto::SecretBytes(QByteArray::fromHex("465b5ce8b199b49faa5f0a2ee238a6bc"));
    p.opc = crypto::SecretBytes(QByteArray::fromHex("cd63cb71954a9f4e48a5994e37a02baf"));
    p.serviceProviderName = QStringLiteral("Nordtel");
    p.disableNotAllowed = true;
    auto package = protocol::encodeProfilePackage(p);
    if (!package) {
        std::fprintf(stderr, "%s\n", qPrintable(package.errorMessage()));
        return 1;
    }
    QFile out(QString::fromLocal8Bit(argv[1]));
    if (!out.open(QIODevice::WriteOnly) || out.write(package->view().toByteArray()) != qint64(package->size()))
        return 1;
    return 0;
}

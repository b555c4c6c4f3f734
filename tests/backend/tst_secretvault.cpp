#include "crypto/certificate.h"
#include "crypto/eckey.h"
#include "simulation/demoworkspace.h"
#include "store/certificaterepository.h"
#include "store/operatorrepository.h"
#include "store/secretvault.h"
#include "store/workspace.h"

#include <QDirIterator>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;
using namespace simfleet::store;

class TestSecretVault : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("demo.simfleet"));
        auto ws = simulation::DemoWorkspace::create(m_path, nullptr, { 5, 5, 5 });
        QVERIFY2(ws.ok(), qPrintable(ws.errorMessage()));
        m_ws = std::move(ws).value();
    }
    void cleanupTestCase() { m_ws.reset(); }

    void sealedValuesBindToRowAndColumn()
    {
        const SecretVault &vault = m_ws->vault();
        const crypto::SecretBytes ki(QByteArray::fromHex("465b5ce8b199b49faa5f0a2ee238a6bc"));
        const auto sealed = vault.seal({ "profile", 7, "ki_sealed" }, ki);
        QVERIFY(sealed.ok());
        QVERIFY(!sealed->contains(ki.view()));
        QVERIFY(vault.open({ "profile", 7, "ki_sealed" }, sealed.value()).value() == ki);
        QCOMPARE(vault.open({ "profile", 8, "ki_sealed" }, sealed.value()).errorMessage(),
                 QStringLiteral("the secret in profile.ki_sealed of row 8 does not open: it was changed or moved"));
        QVERIFY(!vault.open({ "profile", 7, "opc_sealed" }, sealed.value()).ok());
        QVERIFY(!vault.open({ "operator", 7, "ki_sealed" }, sealed.value()).ok());
    }

    void lockedVaultRefuses()
    {
        SecretVault locked;
        QVERIFY(!locked.isUnlocked());
        QVERIFY(locked.seal({ "profile", 1, "ki_sealed" }, crypto::SecretBytes(QByteArrayView("x"))).errorMessage()
                    .contains(QStringLiteral("locked")));
    }

    void demoSecretsOpenOnlyWithTheKey()
    {
        QSqlDatabase db = m_ws->database();
        OperatorRepository operators(db);
        const auto all = operators.list().value();
        QCOMPARE(all.size(), 4);
        for (const OperatorRecord &op : all) {
            const auto sealed = operators.sealedOp(op.id);
            QVERIFY(sealed.ok());
            const auto opened = m_ws->vault().open({ "operator", op.id, "op_sealed" }, sealed.value());
            QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
            QCOMPARE(opened->size(), std::size_t(16));
        }
        // The workspace holds its operators' profile-server keys, sealed; the certificate issuer's
        // and manufacturers' keys are theirs, not the workspace's.
        int keys = 0;
        for (const CertificateRecord &c : CertificateRepository(db).list().value()) {
            if (c.role != CertificateRoleName::ProfileServer) {
                QVERIFY2(c.privateKeySealed.isEmpty(), qPrintable(c.name));
                continue;
            }
            const auto der = m_ws->vault().open({ "certificate", c.id, "private_key_sealed" }, c.privateKeySealed);
            QVERIFY2(der.ok(), qPrintable(c.name + QStringLiteral(": ") + der.errorMessage()));
            const auto key = crypto::EcPrivateKey::fromPkcs8(der.value());
            QVERIFY(key.ok());
            QVERIFY(key->publicKey() == crypto::Certificate::fromDer(c.der).value().publicKey());
            ++keys;
        }
        QCOMPARE(keys, 4);
        // A workspace opened without the passphrase cannot open them.
        auto other = Workspace::open(m_path);
        QVERIFY(other.ok());
        QVERIFY(!other.value()->vault().open({ "operator", all.first().id, "op_sealed" },
                                            operators.sealedOp(all.first().id).value())
                     .ok());
        QCOMPARE(other.value()->unlock("not the passphrase").errorMessage(), QStringLiteral("wrong passphrase for this workspace"));
    }

    void copiedSealedValueDoesNotOpen()
    {
        QSqlDatabase db = m_ws->database();
        OperatorRepository operators(db);
        const auto all = operators.list().value();
        // Copy one operator's sealed OP over another's, as a careless or hostile edit would.
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE operator SET op_sealed = (SELECT op_sealed FROM operator WHERE id = ?) WHERE id = ?"));
        q.addBindValue(all.at(0).id);
        q.addBindValue(all.at(1).id);
        QVERIFY(q.exec());
        QVERIFY(!m_ws->vault().open({ "operator", all.at(1).id, "op_sealed" }, operators.sealedOp(all.at(1).id).value()).ok());
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<Workspace> m_ws;
};

QTEST_GUILESS_MAIN(TestSecretVault)
#include "tst_secretvault.moc"

#include "accesscontroller.h"
#include "connectdialog.h"
#include "firstrundialog.h"
#include "mainwindow.h"
#include "access/session.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "store/workspace.h"
#include "store/workspaceservice.h"
#include "teststore.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace simfleet;

// Issue 22: "Connect to a Shared Workspace" — the address a user types, checked as they type;
// the password asked, used, and never stored; and, on PostgreSQL, the whole way from the File
// menu to a logged-in user.
class TestConnectDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("simfleet-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_connectdialog"));
        QSettings().clear();
    }

    void fieldsMakeTheAddress()
    {
        ui::ConnectDialog dialog({ QStringLiteral("/home/ops/meters.simfleet"), QStringLiteral("postgresql://ops@db.example.net:6543/fleet") });
        auto *server = dialog.findChild<QComboBox *>(QStringLiteral("connectServer"));
        auto *port = dialog.findChild<QSpinBox *>(QStringLiteral("connectPort"));
        auto *database = dialog.findChild<QLineEdit *>(QStringLiteral("connectDatabase"));
        auto *user = dialog.findChild<QLineEdit *>(QStringLiteral("connectUser"));
        auto *password = dialog.findChild<QLineEdit *>(QStringLiteral("connectPassword"));
        auto *connectButton = dialog.findChild<QPushButton *>(QStringLiteral("connectButton"));
        auto *problem = dialog.findChild<QLabel *>(QStringLiteral("connectProblem"));
        QVERIFY(server && port && database && user && password && connectButton && problem);
        // The recent shared workspace fills the fields; the file does not.
        QCOMPARE(server->count(), 1);
        QCOMPARE(server->currentText(), QStringLiteral("db.example.net"));
        QCOMPARE(port->value(), 6543);
        QCOMPARE(database->text(), QStringLiteral("fleet"));
        QCOMPARE(user->text(), QStringLiteral("ops"));
        QCOMPARE(password->echoMode(), QLineEdit::Password);
        QVERIFY(!connectButton->isEnabled()); // no password yet
        QTest::keyClicks(password, QStringLiteral("s3cret words here"));
        QVERIFY(connectButton->isEnabled());
        QCOMPARE(dialog.address(), QStringLiteral("postgresql://ops@db.example.net:6543/fleet"));
        QVERIFY(!dialog.address().contains(QStringLiteral("s3cret")));
        QCOMPARE(dialog.password(), QByteArray("s3cret words here"));

        // A user name PostgreSQL would need quoted is refused with what to do.
        user->setText(QStringLiteral("Ops Team"));
        QVERIFY(!connectButton->isEnabled());
        QVERIFY(problem->isVisibleTo(&dialog));
        QVERIFY2(problem->text().contains(QStringLiteral("lower-case")), qPrintable(problem->text()));
        user->setText(QStringLiteral("ops"));
        database->clear();
        QVERIFY(!connectButton->isEnabled());
        QVERIFY(problem->text().contains(QStringLiteral("database")));
    }

    void firstRunOffersIt()
    {
        ui::FirstRunDialog dialog;
        auto *shared = dialog.findChild<QWidget *>(QStringLiteral("connectButton"));
        QVERIFY(shared);
        QTest::mouseClick(shared, Qt::LeftButton);
        QCOMPARE(dialog.choice(), ui::FirstRunDialog::Choice::Connect);
    }

    // From the File menu to a logged-in user, on the test cluster; the recent list then holds
    // the address and never the password.
    void connectsAndLogsIn()
    {
        if (!test::onPostgres())
            QSKIP("needs the PostgreSQL cluster: ctest runs it as tst_connectdialog_postgres");
        QTemporaryDir dir;
        const QString address = test::newWorkspaceAddress(dir, QStringLiteral("desk.simfleet"));
        {
            auto made = simulation::DemoWorkspace::create(address, nullptr, { 10, 5, 5, false });
            QVERIFY2(made, qPrintable(made.errorMessage()));
        }
        const QUrl url(address);
        store::WorkspaceService workspaces([](const QString &path) { return simulation::DemoWorkspace::openOrCreate(path); });
        ui::MainWindow window(&workspaces, simulation::SimulatedField::opener());
        window.show();
        auto *action = window.findChild<QAction *>(QStringLiteral("connectAction"));
        QVERIFY(action);
        action->trigger();
        ui::ConnectDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<ui::ConnectDialog *>()) && dialog->isVisible());
        dialog->findChild<QComboBox *>(QStringLiteral("connectServer"))->setCurrentText(url.host());
        dialog->findChild<QSpinBox *>(QStringLiteral("connectPort"))->setValue(url.port());
        dialog->findChild<QLineEdit *>(QStringLiteral("connectDatabase"))->setText(url.path().mid(1));
        dialog->findChild<QLineEdit *>(QStringLiteral("connectUser"))->setText(QStringLiteral("operations"));
        // A wrong password: the server refuses, and simfleet says so.
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("connectPassword")), QStringLiteral("not it"));
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("connectButton")), Qt::LeftButton);
        QWidget *refused = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((refused = window.findChild<QWidget *>(QStringLiteral("openFailedMessage"))) != nullptr, 30000);
        QVERIFY(window.accessController()->session() == nullptr);
        refused->close();
        QTRY_VERIFY(!window.findChild<QWidget *>(QStringLiteral("openFailedMessage")));

        action->trigger();
        QTRY_VERIFY((dialog = window.findChild<ui::ConnectDialog *>()) && dialog->isVisible());
        // The fields come back from the last try, the password does not.
        QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("connectPassword"))->text(), QString());
        dialog->findChild<QComboBox *>(QStringLiteral("connectServer"))->setCurrentText(url.host());
        dialog->findChild<QSpinBox *>(QStringLiteral("connectPort"))->setValue(url.port());
        dialog->findChild<QLineEdit *>(QStringLiteral("connectDatabase"))->setText(url.path().mid(1));
        dialog->findChild<QLineEdit *>(QStringLiteral("connectUser"))->setText(QStringLiteral("operations"));
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("connectPassword")), QStringLiteral("demo"));
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("connectButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(window.accessController()->session() != nullptr, 30000);
        QCOMPARE(window.accessController()->session()->name(), QStringLiteral("operations"));
        QVERIFY(!window.loginDialog()); // the password was not asked twice
        // Another desktop enrolls a device: this one's Dashboard shows it without a reload.
        auto *headline = window.findChild<QLabel *>(QStringLiteral("dashboardHeadline"));
        QVERIFY(headline);
        QTRY_VERIFY_WITH_TIMEOUT(headline->text().contains(QStringLiteral("20 devices")), 30000);
        QString error;
        QVERIFY2(test::asSuperuser(url.path().mid(1),
                                   QStringLiteral("INSERT INTO device (eid, imei, serial, model, secure_element, label, fleet_id,"
                                                  " enrolled_at) SELECT '89049032000000000000000000000999', '356938035643809',"
                                                  " 'late-1', model, secure_element, 'Enrolled elsewhere', fleet_id, enrolled_at"
                                                  " FROM device ORDER BY id LIMIT 1"),
                                   &error),
                 qPrintable(error));
        QTRY_VERIFY2_WITH_TIMEOUT(headline->text().contains(QStringLiteral("21 devices")), qPrintable(headline->text()), 15000);

        const QStringList recent = QSettings().value(QStringLiteral("workspace/recent")).toStringList();
        QVERIFY(!recent.isEmpty());
        QCOMPARE(recent.first(), QStringLiteral("postgresql://operations@%1:%2%3").arg(url.host()).arg(url.port()).arg(url.path()));
        for (const QString &key : QSettings().allKeys())
            QVERIFY2(!QSettings().value(key).toString().contains(QStringLiteral("demo")) || key.contains(QStringLiteral("recent"))
                         || key.contains(QStringLiteral("last")),
                     qPrintable(key));
    }
};

QTEST_MAIN(TestConnectDialog)
#include "tst_connectdialog.moc"

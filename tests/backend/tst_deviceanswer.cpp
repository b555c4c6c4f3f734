#include "devices/answer.h"

#include <QElapsedTimer>
#include <QSemaphore>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace simfleet;
using devices::Answer;
using namespace std::chrono_literals;

// The asynchronous answer every device link returns (backend/devices/answer.h): settled once by
// the link, followed by a continuation or waited for, a silent device turned into a timeout.
class TestDeviceAnswer : public QObject
{
    Q_OBJECT

private slots:
    void readyAndSettledAnswers()
    {
        QCOMPARE(Answer<int>::ready(7).wait(0ms, QStringLiteral("E")).value(), 7);
        auto [answer, settle] = Answer<int>::pending();
        QVERIFY(!answer.isSettled());
        QVERIFY(settle(42));
        QVERIFY(!settle(43)); // only the first answer counts
        QCOMPARE(answer.wait(0ms, QStringLiteral("E")).value(), 42);
    }

    void aSilentDeviceTimesOutAndItsLateAnswerIsDropped()
    {
        auto [answer, settle] = Answer<QString>::pending();
        QElapsedTimer t;
        t.start();
        const auto r = answer.wait(50ms, QStringLiteral("8904"));
        QVERIFY(t.elapsed() >= 45);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Timeout);
        QCOMPARE(r.errorMessage(), QStringLiteral("device 8904 did not answer within 0.05 s"));
        QVERIFY(!settle(QStringLiteral("late")));
        QCOMPARE(answer.wait(1s, QStringLiteral("8904")).error().code, ErrorCode::Timeout);
    }

    void anAnswerFromAnotherThreadWakesTheWaiter()
    {
        auto [answer, settle] = Answer<int>::pending();
        std::unique_ptr<QThread> device(QThread::create([settle = settle] {
            QThread::msleep(30);
            settle(5);
        }));
        device->start();
        QCOMPARE(answer.wait(5s, QStringLiteral("E")).value(), 5);
        device->wait();
    }

    // A device in this process answers on the thread that collects the answer, once.
    void deferredAnswersAreComputedOnceByTheirCollector()
    {
        std::atomic<int> computed { 0 };
        Qt::HANDLE computedOn = nullptr;
        auto answer = Answer<int>::deferred([&] {
            ++computed;
            computedOn = QThread::currentThreadId();
            return Result<int>(9);
        });
        QCOMPARE(computed.load(), 0);
        QCOMPARE(answer.wait(0ms, QStringLiteral("E")).value(), 9);
        QCOMPARE(answer.wait(0ms, QStringLiteral("E")).value(), 9);
        QCOMPARE(computed.load(), 1);
        QCOMPARE(computedOn, QThread::currentThreadId());
    }

    // A continuation: no thread waits; it runs when the device answers...
    void continuationsRunWhenTheAnswerArrives()
    {
        auto [answer, settle] = Answer<int>::pending();
        int got = 0;
        answer.then(5s, QStringLiteral("E"), [&](const Result<int> &r) { got = r.value(); });
        QCOMPARE(got, 0);
        settle(3);
        QCOMPARE(got, 3);
        // ...or at once when it is there already.
        int again = 0;
        answer.then(5s, QStringLiteral("E"), [&](const Result<int> &r) { again = r.value(); });
        QCOMPARE(again, 3);
    }

    // ...or, for a device that never answers, with a timeout at the deadline, from the deadline
    // thread every link shares.
    void continuationsTimeOutWithoutAWaitingThread()
    {
        QSemaphore done;
        ErrorCode code = ErrorCode::None;
        {
            auto answer = Answer<void>::pending().first;
            answer.then(40ms, QStringLiteral("E"), [&](const Result<void> &r) {
                code = r.error().code;
                done.release();
            });
        } // nobody holds the answer but the continuation's deadline
        QVERIFY(done.tryAcquire(1, 5000));
        QCOMPARE(code, ErrorCode::Timeout);
    }

    // A timeout that counts from when the link handed the request over: an answer still within
    // its timeout of that instant is waited for, by wait() and by a continuation, through map()
    // too; one handed over long ago times out as any other.
    void timeoutsCountFromWhenTheDeviceGotTheRequest()
    {
        const auto handedOverJustNow = [] { return std::chrono::steady_clock::now(); };
        auto [answer, settle] = Answer<int>::pending();
        answer.countingFrom(handedOverJustNow);
        auto mapped = answer.map<int>([](int v) { return Result<int>(v * 2); });
        QSemaphore done;
        int continued = 0;
        mapped.then(20ms, QStringLiteral("E"), [&](const Result<int> &r) {
            continued = r ? r.value() : -1;
            done.release();
        });
        std::unique_ptr<QThread> device(QThread::create([settle = settle] {
            QThread::msleep(150); // well past 20 ms from the asking; never 20 ms past the hand-over
            settle(4);
        }));
        device->start();
        QCOMPARE(answer.wait(20ms, QStringLiteral("E")).value(), 4);
        QVERIFY(done.tryAcquire(1, 5000));
        QCOMPARE(continued, 8);
        device->wait();

        auto [stale, unused] = Answer<int>::pending();
        stale.countingFrom([] { return std::chrono::steady_clock::time_point::min(); }); // not handed over
        QCOMPARE(stale.wait(20ms, QStringLiteral("E")).error().code, ErrorCode::Timeout);
    }

    // An answer mapped to what its bytes mean: computed when the device answers, on the thread
    // that settles it or, for a device in this process, on the one that collects it; errors pass
    // through; a mapped answer of a silent device times out at its own deadline.
    void mappedAnswersFollowTheirSource()
    {
        const auto parse = [](const QString &text) -> Result<int> {
            bool ok = false;
            const int n = text.toInt(&ok);
            return ok ? Result<int>(n) : Result<int>(fail(QStringLiteral("not a number: %1").arg(text)));
        };
        auto [answer, settle] = Answer<QString>::pending();
        auto mapped = answer.map<int>(parse);
        QVERIFY(!mapped.isSettled());
        settle(QStringLiteral("41"));
        QCOMPARE(mapped.wait(0ms, QStringLiteral("E")).value(), 41);

        std::atomic<int> computed { 0 };
        Qt::HANDLE computedOn = nullptr;
        auto deferred = Answer<QString>::deferred([&] {
                            ++computed;
                            computedOn = QThread::currentThreadId();
                            return Result<QString>(QStringLiteral("x"));
                        }).map<int>(parse);
        QCOMPARE(computed.load(), 0);
        const auto refused = deferred.wait(0ms, QStringLiteral("E"));
        QCOMPARE(refused.errorMessage(), QStringLiteral("not a number: x"));
        QCOMPARE(computed.load(), 1);
        QCOMPARE(computedOn, QThread::currentThreadId());

        auto failed = Answer<QString>::ready(failWith(ErrorCode::NoSuchProfile, QStringLiteral("gone"))).map<int>(parse);
        QCOMPARE(failed.wait(0ms, QStringLiteral("E")).error().code, ErrorCode::NoSuchProfile);

        auto silent = Answer<QString>::pending().first.map<void>([](const QString &) { return Result<void>(); });
        QCOMPARE(silent.wait(30ms, QStringLiteral("E")).error().code, ErrorCode::Timeout);
    }

    // Deadlines come due in order, whatever order they were set in.
    void deadlinesFireInOrder()
    {
        QList<int> order;
        QMutex mutex;
        QSemaphore done;
        QList<Answer<int>> kept;
        for (int ms : { 90, 30, 60 }) {
            auto answer = Answer<int>::pending().first;
            kept.append(answer);
            answer.then(std::chrono::milliseconds(ms), QStringLiteral("E"), [&, ms](const Result<int> &) {
                {
                    QMutexLocker lock(&mutex);
                    order.append(ms);
                }
                done.release();
            });
        }
        QVERIFY(done.tryAcquire(3, 5000));
        QCOMPARE(order, (QList<int> { 30, 60, 90 }));
    }
};

QTEST_APPLESS_MAIN(TestDeviceAnswer)
#include "tst_deviceanswer.moc"

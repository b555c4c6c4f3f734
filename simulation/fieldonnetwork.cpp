#include "fieldonnetwork.h"

#include "ipa.h"
#include "simulatedfield.h"
#include "simulationlog.h"

#include "crypto/sha256.h"

#include <QThread>

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

namespace simfleet::simulation {

FieldOnNetwork::FieldOnNetwork(SimulatedField &field, FieldNetworkOptions options) : m_field(field), m_options(std::move(options)) { }

FieldNetworkCounts FieldOnNetwork::run(const std::atomic<bool> &stop)
{
    using Clock = std::chrono::steady_clock;
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double, std::milli>(double(m_options.poll.count()) / std::max(m_options.speed, 1e-6)));
    const QStringList eids = m_field.eids();
    FieldNetworkCounts counts;
    std::mutex countsMutex;
    const int threads = std::clamp(m_options.threads, 1, 256);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            // One HTTPS client per thread: Qt's network access lives on the thread that made it.
            EsipaHttpsTransport transport(m_options.eim, m_options.eimRoots, m_options.eimName, std::chrono::seconds(30));
            struct Scheduled
            {
                std::unique_ptr<Ipa> ipa;
                SimulatedDevice *device = nullptr;
                Clock::time_point due;
                bool done = false;
            };
            std::vector<Scheduled> mine;
            const Clock::time_point start = Clock::now();
            for (qsizetype i = t; i < eids.size(); i += threads) {
                SimulatedDevice *device = m_field.device(eids.at(i));
                Clock::duration away = Clock::duration::zero();
                if (device->spec().fault == Fault::Offline) {
                    {
                        std::lock_guard lock(countsMutex);
                        ++counts.offline;
                    }
                    if (!m_options.offlineFor)
                        continue;
                    away = std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double, std::milli>(double(m_options.offlineFor->count()) / std::max(m_options.speed, 1e-6)));
                }
                // Each device wakes at its own offset within the interval, the same every run.
                const QByteArray digest = crypto::sha256(eids.at(i).toLatin1());
                const quint32 spread = quint32(quint8(digest[0])) * 256 + quint8(digest[1]);
                const auto offset = m_options.once ? Clock::duration::zero() : interval * spread / 65536;
                mine.push_back({ std::make_unique<Ipa>(*device, std::ref(transport)), device, start + away + offset, false });
            }
            while (!stop.load()) {
                bool allDone = true;
                Clock::time_point next = Clock::now() + std::chrono::milliseconds(50);
                for (Scheduled &s : mine) {
                    if (stop.load())
                        break;
                    if (s.done)
                        continue;
                    allDone = false;
                    if (Clock::now() < s.due) {
                        next = std::min(next, s.due);
                        continue;
                    }
                    if (s.device->spec().fault == Fault::Slow)
                        QThread::msleep(ulong(std::chrono::duration_cast<std::chrono::milliseconds>(m_field.timing().slowLatency).count()));
                    auto checkIn = s.ipa->checkIn();
                    {
                        std::lock_guard lock(countsMutex);
                        ++counts.checkIns;
                        if (checkIn)
                            counts.packages += checkIn->packages;
                        else
                            ++counts.unreached;
                    }
                    if (!checkIn)
                        qCInfo(lcSimulation) << "device" << s.device->spec().eid << "did not reach its eIM:" << checkIn.errorMessage();
                    if (m_options.once && checkIn)
                        s.done = true;
                    s.due = Clock::now() + interval;
                }
                if (allDone && m_options.once)
                    break;
                const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
                if (wait.count() > 0)
                    QThread::msleep(ulong(std::min<qint64>(wait.count(), 50)));
            }
        });
    }
    for (std::thread &w : workers)
        w.join();
    return counts;
}

} // namespace simfleet::simulation

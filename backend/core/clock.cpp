#include "clock.h"

#include <QThread>

namespace simfleet {

void SystemClock::wait(qint64 milliseconds) const
{
    if (milliseconds > 0)
        QThread::msleep(static_cast<unsigned long>(milliseconds));
}

} // namespace simfleet

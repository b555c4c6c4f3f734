#include "clock.h"

#include <QThread>

#include <chrono>
#include <cstdio>

namespace simfleet {

void SystemClock::wait(qint64 milliseconds) const
{
    if (milliseconds > 0)
        QThread::msleep(static_cast<unsigned long>(milliseconds));
}

} // namespace simfleet

namespace simfleet {

QString storedTime(const QDateTime &t)
{
    if (!t.isValid())
        return {};
    const qint64 ms = t.toMSecsSinceEpoch();
    using namespace std::chrono;
    const sys_time<milliseconds> at { milliseconds(ms) };
    const sys_days day = floor<days>(at);
    const year_month_day ymd(day);
    const int year = int(ymd.year());
    if (year < 0 || year > 9999) // outside what four digits say: let Qt write it
        return t.toUTC().toString(Qt::ISODateWithMs);
    const hh_mm_ss<milliseconds> time(at - day);
    char text[32];
    const int n = std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year, unsigned(ymd.month()),
                                unsigned(ymd.day()), int(time.hours().count()), int(time.minutes().count()),
                                int(time.seconds().count()), int(time.subseconds().count()));
    return QString::fromLatin1(text, n);
}

} // namespace simfleet

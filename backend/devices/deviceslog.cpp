#include "deviceslog.h"

Q_LOGGING_CATEGORY(lcDevices, "simfleet.devices", QtInfoMsg)

#include "fleetlog.h"

Q_LOGGING_CATEGORY(lcFleet, "simfleet.fleet", QtInfoMsg)

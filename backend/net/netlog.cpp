#include "netlog.h"

Q_LOGGING_CATEGORY(lcNet, "simfleet.net", QtInfoMsg)

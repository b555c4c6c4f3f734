#include "eimlog.h"

Q_LOGGING_CATEGORY(lcEim, "simfleet.eim", QtInfoMsg)

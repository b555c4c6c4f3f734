#include "storelog.h"

Q_LOGGING_CATEGORY(lcStore, "simfleet.store", QtInfoMsg)

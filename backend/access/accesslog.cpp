#include "accesslog.h"

Q_LOGGING_CATEGORY(lcAccess, "simfleet.access")

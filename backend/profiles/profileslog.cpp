#include "profileslog.h"

Q_LOGGING_CATEGORY(lcProfiles, "simfleet.profiles", QtInfoMsg)

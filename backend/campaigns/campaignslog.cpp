#include "campaignslog.h"

Q_LOGGING_CATEGORY(lcCampaigns, "simfleet.campaigns")

#include "simulationlog.h"

Q_LOGGING_CATEGORY(lcSimulation, "simfleet.simulation", QtInfoMsg)

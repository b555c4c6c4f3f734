#include "attestationlog.h"

Q_LOGGING_CATEGORY(lcAttestation, "simfleet.attestation", QtInfoMsg)

#!/usr/bin/env bash
# Builds simfleet_VERSION_amd64.deb from a clean tree into build/package/.
set -euo pipefail
cd "$(dirname "$0")/.."
./installer/install-deps.sh
cmake -S . -B build/package -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIMFLEET_BUILD_TESTS=OFF
cmake --build build/package
(cd build/package && cpack -G DEB)
ls build/package/simfleet_*_amd64.deb

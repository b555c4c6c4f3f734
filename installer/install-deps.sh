#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and running simfleet needs.
# Idempotent: when everything is present it changes nothing and prints one line.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # Qt 6: Core/Gui/Widgets/Sql/Concurrent/Test, Charts, the SQLite driver, SVG icons,
  # the offscreen and xcb platform plugins, moc/rcc/uic
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libqt6sql6-sqlite
  # shared workspaces on PostgreSQL: Qt's driver, and the server the tests start a throw-away
  # cluster of (tests/tools/postgres_cluster.sh)
  libqt6sql6-psql postgresql libpq-dev
  libqt6svg6 qt6-qpa-plugins libqt6opengl6-dev libgl-dev libxkbcommon-dev
  # Qt HTTP Server: ES9+ over HTTPS (backend/net); Debian 12's qt6-httpserver-dev does not pull
  # in the WebSockets CMake package its own CMake package needs
  qt6-httpserver-dev qt6-websockets-dev
  # cryptography
  libssl-dev openssl
  # tcmalloc, the programs' allocator (CMakeLists.txt, SIMFLEET_TCMALLOC)
  libgoogle-perftools-dev
  # the bare-SQLite reference in tests/bench; python3 for the independent token check
  libsqlite3-dev python3
  # asn1c: an independent ASN.1 compiler decodes the profile packages simfleet writes
  asn1c
  # the libFuzzer targets
  clang libclang-rt-14-dev
  # the Debian package and its checks
  dpkg-dev appstream desktop-file-utils gzip
  # GUI tests and screenshots under a virtual display
  xvfb xauth
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "simfleet: all build and test dependencies are installed."
  exit 0
fi

echo "simfleet: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "simfleet: these packages are missing and you are not root: ${missing[*]}" >&2
    echo "simfleet: install them as root (apt-get install ${missing[*]}) and run again." >&2
    exit 1
  fi
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

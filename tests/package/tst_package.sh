#!/usr/bin/env bash
# Builds the Debian package from this build tree, unpacks it into a throw-away root (dpkg-deb -x,
# which touches nothing of the machine's own), and runs what an IT department would check: the
# metadata validates, Depends was computed from the libraries, the CLI runs from the installed
# files and creates a demo workspace, and the GUI starts offscreen.
# Usage: tst_package.sh BUILD_DIR
set -euo pipefail
build="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/out" >/dev/null) || fail "cpack could not build the package"
deb="$(ls "$work"/out/simfleet_*_amd64.deb)" || fail "no simfleet_VERSION_amd64.deb was produced"
echo "package: $(basename "$deb")"

depends="$(dpkg-deb -f "$deb" Depends)"
for lib in libqt6core6 libqt6widgets6 libssl3 libqt6sql6-sqlite libtcmalloc-minimal4; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done

root="$work/root"
dpkg-deb -x "$deb" "$root"
for f in usr/bin/simfleet usr/bin/simfleet-cli usr/bin/simfleet-field usr/share/applications/org.simfleet.Simfleet.desktop \
         usr/share/metainfo/org.simfleet.Simfleet.metainfo.xml \
         usr/share/icons/hicolor/scalable/apps/org.simfleet.Simfleet.svg \
         usr/share/man/man1/simfleet-cli.1.gz usr/share/doc/simfleet/copyright; do
  [ -e "$root/$f" ] || fail "the package lacks /$f"
done
appstreamcli validate --no-net "$root/usr/share/metainfo/org.simfleet.Simfleet.metainfo.xml" >/dev/null \
  || fail "the AppStream metadata does not validate"
desktop-file-validate "$root/usr/share/applications/org.simfleet.Simfleet.desktop" || fail "the desktop file does not validate"
zcat "$root/usr/share/man/man1/simfleet-cli.1.gz" | grep -q "^.SH EXIT STATUS" || fail "the man page is incomplete"

cli="$root/usr/bin/simfleet-cli"
"$cli" --version | grep -q "^simfleet-cli " || fail "simfleet-cli --version"
"$cli" -w "$work/demo.simfleet" init --demo | grep -q "3400 simulated devices" || fail "simfleet-cli init --demo"
"$cli" -w "$work/demo.simfleet" audit verify | grep -q '"intact":true' || fail "audit verify on the new workspace"

# The GUI is started and must still be running (not crashed) when it is stopped after 5 s.
set +e
HOME="$work/home" QT_QPA_PLATFORM=offscreen timeout 5 "$root/usr/bin/simfleet" --demo >"$work/gui.log" 2>&1
status=$?
set -e
[ "$status" -eq 124 ] || { cat "$work/gui.log" >&2; fail "the GUI exited with $status instead of running"; }
[ -f "$work/home/.local/share/simfleet/simfleet/demo.simfleet" ] || fail "the GUI did not create its demo workspace"
echo "PASS: package installs into a throw-away root, CLI and GUI run from it"

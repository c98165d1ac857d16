#!/usr/bin/env bash
# Build dist/SupportTray-<version>-x64.msi with wixl (Debian: apt-get install wixl msitools).
#
#   packaging/windows/build-msi.sh [PAYLOAD]
#
# PAYLOAD is the PyInstaller one-folder build for Windows (dist/SupportTray from
# `pyinstaller packaging/supporttray.spec` on Windows: SupportTray.exe and _internal/).
# Without it, a placeholder folder of the same shape stands in, which proves the installer
# source (SupportTray.wxs) is valid and shows its tables; CI builds that. Prints the path last.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=$PWD
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' supporttray/__init__.py)
work=$here/build/msi
msi=$here/dist/SupportTray-$version-x64.msi
rm -rf "$work"; mkdir -p "$work" "$here/dist"
if [ $# -ge 1 ]; then
    cp -a "$1" "$work/payload"
else
    mkdir -p "$work/payload/_internal"
    printf 'placeholder for the PyInstaller build of SupportTray.exe\n' > "$work/payload/SupportTray.exe"
    printf 'placeholder\n' > "$work/payload/_internal/base_library.zip"
fi
[ -f "$work/payload/SupportTray.exe" ] || { echo "no SupportTray.exe in the payload" >&2; exit 1; }
cd "$work"
# Every file of the folder as a component of the group "Payload" under INSTALLDIR.
find payload -type f | sort | wixl-heat --prefix payload/ --directory-ref INSTALLDIR \
    --component-group Payload --var var.Payload --win64 > payload.wxs
wixl -a x64 -D Version="$version" -D Win64=yes -D Payload=payload \
    "$here/packaging/windows/SupportTray.wxs" payload.wxs -o "$msi"
# So that a per-machine install elevated for a user still receives IT's properties (WiX's
# Secure="yes", which wixl does not know).
msibuild "$msi" -q "UPDATE \`Property\` SET \`Value\` = 'WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;SERVER;DOMAIN;STAFF;MODE;AUTOSTART' WHERE \`Property\` = 'SecureCustomProperties'"
# What the installer writes, checked: a property for each policy key, the upgrade rule.
registry=$(msiinfo export "$msi" Registry)
for key in server.host server.domain support.staff support.mode app.autostart; do
    grep -q "Software\\\\Policies\\\\SupportTray\\\\Enforced	$key	\[" <<<"$registry" \
        || { echo "the MSI does not write $key" >&2; exit 1; }
done
grep -q WIX_UPGRADE_DETECTED <<<"$(msiinfo export "$msi" Upgrade)" \
    || { echo "the MSI has no major-upgrade rule" >&2; exit 1; }
echo "$msi"

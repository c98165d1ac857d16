#!/usr/bin/env bash
# Build dist/SupportTray-<version>.pkg on a Mac (documented; CI does not run it: it needs
# macOS, Xcode's command line tools and, to ship, a Developer ID).
#
#   python3 -m venv build/macos-venv && build/macos-venv/bin/pip install . pyinstaller
#   build/macos-venv/bin/pyinstaller --noconfirm packaging/pyinstaller/supporttray.spec
#   packaging/macos/build-pkg.sh [--sign "Developer ID Installer: Example (TEAMID)"]
#
# The .pkg puts SupportTray.app in /Applications (a per-machine install, silent with
# `sudo installer -pkg SupportTray.pkg -target /`). The policy comes from a configuration
# profile (SupportTray.mobileconfig), or from /Library/Application Support/SupportTray/policy.toml.
# Sign the .app before packaging (codesign --deep --options runtime) and notarise the .pkg
# (xcrun notarytool submit --wait, then xcrun stapler staple) for Gatekeeper.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' supporttray/__init__.py)
app=dist/SupportTray.app
[ -d "$app" ] || { echo "build $app first with PyInstaller (see the top of this script)" >&2; exit 1; }
sign=()
if [ "${1:-}" = --sign ]; then sign=(--sign "$2"); fi
work=build/macos-pkg
rm -rf "$work"; mkdir -p "$work/root/Applications"
cp -R "$app" "$work/root/Applications/"
# The component package: the app, relocation off (an older copy elsewhere must not take
# the update: IT wants it in /Applications, always).
pkgbuild --analyze --root "$work/root" "$work/components.plist"
plutil -replace 0.BundleIsRelocatable -bool NO "$work/components.plist"
pkgbuild --root "$work/root" --component-plist "$work/components.plist" \
    --identifier com.supporttray.SupportTray --version "$version" --install-location / \
    "$work/SupportTray-component.pkg"
# The product archive MDMs and `installer` take.
productbuild --package "$work/SupportTray-component.pkg" --identifier com.supporttray.SupportTray \
    --version "$version" "${sign[@]}" "dist/SupportTray-$version.pkg"
echo "dist/SupportTray-$version.pkg"

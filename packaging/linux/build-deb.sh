#!/usr/bin/env bash
# Build dist/supporttray_<version>-<revision>_<arch>.deb from this checkout; prints its path last.
#
# The package carries its own Python environment in /opt/supporttray/venv, built on Debian's
# python3.11 (packaging/README.md says why not the PyInstaller bundle). Needs: python3.11 with
# venv, dpkg-deb, strip (binutils), network access to PyPI (or a pip mirror). Runs as any user (no fakeroot:
# dpkg-deb --root-owner-group makes every file root's).
#   SUPPORTTRAY_DEB_REVISION   Debian revision (default 1)
#   SUPPORTTRAY_DEB_PYTHON     interpreter the environment is built on (default /usr/bin/python3.11)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=$PWD
python=${SUPPORTTRAY_DEB_PYTHON:-/usr/bin/python3.11}
revision=${SUPPORTTRAY_DEB_REVISION:-1}
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' supporttray/__init__.py)
arch=$(dpkg --print-architecture)
pyver=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
prefix=/opt/supporttray
work=$here/build/deb
stage=$work/supporttray_${version}-${revision}_${arch}
deb=$here/dist/supporttray_${version}-${revision}_${arch}.deb
umask 022
rm -rf "$work"; mkdir -p "$stage/DEBIAN" "$here/dist"

# -- the app's Python environment ----------------------------------------------------------
venv=$stage$prefix/venv
"$python" -m venv "$venv"
# --no-compile: postinst compiles in place, so the byte-code names /opt, not this stage.
"$venv/bin/python" -m pip install -q --no-compile --disable-pip-version-check "$here"
"$venv/bin/python" -m pip uninstall -q -y pip setuptools >/dev/null 2>&1 || true
rm -f "$venv"/bin/activate* "$venv"/bin/Activate.ps1 "$venv"/bin/pip*
find "$venv" -name direct_url.json -delete   # it names this checkout's path
find "$venv" -type d -name __pycache__ -prune -exec rm -rf {} +
packaging/linux/prune-qt.sh "$venv/lib/python$pyver/site-packages/PySide6"
rm -f "$venv"/bin/pyside6-* "$venv"/bin/keyring "$venv"/bin/cffi-gen-src
# Wheels ship some libraries with their symbols; Debian wants them stripped (binutils).
find "$venv" -type f \( -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded {} +
# Modes as Debian wants them: libraries are not programs, and only programs are executable.
find "$venv" -type f \( -name '*.so' -o -name '*.so.*' \) -exec chmod 0644 {} +
find "$venv/lib" -type f -perm /111 ! -name '*.so' ! -name '*.so.*' -print0 \
    | while IFS= read -r -d '' file; do
        case "$(head -c 4 "$file" | od -An -c | tr -d ' ')" in
            177ELF|\#!*) ;;
            *) chmod a-x "$file" ;;
        esac
    done
# The environment was made in the stage; it runs from /opt.
grep -rlI --null "$stage" "$venv/bin" "$venv/pyvenv.cfg" | xargs -0 -r sed -i "s|$stage||g"

# -- desktop integration -------------------------------------------------------------------
install -D -m 0644 packaging/linux/supporttray.desktop "$stage/usr/share/applications/supporttray.desktop"
install -D -m 0644 packaging/linux/com.supporttray.SupportTray.metainfo.xml \
    "$stage/usr/share/metainfo/com.supporttray.SupportTray.metainfo.xml"
if command -v appstreamcli >/dev/null 2>&1; then  # scripts/package-check installs it
    appstreamcli validate --no-net packaging/linux/com.supporttray.SupportTray.metainfo.xml >/dev/null
fi
icons=$stage/usr/share/icons/hicolor
install -D -m 0644 resources/icons/supporttray.svg "$icons/scalable/apps/supporttray.svg"
# Bitmaps for desktops and menus that do not draw SVG, drawn by the Qt the package ships.
QT_QPA_PLATFORM=offscreen "$venv/bin/python" - "$icons" resources/icons/supporttray.svg <<'PY'
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

app = QGuiApplication([])
renderer = QSvgRenderer(sys.argv[2])
for size in (16, 22, 24, 32, 48, 64, 128, 256):
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    target = Path(sys.argv[1]) / f"{size}x{size}" / "apps" / "supporttray.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(target)), target
PY
mkdir -p "$stage/usr/bin"
ln -s "$prefix/venv/bin/supporttray" "$stage/usr/bin/supporttray"

# -- documentation -------------------------------------------------------------------------
doc=$stage/usr/share/doc/supporttray
install -D -m 0644 packaging/linux/debian/copyright "$doc/copyright"
install -D -m 0644 packaging/linux/example-policy.toml "$doc/examples/policy.toml"
install -D -m 0644 packaging/linux/supporttray-autostart.desktop \
    "$doc/examples/supporttray-autostart.desktop"
install -D -m 0644 packaging/linux/debian/lintian-overrides \
    "$stage/usr/share/lintian/overrides/supporttray"
printf '%s\n' \
    "supporttray ($version-$revision) unstable; urgency=medium" "" \
    "  * Built from the SupportTray source (packaging/linux/build-deb.sh)." "" \
    " -- SupportTray developers <supporttray@example.org>  $(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" \
    | gzip -9n > "$doc/changelog.Debian.gz"
install -d "$stage/usr/share/man/man1"
sed "s/@VERSION@/$version/" packaging/linux/supporttray.1 | gzip -9n > "$stage/usr/share/man/man1/supporttray.1.gz"

# -- package metadata ----------------------------------------------------------------------
for script in postinst prerm postrm; do
    install -m 0755 "packaging/linux/debian/$script" "$stage/DEBIAN/$script"
done
# What Qt's xcb platform, OpenGL and D-Bus need of the system; the rest is in the environment.
depends="python$pyver, libc6, libglib2.0-0, libfontconfig1, libfreetype6, libgl1, libegl1,
 libxkbcommon0, libxkbcommon-x11-0, libx11-xcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0,
 libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xkb1, libdbus-1-3"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: supporttray
Version: $version-$revision
Architecture: $arch
Maintainer: SupportTray developers <supporttray@example.org>
Installed-Size: $size
Depends: $(echo $depends)
Recommends: gnome-keyring | kwalletmanager, desktop-file-utils, hicolor-icon-theme
Suggests: prosody
Section: net
Priority: optional
Description: IT support one click away, from the system tray
 SupportTray puts IT support in the system tray: it shows whether support
 is available and sends a question, with the computer's system information
 the user has seen, to the right person over standard XMPP. Staff run the
 same application in staff mode with a shared queue of requests.
 .
 IT presets and locks the server, the support roster and what may be sent
 with a machine policy in /etc/supporttray/policy.toml (an example is in
 /usr/share/doc/supporttray/examples).
CONTROL
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z \
    | xargs -0 md5sum > DEBIAN/md5sums)
# xz at level 1: an eighth of the time of the default for a few percent more size (CI builds it).
dpkg-deb --root-owner-group -Zxz -z1 --build "$stage" "$deb" >/dev/null
echo "$deb"

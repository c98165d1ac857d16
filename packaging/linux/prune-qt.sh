#!/usr/bin/env bash
# Remove from an installed PySide6 (the .deb's environment) what SupportTray never loads:
# Qt's developer tools, QML and Quick, Designer and Help, the Wayland compositor, type stubs,
# and the JPEG and TIFF image readers (branding.icon is SVG or PNG; Debian wants those codecs
# from the system). About a third of PySide6's size. Fails if a library that stays needs one
# that went.
set -euo pipefail
pyside=${1:?usage: prune-qt.sh SITE-PACKAGES/PySide6}
cd "$pyside"
before=$(ls Qt/lib)
# Developer tools: every program at the top of the package (assistant, designer, uic, qmlls...).
find . -maxdepth 1 -type f -perm /111 ! -name '*.so' ! -name '*.so.*' -delete
rm -rf scripts include typesystems glue doc Qt/qml Qt/metatypes Qt/libexec \
    Qt/plugins/designer Qt/plugins/qmllint Qt/plugins/qmltooling \
    Qt/plugins/wayland-graphics-integration-server Qt/plugins/vectorimageformats \
    Qt/plugins/imageformats/libqjpeg.so Qt/plugins/imageformats/libqtiff.so
rm -f ./*.pyi Qt/lib/libQt6Designer* Qt/lib/libQt6Help* Qt/lib/libQt6UiTools* \
    Qt/lib/libQt6Quick* Qt/lib/libQt6Qml* Qt/lib/libQt6LabsStyleKit* \
    Qt/lib/libQt6WaylandCompositor* Qt/lib/libQt6WaylandEglCompositor* Qt/lib/libQt6Labs* \
    Qt/lib/libQt6Lottie* Qt/lib/libQt6VirtualKeyboard* \
    Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so \
    QtQml.* QtQuick.* QtQuickControls2.* QtQuickWidgets.* QtQuickTest.* QtDesigner.* \
    QtHelp.* QtUiTools.* libpyside6qml.* \
    Qt/translations/assistant_* Qt/translations/designer_* Qt/translations/linguist_* \
    Qt/translations/qt_help_* Qt/translations/qtdeclarative_*
removed=$(comm -23 <(echo "$before") <(ls Qt/lib) | sed 's/\./\\./g' | paste -sd'|')
missing=$(find . -type f \( -name '*.so' -o -name '*.so.*' \) -print0 \
    | xargs -0 ldd 2>/dev/null | grep -E "^\s*($removed) => not found" | sort -u || true)
if [ -n "$missing" ]; then
    echo "prune-qt.sh: a remaining library needs a removed one:" >&2
    echo "$missing" >&2
    exit 1
fi

#!/usr/bin/env bash
# Pack the Linux bundle into a .deb: /opt/omsdesktop (the bundle), the menu entry with
# «Открыть с помощью» for images and PDFs, the icon, and /usr/bin/omsdesktop for the terminal.
#   packaging/linux/build_deb.sh BUNDLE_DIR VERSION OUT_DIR
# Needs dpkg-deb (dpkg-dev) and fakeroot (files owned by root inside the package).
set -euo pipefail
BUNDLE="$(cd "$1" && pwd)"
VERSION="$2"
OUT="$(mkdir -p "$3" && cd "$3" && pwd)"
HERE="$(cd "$(dirname "$0")" && pwd)"
ICONS="$HERE/../../omsdesktop/resources/icons"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/icons/hicolor/256x256/apps"
cp -a "$BUNDLE" "$STAGE/opt/omsdesktop"
ln -sf /opt/omsdesktop/omsdesktop "$STAGE/usr/bin/omsdesktop"
ln -sf /opt/omsdesktop/omsdesktop-app "$STAGE/usr/bin/omsdesktop-app"
install -m 644 "$HERE/omsdesktop.desktop" "$STAGE/usr/share/applications/omsdesktop.desktop"
install -m 644 "$ICONS/omsdesktop.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/"
install -m 644 "$ICONS/omsdesktop.png" "$STAGE/usr/share/icons/hicolor/256x256/apps/"
SIZE="$(du -sk "$STAGE" | cut -f1)"
sed -e "s/@VERSION@/$VERSION/" -e "s/@SIZE@/$SIZE/" "$HERE/control.in" >"$STAGE/DEBIAN/control"
# Menus, icons and the «Открыть с помощью» list pick the new entry up at once.
cat >"$STAGE/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
exit 0
SH
cp "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"
chmod 755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"
DEB="$OUT/omsdesktop_${VERSION}_amd64.deb"
# gzip, not xz: every dpkg reads it (zstd needs dpkg >= 1.21.18, not in Debian 11 or Mint 20),
# and xz took minutes of CI time on 600 MB of libraries for a smaller download.
fakeroot dpkg-deb --build -Zgzip -z6 "$STAGE" "$DEB" >/dev/null
dpkg-deb --info "$DEB" >/dev/null
du -h "$DEB"

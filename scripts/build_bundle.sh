#!/usr/bin/env bash
# Build and check what parents install, on Debian/Ubuntu (x86-64), from nothing:
#   1. the wheel (dist/omsdesktop-VERSION-py3-none-any.whl), with the translations compiled in;
#      installed into a fresh virtualenv with `--only-binary :all:` (no compiler anywhere) and
#      checked there: `omsdesktop --version` and `extract --json` on generated documents;
#   2. the self-contained bundle (dist/omsdesktop/, PyInstaller one-folder) from that
#      virtualenv, with the tesseract program and its Russian/English models inside;
#   3. the bundle smoke-tested from another folder in a minimal environment
#      (scripts/smoke_bundle.sh);
#   4. the .deb (dist/omsdesktop_VERSION_amd64.deb: /opt/omsdesktop, menu entry, icon).
# Usage: scripts/build_bundle.sh [--no-deb]
# Needs: python3 with venv, the package registries (PyPI, apt). Installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
DEB=1
[ "${1:-}" = "--no-deb" ] && DEB=0

BUILD="$ROOT/build/bundle"
DIST="$ROOT/dist"
PYTHON="${PYTHON:-python3}"
t0=$(date +%s)
step() { printf '== %s (%ss)\n' "$1" "$(($(date +%s) - t0))"; }

# The programs bundled (tesseract + models) and the tools used here.
want=(tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng tesseract-ocr-osd dpkg-dev fakeroot)
missing=()
for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
"$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  step "apt: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" != 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

VERSION="$("$PYTHON" -c 'import re,sys; print(re.search(r"__version__ = \"(.+?)\"", open("omsdesktop/__init__.py").read()).group(1))')"
WHEEL="$DIST/omsdesktop-$VERSION-py3-none-any.whl"
rm -rf "$BUILD" "$DIST/omsdesktop" "$WHEEL" build/lib build/bdist.*
mkdir -p "$BUILD" "$DIST"

step "wheel"
"$PYTHON" -m venv "$BUILD/tools"
"$BUILD/tools/bin/python" -m pip install -q --upgrade pip build
"$BUILD/tools/bin/python" -m build --wheel --outdir "$DIST" . >"$BUILD/wheel.log" 2>&1 \
  || { tail -30 "$BUILD/wheel.log"; exit 1; }
listing="$("$BUILD/tools/bin/python" -m zipfile -l "$WHEEL")"
for f in omsdesktop/resources/i18n/omsdesktop_en.qm omsdesktop/resources/insurers.csv \
         omsdesktop/resources/icons/omsdesktop.svg; do
  grep -q "$f" <<<"$listing" || { echo "build_bundle: $f is not in the wheel" >&2; exit 1; }
done
if grep -Eq '(^| )tests/|\.ts( |$)' <<<"$listing"; then
  echo "build_bundle: the wheel carries test material or .ts sources" >&2
  exit 1
fi
du -h "$WHEEL"

step "fresh virtualenv from the wheel, binaries only"
"$PYTHON" -m venv "$BUILD/venv"
VPY="$BUILD/venv/bin/python"
"$VPY" -m pip install -q --upgrade pip
"$VPY" -m pip install -q --only-binary :all: "$WHEEL" pyinstaller

step "the wheel's omsdesktop"
DOCS="$BUILD/documents"
# The documents come from the test generator (tests/docgen), run with the development
# virtualenv when there is one (it has the fonts' Python side and OpenCV), else this one.
GEN="$ROOT/.venv/bin/python"
[ -x "$GEN" ] || GEN="$VPY"
(cd "$ROOT" && "$GEN" -m tests.packaging.make_documents "$DOCS" >/dev/null)
"$BUILD/venv/bin/omsdesktop" --version
(cd "$BUILD" && env -u PYTHONPATH OMSDESKTOP_HOME="$BUILD/home-wheel" \
  "$BUILD/venv/bin/omsdesktop" extract --json "$DOCS/certificate.png" "$DOCS/policy.png") \
  | (cd "$ROOT" && "$GEN" -m tests.packaging.check_extract "$DOCS/expected.json" \
       certificate.png policy.png)

step "PyInstaller"
(cd "$BUILD" && "$BUILD/venv/bin/pyinstaller" --noconfirm --log-level WARN \
  --distpath "$DIST" --workpath "$BUILD/work" "$ROOT/packaging/omsdesktop.spec")
ln -sf omsdesktop "$DIST/omsdesktop/omsdesktop-app"
du -sh "$DIST/omsdesktop"

step "smoke test of the bundle"
scripts/smoke_bundle.sh "$DIST/omsdesktop" "$DOCS"

if [ "$DEB" = 1 ]; then
  step ".deb"
  packaging/linux/build_deb.sh "$DIST/omsdesktop" "$VERSION" "$DIST"
  # The package's contents, unpacked (not installed: this may be a shared machine).
  DEBFILE="$DIST/omsdesktop_${VERSION}_amd64.deb"
  rm -rf "$BUILD/deb-root" && dpkg-deb -x "$DEBFILE" "$BUILD/deb-root"
  for f in opt/omsdesktop/omsdesktop opt/omsdesktop/omsdesktop-app usr/bin/omsdesktop-app \
           usr/share/applications/omsdesktop.desktop \
           usr/share/icons/hicolor/scalable/apps/omsdesktop.svg; do
    [ -e "$BUILD/deb-root/$f" ] || [ -L "$BUILD/deb-root/$f" ] \
      || { echo "build_bundle: $f is not in the .deb" >&2; exit 1; }
  done
  if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$BUILD/deb-root/usr/share/applications/omsdesktop.desktop"
  fi
  env -i PATH=/usr/bin:/bin HOME="$BUILD" "$BUILD/deb-root/opt/omsdesktop/omsdesktop" --version
fi
step "done"

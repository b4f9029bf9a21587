#!/usr/bin/env bash
# Smoke-test a built bundle the way a parent's machine would run it: copied to another folder,
# started with a minimal environment (env -i: no PYTHONPATH, no TESSDATA_PREFIX, an empty HOME).
#   scripts/smoke_bundle.sh BUNDLE_DIR DOCS_DIR
# DOCS_DIR comes from `python -m tests.packaging.make_documents DOCS_DIR`. Checks:
#   * --version;
#   * --self-test: the OCR engine reads Russian+English with the bundle's own tesseract and
#     models, PDFs render, the per-user folders and the draft database work;
#   * extract --json on a certificate (PNG) and a policy (PNG and PDF): right kind and fields,
#     once with PATH=/usr/bin:/bin and once with a PATH holding no tesseract or Poppler at all;
#   * the window: omsdesktop-app --smoke on the offscreen platform, with a file to open.
set -euo pipefail
BUNDLE="$(cd "$1" && pwd)"
DOCS="$(cd "$2" && pwd)"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CHECK_PY="$ROOT/.venv/bin/python"
[ -x "$CHECK_PY" ] || CHECK_PY=python3
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cp -a "$BUNDLE" "$TMP/elsewhere"
APP="$TMP/elsewhere"
mkdir -p "$TMP/home" "$TMP/empty-bin"
run() {  # run PATH-VALUE PROGRAM ARGS...: the bundle's program in a minimal environment
  local path="$1"; shift
  (cd "$TMP" && env -i PATH="$path" HOME="$TMP/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
    "$@")
}
check() { (cd "$ROOT" && "$CHECK_PY" -m tests.packaging.check_extract "$DOCS/expected.json" "$@"); }

echo "-- --version"
run /usr/bin:/bin "$APP/omsdesktop" --version

echo "-- --self-test"
run /usr/bin:/bin "$APP/omsdesktop-app" --self-test | tee "$TMP/self-test.json"
"$CHECK_PY" - "$TMP/self-test.json" "$APP" <<'PY'
import json, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
app = sys.argv[2]
ocr = report["ocr"]
assert report["ok"], report
assert report["frozen"], "not running from the bundle"
assert ocr["bundled"] and ocr["tesseract"].startswith(app) and ocr["program"] == "ok", ocr
assert {"rus", "eng"} <= set(ocr["languages"]), ocr
assert report["store"]["ok"] and report["folders"]["data"].startswith(sys.argv[1].rsplit("/", 1)[0]), report
print("self-test: bundled tesseract, rus+eng, PDF, folders and database OK")
PY

echo "-- extract, PATH=/usr/bin:/bin"
run /usr/bin:/bin "$APP/omsdesktop" extract --json \
  "$DOCS/certificate.png" "$DOCS/policy.png" "$DOCS/policy.pdf" | check
echo "-- extract, no tesseract and no Poppler on PATH"
run "$TMP/empty-bin" "$APP/omsdesktop" extract --json "$DOCS/policy.pdf" | check policy.pdf

echo "-- the window (offscreen), opening a file"
run /usr/bin:/bin "$APP/omsdesktop-app" --smoke "$DOCS/certificate.png" | tee "$TMP/smoke.txt"
grep -q "документ прочитан: birth_certificate" "$TMP/smoke.txt"
echo "smoke_bundle: OK"

"""Composition root: builds the services and hands them to the window.

The only place that decides which concrete engine, store and portal client the app uses.
No globals, no singletons: everything the window needs is passed in.

``omsdesktop-app [ФАЙЛ ...]`` is the window's own entry point (the desktop menu, «Открыть с
помощью», the bundle): files given are loaded into the document slots once the window is ready.
``--smoke`` and ``--self-test`` check an installation (CI runs them on the bundle):

* ``--smoke``: opens the window (offscreen works), waits until it is shown, its start-up imports
  are done and the draft database is open (per-user data folder, data key from the OS keyring
  or the key file), loads the files given and waits for them to be read, then closes it.
* ``--self-test``: no window; one JSON object about the OCR engine and its models, PDF
  rendering, the per-user folders, the keyring and the scanner drivers. Exit 0 when the program
  can read documents here.

The window's side of the smoke run and of the file arguments is in ``ui/application.py`` (this
module imports no Qt).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omsdesktop import __version__

SMOKE_TIMEOUT_S = 180.0  # start-up imports, the database, and reading each file given


def has_display() -> bool:
    """Whether a window can be shown here (X11/Wayland on Linux; always on Windows/macOS)."""
    if sys.platform in ("win32", "darwin"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def icon_path() -> Path:
    """The program's icon (PNG; the SVG next to it is for the Linux desktop)."""
    from importlib import resources

    return Path(str(resources.files("omsdesktop") / "resources" / "icons" / "omsdesktop.png"))


def run_gui(
    parser: argparse.ArgumentParser, files: Sequence[str] = (), *, smoke: bool = False
) -> int:
    if not has_display():
        sys.stdout.write(
            "Нет графического экрана (переменные DISPLAY/WAYLAND_DISPLAY не заданы), поэтому "
            "окно программы открыть нельзя. Доступны команды для работы из терминала:\n\n"
        )
        parser.print_help()
        return 1 if smoke else 0
    from omsdesktop.settings import load_settings
    from omsdesktop.ui.application import run_application
    from omsdesktop.ui.services import Services

    # The defaults of Services are the real parts: Store.open (SQLite in the user's data folder
    # or the configured database), the Tesseract engine, the HTTPS portal client with its token
    # from the keyring. Tests and scripts build their own Services.
    return run_application(
        Services(settings=load_settings()),
        files=[str(Path(f).resolve()) for f in files],
        smoke=smoke,
        icon=icon_path(),
        smoke_timeout_s=SMOKE_TIMEOUT_S,
    )


# --------------------------------------------------------------------------------- self-test


def self_test() -> dict[str, Any]:
    """What this installation can do, checked without a window (see the module docstring)."""
    report: dict[str, Any] = {
        "version": __version__,
        "frozen": bool(getattr(sys, "frozen", False)),
        "platform": sys.platform,
        "executable": sys.executable,
    }
    report["ocr"] = _check("ocr", _self_test_ocr)
    report["pdf"] = _check("pdf", _self_test_pdf)
    report["folders"] = _check("folders", _self_test_folders)
    report["store"] = _check("store", _self_test_store)
    report["keyring"] = _check("keyring", _self_test_keyring)
    report["scanners"] = _check("scanners", _self_test_scanners)
    # Reading documents is what the program is for; the rest may be missing on some machines
    # (no keyring: the key file is used; no scanner: files are opened instead).
    report["ok"] = all(report[k].get("ok") for k in ("ocr", "pdf", "folders", "store"))
    return report


def _check(name: str, fn: Any) -> dict[str, Any]:
    from omsdesktop.errors import OmsError

    try:
        result: dict[str, Any] = fn()
        result.setdefault("ok", True)
        return result
    except OmsError as exc:
        return {"ok": False, "code": exc.code, "message": exc.message()}
    except Exception as exc:  # a self-test reports every failure instead of stopping
        return {"ok": False, "code": type(exc).__name__, "message": str(exc)[:300]}


def _self_test_ocr() -> dict[str, Any]:
    from omsdesktop.ocr.engine import (
        CliTesseractEngine,
        bundled_tesseract_dir,
        check_engine,
        create_engine,
        find_tessdata,
        find_tesseract,
    )
    from omsdesktop.settings import load_settings

    config = load_settings().ocr
    tesseract = find_tesseract(config.tesseract_cmd)
    tessdata = find_tessdata(config.tessdata_dir, tesseract)
    languages = sorted(p.stem for p in Path(tessdata).glob("*.traineddata")) if tessdata else []
    engine = create_engine(config)
    check_engine(engine, "rus+eng")
    # The tesseract program too (orientation detection starts it even when the in-process
    # engine reads the fields): inside the bundle it must run with the bundle's libraries.
    program = "missing"
    if tesseract:
        check_engine(CliTesseractEngine(config), "rus+eng")
        program = "ok"
    bundled = bundled_tesseract_dir()
    return {
        "engine": engine.name,
        "program": program,
        "tesseract": tesseract,
        "tessdata": tessdata,
        "languages": languages,
        "bundled": bundled is not None
        and all(
            p is not None and Path(p).resolve().is_relative_to(bundled.resolve())
            for p in (tesseract, tessdata)
        ),
    }


def _self_test_pdf() -> dict[str, Any]:
    import io

    from PIL import Image

    from omsdesktop.ocr.intake import load_bytes

    page = Image.new("RGB", (300, 200), "white")
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=100)
    from omsdesktop.ocr import _pdfium

    pages = load_bytes(buffer.getvalue())
    return {"pages": len(pages), "pdfium": _pdfium.available()}


def _self_test_folders() -> dict[str, Any]:
    from omsdesktop import paths

    data, config = paths.data_dir(), paths.config_dir()
    probe = data / ".self-test"
    probe.write_bytes(b"ok")
    probe.unlink()
    return {"data": str(data), "config": str(config)}


def _self_test_store() -> dict[str, Any]:
    from omsdesktop.storage import crypto
    from omsdesktop.storage.store import Store

    keys = crypto.DefaultKeyProvider()
    store = Store.open(keys=keys)
    store.close()
    return {"key": keys.describe()}


def _self_test_keyring() -> dict[str, Any]:
    import secrets

    import keyring

    backend = keyring.get_keyring()
    service, user = "omsdesktop-self-test", "probe"
    value = secrets.token_hex(8)
    keyring.set_password(service, user, value)
    try:
        ok = keyring.get_password(service, user) == value
    finally:
        keyring.delete_password(service, user)
    return {"ok": ok, "backend": f"{type(backend).__module__}.{type(backend).__name__}"}


def _self_test_scanners() -> dict[str, Any]:
    from omsdesktop.scan.devices import default_backends, list_devices

    # Only the drivers on this machine (SANE or WIA, in their worker process), not the network.
    backends = [b for b in default_backends(discover=False) if b.name != "escl"]
    found = list_devices(backends)
    return {
        "backends": {b.name: b.available() for b in backends},
        "devices": [d.id for d in found.devices],
        "problems": [p.to_json() for p in found.problems],
    }


# ------------------------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omsdesktop-app",
        description=(
            "Полис ОМС ребёнка: окно программы. Файлы, указанные в командной строке "
            "(свидетельство о рождении и полис: снимки или PDF), открываются в окне."
        ),
    )
    parser.add_argument("files", nargs="*", metavar="ФАЙЛ", help="снимок или PDF документа")
    parser.add_argument("--version", action="version", version=f"omsdesktop {__version__}")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="проверка установки: открыть окно, дождаться готовности (и чтения файлов) и закрыть",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="проверка установки без окна: распознавание, PDF, папки, связка ключей, сканеры "
        "(ответ — одна строка JSON)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Windows consoles default to a legacy code page; our output is Russian.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(encoding="utf-8", errors="replace")
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.self_test:
        report = self_test()
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        return 0 if report["ok"] else 1
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        parser.error("нет такого файла: " + ", ".join(missing))
    return run_gui(parser, args.files, smoke=args.smoke)

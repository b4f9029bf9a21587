"""Import the heavy modules in the GUI thread, right after the window is shown.

PySide6 replaces ``builtins.__import__`` with its own hook, which inspects every newly imported
module; running that hook in a worker thread while the GUI thread runs has crashed the
interpreter here ("deallocating None", PySide6 6.12). So no module is imported for the first
time inside a worker job: the window imports everything the jobs need in a few steps before it
starts any job. Each step blocks the GUI thread once, at start-up, for a fraction of a second.
"""

from __future__ import annotations

import contextlib
import importlib

STEPS: tuple[tuple[str, ...], ...] = (
    (
        "cv2",
        "omsdesktop.forms.pipeline",
        "omsdesktop.forms.extract",
        "omsdesktop.forms.certificate",
        "omsdesktop.forms.policy",
        "omsdesktop.forms.checks",
        "omsdesktop.forms.application",
        "omsdesktop.forms.validators",
        "omsdesktop.forms.insurers",
        "omsdesktop.ocr.intake",
        "omsdesktop.ocr.engine",
        "omsdesktop.ocr.quality",
        "omsdesktop.ocr.straighten",
        "omsdesktop.ocr.layout",
        "omsdesktop.ocr.barcode",
        "omsdesktop.ocr._pdf",
        "pytesseract",
        "pillow_heif",
        "pypdf",
    ),
    (
        "sqlalchemy",
        "sqlalchemy.dialects.sqlite",
        "sqlite3",
        "alembic.command",
        "alembic.runtime.migration",
        "alembic.script",
        "alembic.context",
        "alembic.op",
        "omsdesktop.storage",
        "omsdesktop.storage.store",
        "omsdesktop.storage.autosave",
        "omsdesktop.storage.mapping",
        "omsdesktop.storage.migrate",
        "omsdesktop.storage.tables",
    ),
    (
        "httpx",
        "keyring",
        "omsdesktop.portal.outbox",
        "omsdesktop.portal.client",
        "omsdesktop.portal.config",
        "omsdesktop.portal.contract",
        "omsdesktop.portal.attachments",
        "omsdesktop.ui.images",
    ),
)
OPTIONAL = frozenset({"tesserocr", "pillow_heif", "pypdf", "pytesseract"})


def preload_step(index: int) -> None:
    for name in STEPS[index]:
        try:
            importlib.import_module(name)
        except ImportError:
            if name not in OPTIONAL:
                raise
    if index == 0:
        _preload_optional_engine()
        from PIL import Image

        Image.init()  # Pillow imports its format plugins lazily otherwise


def _preload_optional_engine() -> None:
    with contextlib.suppress(ImportError):
        importlib.import_module("tesserocr")


def preload_all() -> None:
    for index in range(len(STEPS)):
        preload_step(index)

"""The real window in its own process, for tests/test_no_plain_copies.py (which kills it).

    python -m tests.no_plain_copies_app MODE CERTIFICATE_PNG POLICY_PDF [SANE_CONFIG_DIR]

Opens the main window (offscreen) on a SQLite database in ``$OMSDESKTOP_HOME``, pastes the
certificate as raw ``image/png`` data, scans into the policy slot from SANE's ``test`` device
(when a SANE config folder is given), then opens the policy PDF. MODE ``idle``: waits for each
step, prints ``READY`` and idles until killed. MODE ``busy``: prints ``BUSY`` while the PDF is
still being read, and idles (the test kills it mid-work).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def wait(app: object, condition: Callable[[], bool], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)


def say(word: str) -> None:
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QMimeData
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from omsdesktop.storage.config import sqlite_url
    from omsdesktop.ui.driver import build_services, isolate_qsettings
    from omsdesktop.ui.main_window import MainWindow

    mode, certificate, policy_pdf = argv[:3]
    sane_dir = argv[3] if len(argv) > 3 else ""
    home = Path(os.environ["OMSDESKTOP_HOME"])
    app = QApplication([])
    isolate_qsettings(str(home / "qsettings"))
    services = build_services(sqlite_url(home / "drafts.sqlite3"))
    if sane_dir:
        from omsdesktop.scan.sane_backend import sane_backend

        backend = sane_backend(env={"SANE_CONFIG_DIR": sane_dir}, idle_timeout_s=60)
        services.settings = dataclasses.replace(services.settings, default_scanner="sane:test:0")
        services.scanner_backends = lambda settings: [backend]
    window = MainWindow(services)
    window.resize(1366, 768)
    window.show()
    wait(app, lambda: window.store is not None)
    cert_slot, policy_slot = window.certificate_slot, window.policy_slot
    wait(app, lambda: cert_slot.isEnabled() and policy_slot.isEnabled())

    mime = QMimeData()
    mime.setData("image/png", Path(certificate).read_bytes())
    QGuiApplication.clipboard().setMimeData(mime)
    cert_slot.paste_button.click()
    if mode == "busy":
        policy_slot.load_path(policy_pdf)
        wait(app, lambda: policy_slot.busy and cert_slot.busy)
        say("BUSY")
    else:
        wait(app, lambda: cert_slot.document is not None, timeout=300)
        if sane_dir:
            policy_slot.scan_button.click()
            wait(app, lambda: policy_slot.busy)
            wait(app, lambda: not policy_slot.busy, timeout=300)
        policy_slot.load_path(policy_pdf)
        wait(app, lambda: policy_slot.document is not None, timeout=300)
        say("READY")
    while True:  # until killed
        app.processEvents()
        time.sleep(0.05)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Screenshots of the window's main states, from the real app on generated documents.

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py   # without Xvfb

Writes docs/screenshots/*.png. Everything runs in a throw-away profile (temporary
OMSDESKTOP_HOME, SQLite database, the training portal on loopback); the documents are
invented by tests/docgen, so no real person's data is shown.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
sys.path.insert(0, str(REPO))

HOME = tempfile.mkdtemp(prefix="omsdesktop-shots-")
os.environ["OMSDESKTOP_HOME"] = HOME
os.environ["OMSDESKTOP_KEYRING"] = "off"
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    import cv2
    from PIL import Image as PILImage
    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication, QWidget

    from omsdesktop.portal.sandbox import SandboxConfig, running_sandbox
    from omsdesktop.settings import Settings
    from omsdesktop.storage.config import sqlite_url
    from omsdesktop.ui.application import create_application
    from omsdesktop.ui.drafts_dialog import DraftsDialog
    from omsdesktop.ui.i18n import install_translators
    from omsdesktop.ui.main_window import MainWindow
    from omsdesktop.ui.services import Services
    from omsdesktop.ui.settings_dialog import SettingsDialog
    from tests.docgen import degrade, generate_certificate
    from tests.docgen.render_real import generate_real

    OUT.mkdir(parents=True, exist_ok=True)
    docs = Path(HOME) / "documents"
    docs.mkdir()

    def save(image, dpi, name: str) -> str:
        path = docs / name
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        PILImage.fromarray(rgb).save(path, **({"dpi": (dpi, dpi)} if dpi else {}))
        return str(path)

    def make(document, degradation: str, seed: int, name: str) -> str:
        image, info = degrade(document, degradation, seed)
        return save(image, info.dpi, name)

    # The policy parents bring: the unified paper form, drawn on the official blank.
    cert_doc, policy_doc = generate_certificate(3), generate_real(3, "unified_real")
    cert = make(cert_doc, "scan300", 1, "cert.png")
    policy = make(policy_doc, "scan300", 1, "policy.png")
    blurry = make(cert_doc, "blur", 2, "blurry.png")
    other_policy = make(generate_real(5, "unified_real"), "scan300", 1, "other-policy.png")

    app = create_application()
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, HOME)
    translators = install_translators(app, "ru")

    def spin(condition: Callable[[], bool], timeout: float = 120.0) -> bool:
        end = time.monotonic() + timeout
        while not condition() and time.monotonic() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)
        return condition()

    def settle(seconds: float = 0.4) -> None:
        spin(lambda: False, seconds)

    def shot(widget: QWidget, name: str) -> None:
        settle()
        widget.grab().save(str(OUT / name))
        print("wrote", OUT / name)

    def focus(window: MainWindow, name: str) -> None:
        # Under Xvfb without a window manager the window may not be active, so focus events
        # may not come: show the field's crops the way its focus would.
        window.activateWindow()
        window.form.focus_field(name)
        settle(0.2)
        if window.form.focused_field() != name:
            window._field_focused(name)

    database = sqlite_url(Path(HOME) / "drafts.sqlite3")

    def window_for(portal_url: str) -> MainWindow:
        settings = Settings(database_url=database, portal_url=portal_url, operator="окно 1")
        window = MainWindow(Services(settings=settings, outbox_interval_ms=500))
        window.resize(1366, 768)
        window.show()
        spin(lambda: window.store is not None, 30)
        return window

    def close(window: MainWindow) -> None:
        window.close()
        spin(lambda: window.closed, 60)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        down_port = s.getsockname()[1]

    with running_sandbox(SandboxConfig(seed=1, status_delay=0)) as sandbox:
        # 1. The empty window.
        window = window_for(sandbox.url)
        shot(window, "01-start.png")

        # 2. Both documents read; the cursor in a field to check: the crops above the form.
        window.certificate_slot.load_path(cert)
        window.policy_slot.load_path(policy)
        spin(
            lambda: (
                window.certificate_slot.document is not None
                and window.policy_slot.document is not None
            )
        )
        review = [n for n in window.form.names() if window.form.state(n).needs_review]
        focus(window, review[0] if review else "child.last_name")
        shot(window, "02-documents-read.png")

        # 3. Sent to the training portal: its answer with the request number and fields to fix.
        spin(lambda: window.draft_id is not None and window.pool.active_count == 0, 30)
        window.submit()
        spin(lambda: window.submission_panel.isVisible(), 30)
        shot(window, "03-sent-status.png")

        # 4. The drafts list.
        dialog = DraftsDialog(window.store, window.pool, window)
        dialog.show()
        spin(lambda: dialog.table.rowCount() > 0, 10)
        shot(dialog, "04-drafts.png")
        dialog.close()
        close(window)

    # 5. A blurry photo: the advice and «Использовать всё равно».
    window = window_for(f"http://127.0.0.1:{down_port}")
    window.certificate_slot.load_path(blurry)
    spin(lambda: window.certificate_slot.banner.isVisible() and not window.certificate_slot.busy)
    shot(window, "05-blurry-photo.png")

    # 6. Documents of two different children: both readings on the disputed fields.
    window.new_application()
    window.certificate_slot.load_path(cert)
    window.policy_slot.load_path(other_policy)
    spin(
        lambda: (
            window.certificate_slot.document is not None and window.policy_slot.document is not None
        )
    )
    focus(window, "child.last_name")
    shot(window, "06-documents-disagree.png")

    # 7. The portal is down: queued, will be sent.
    window.new_application()
    window.certificate_slot.load_path(cert)
    window.policy_slot.load_path(policy)
    spin(
        lambda: (
            window.certificate_slot.document is not None and window.policy_slot.document is not None
        )
    )
    spin(lambda: window.draft_id is not None and window.pool.active_count == 0, 30)
    window.submit()
    spin(lambda: window.submission_panel.isVisible(), 60)
    shot(window, "07-portal-down-queued.png")

    # 8. Settings.
    settings_dialog = SettingsDialog(window.services, window)
    settings_dialog.show()
    shot(settings_dialog, "08-settings.png")
    settings_dialog.close()
    close(window)
    del translators
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

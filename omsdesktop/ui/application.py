"""Qt application start-up. The only package that imports PySide6 is omsdesktop.ui."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from omsdesktop.ui.i18n import install_translators
from omsdesktop.ui.main_window import MainWindow
from omsdesktop.ui.services import Services

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]

# Set by benchmarks/startup.py: print the time the window was shown, then quit.
STARTUP_PROBE_ENV = "OMSDESKTOP_STARTUP_PROBE"


def create_application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Crisp on high-DPI screens at fractional scales (125 %, 150 %).
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        QGuiApplication.highDpiScaleFactorRoundingPolicy().PassThrough
    )
    app = QApplication(sys.argv)
    app.setApplicationName("omsdesktop")
    app.setOrganizationName("omsdesktop")
    return app


def install_excepthook(window: MainWindow) -> ExceptHook:
    """A bug in a Qt slot: the type goes to the log (never the message or a traceback, which
    may quote a child's data), the user gets a plain message, and the window keeps running.

    Returns the previous hook.
    """
    previous = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        log.error("unexpected error in the window: %s", exc_type.__name__)
        if not window.closed:
            window.notice.show_notice(
                "error",
                QCoreApplication.translate(
                    "Application",
                    "Внутренняя ошибка программы. Введённые данные сохранены в черновике. "
                    "Если ошибка повторится, перезапустите программу.",
                ),
            )

    sys.excepthook = hook
    return previous


def run_application(
    services: Services,
    *,
    files: Sequence[str] = (),
    smoke: bool = False,
    icon: Path | None = None,
    smoke_timeout_s: float = 180.0,
) -> int:
    """Show the window and run until it closes.

    ``files`` are loaded into the slots once the window is ready (the first into the
    certificate's, the second into the policy's); ``smoke`` also waits for the database and for
    every file to be read, then closes the window (exit 1 if that takes over
    ``smoke_timeout_s``).
    """
    app = create_application()
    _decorate(app, icon)
    translators = install_translators(app, services.settings.language)
    app.setApplicationDisplayName(app.translate("Application", "Полис ОМС ребёнка"))
    window = MainWindow(services)
    previous_hook = install_excepthook(window)
    starter = (
        _WindowStarter(app, window, list(files), smoke=smoke, timeout_s=smoke_timeout_s)
        if files or smoke
        else None
    )
    window.show()
    if os.environ.get(STARTUP_PROBE_ENV):

        def probe() -> None:
            sys.stdout.write(f"shown {time.time():.6f}\n")
            sys.stdout.flush()
            window.close()

        QTimer.singleShot(0, probe)
    try:
        code = int(app.exec())
    finally:
        sys.excepthook = previous_hook
    del translators
    return starter.exit_code(code) if starter is not None else code


def _decorate(app: QApplication, icon: Path | None) -> None:
    if icon is not None and icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    # Wayland and the task bars match the window to omsdesktop.desktop (its icon and name).
    app.setDesktopFileName("omsdesktop")


class _WindowStarter:
    """Waits for the main window to be ready, then loads the files given; in a smoke run,
    also waits for the database and for every file to be read, then closes the window."""

    POLL_MS = 100

    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        files: list[str],
        *,
        smoke: bool,
        timeout_s: float,
    ) -> None:
        self._app = app
        self._window = window
        self._files = files
        self._smoke = smoke
        self._timeout_s = timeout_s
        self._store_ready = False
        self._read: list[str] = []
        self._failed: str | None = None
        self._loaded = False
        self._started = time.monotonic()
        window.storeReady.connect(self._on_store_ready)
        for slot in window.slots():
            slot.documentReady.connect(self._on_document_ready)
        self._timer = QTimer(app)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        window = self._window
        if not self._loaded:
            if not window.isVisible() or not all(s.isEnabled() for s in window.slots()):
                return self._check_timeout("окно не готово")
            self._loaded = True
            # The first file goes to the certificate's slot, the second to the policy's; a
            # document in the wrong slot is moved by the window itself.
            for slot, path in zip(window.slots(), self._files, strict=False):
                slot.load_path(path)
            if self._smoke:
                self._say(f"окно открыто: {window.windowTitle()}")
        if not self._smoke:
            self._timer.stop()
            return
        wanted = min(len(self._files), len(window.slots()))
        if self._store_ready and len(self._read) >= wanted:
            self._timer.stop()
            self._say("база черновиков открыта")
            for kind in self._read:
                self._say(f"документ прочитан: {kind}")
            window.close()
            return
        self._check_timeout("база черновиков не открылась или документ не прочитан")

    def _check_timeout(self, what: str) -> None:
        if self._smoke and time.monotonic() - self._started > self._timeout_s:
            self._timer.stop()
            self._failed = what
            self._say(f"проверка не пройдена: {what} за {self._timeout_s:g} с")
            self._window.close()
            self._app.exit(1)

    def _on_store_ready(self) -> None:
        self._store_ready = True

    def _on_document_ready(self, document: Any) -> None:
        self._read.append(str(document.result.kind.value))

    @staticmethod
    def _say(text: str) -> None:
        sys.stdout.write(f"omsdesktop-app: {text}\n")
        sys.stdout.flush()

    def exit_code(self, code: int) -> int:
        return 1 if self._failed is not None else code

"""Qt application start-up. The only package that imports PySide6 is omsdesktop.ui."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication
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


def run_application(services: Services) -> int:
    app = create_application()
    translators = install_translators(app, services.settings.language)
    app.setApplicationDisplayName(app.translate("Application", "Полис ОМС ребёнка"))
    window = MainWindow(services)
    previous_hook = install_excepthook(window)
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
    return code

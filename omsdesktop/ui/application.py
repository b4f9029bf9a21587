"""Qt application start-up. The only package that imports PySide6 is omsdesktop.ui."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from omsdesktop.ui.i18n import install_translators
from omsdesktop.ui.main_window import MainWindow
from omsdesktop.ui.services import Services

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


def run_application(services: Services) -> int:
    app = create_application()
    translators = install_translators(app, services.settings.language)
    app.setApplicationDisplayName(app.translate("Application", "Полис ОМС ребёнка"))
    window = MainWindow(services)
    window.show()
    if os.environ.get(STARTUP_PROBE_ENV):

        def probe() -> None:
            sys.stdout.write(f"shown {time.time():.6f}\n")
            sys.stdout.flush()
            window.close()

        QTimer.singleShot(0, probe)
    code = int(app.exec())
    del translators
    return code

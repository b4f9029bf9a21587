"""Qt application start-up. The only package that imports PySide6 is omsdesktop.ui."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from omsdesktop.settings import Settings
from omsdesktop.ui.main_window import MainWindow


def run_application(settings: Settings) -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("omsdesktop")
    app.setApplicationDisplayName("Полис ОМС ребёнка")
    window = MainWindow(settings)
    window.show()
    return int(app.exec())

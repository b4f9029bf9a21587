"""The main window. A placeholder until the desktop-app issue builds the real flow."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from omsdesktop.settings import Settings


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings
        self.setWindowTitle("Полис ОМС ребёнка")
        self.resize(1100, 720)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        title = QLabel("Прикрепление полиса ОМС ребёнка", central)
        title.setObjectName("title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = title.font()
        font.setPointSize(font.pointSize() + 6)
        title.setFont(font)
        hint = QLabel(
            "Окно приложения в разработке. Пока доступны команды: omsdesktop check, "
            "omsdesktop extract, omsdesktop validate (см. omsdesktop --help).",
            central,
        )
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addStretch(1)
        self.setCentralWidget(central)

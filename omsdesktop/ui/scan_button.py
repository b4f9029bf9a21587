"""Scanning into a document slot: find the scanner, scan one page, cut the document out.

The slot's «Сканировать» button uses the scanner from the settings (``default_scanner``); when
there is none it lists the devices (in a worker job) and, if there is more than one, asks which
to use with :class:`ScannerChooser`. The scan itself is the slot's worker job: one page from
the glass, auto-cropped (a card in a corner of the glass becomes just the card), kept in memory
and read through the same pipeline as a pasted image.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from omsdesktop.ui.services import Services

SCAN_DPI = 300
SCAN_FILE_NAME = "scan.png"

Job = Callable[[Callable[[float], None], Callable[[], bool]], Any]


def list_devices_job(services: Services) -> Job:
    """A worker job returning the :class:`~omsdesktop.scan.DeviceList` of every backend."""

    def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> Any:
        from omsdesktop.scan import list_devices

        found = list_devices(services.scanner_backends(services.settings), cancelled=cancelled)
        progress(1.0)
        return found

    return job


class ScannerChooser(QDialog):
    """Which scanner to use, when several are connected."""

    def __init__(self, devices: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Выбор сканера"))
        self.setObjectName("scannerChooser")
        layout = QVBoxLayout(self)
        label = QLabel(self.tr("Найдено несколько сканеров. Выберите, каким сканировать:"), self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Список сканеров"))
        for device in devices:
            item = QListWidgetItem(device.name or device.id, self.list)
            item.setToolTip(device.id)
            item.setData(Qt.ItemDataRole.UserRole, device.id)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        label.setBuddy(self.list)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Сканировать"))
        ok.setAccessibleName(self.tr("Сканировать выбранным сканером"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def device_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))


def choose_device(devices: list[Any], parent: QWidget | None) -> str | None:
    """The device to scan with: the only one, or the user's choice (None = cancelled)."""
    if len(devices) == 1:
        return str(devices[0].id)
    dialog = ScannerChooser(devices, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.device_id()
    finally:
        dialog.deleteLater()

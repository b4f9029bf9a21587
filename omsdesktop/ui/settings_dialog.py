"""Settings: language, Tesseract, portal address and token, database, scanner, thresholds."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from omsdesktop.settings import Settings
from omsdesktop.ui.labels import QT_TRANSLATE_NOOP
from omsdesktop.ui.services import Services

# The quality thresholds a service centre may want to tune, with their labels and ranges.
_CTX = "SettingsDialog"
THRESHOLDS: tuple[tuple[str, str, float, float, float], ...] = (
    (
        "blur_rel",
        QT_TRANSLATE_NOOP("SettingsDialog", "Порог размытия (доля высоты букв)"),
        0.01,
        1.0,
        0.01,
    ),
    (
        "min_text_px",
        QT_TRANSLATE_NOOP("SettingsDialog", "Наименьшая высота букв, пикселей"),
        1.0,
        100.0,
        0.5,
    ),
    (
        "min_declared_dpi",
        QT_TRANSLATE_NOOP("SettingsDialog", "Наименьшее разрешение скана, dpi"),
        50.0,
        1200.0,
        10.0,
    ),
    (
        "dark_paper",
        QT_TRANSLATE_NOOP("SettingsDialog", "Порог «слишком тёмный» (яркость бумаги)"),
        0,
        255,
        1,
    ),
    (
        "bright_paper",
        QT_TRANSLATE_NOOP("SettingsDialog", "Порог «пересвечен» (яркость бумаги)"),
        0,
        255,
        1,
    ),
    (
        "min_contrast",
        QT_TRANSLATE_NOOP("SettingsDialog", "Наименьший контраст текста"),
        0.0,
        255.0,
        1.0,
    ),
    (
        "min_document_share",
        QT_TRANSLATE_NOOP("SettingsDialog", "Наименьшая доля кадра под документом"),
        0.0,
        1.0,
        0.01,
    ),
)


class SettingsDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Настройки"))
        self.setObjectName("settingsDialog")
        self.setMinimumSize(620, 380)
        self._services = services
        settings = services.settings
        self._result = settings
        layout = QVBoxLayout(self)
        tabs = QTabWidget(self)
        tabs.setAccessibleName(self.tr("Разделы настроек"))
        layout.addWidget(tabs)

        # General.
        general = QWidget(tabs)
        form = QFormLayout(general)
        self.language = QComboBox(general)
        self.language.setObjectName("language")
        self.language.addItem("Русский", "ru")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.language.setAccessibleName(self.tr("Язык программы"))
        form.addRow(self.tr("Язык:"), self.language)
        self.operator = QLineEdit(settings.operator or "", general)
        self.operator.setAccessibleName(self.tr("Рабочее место или оператор"))
        self.operator.setPlaceholderText(self.tr("например, окно 3"))
        form.addRow(self.tr("Рабочее место:"), self.operator)
        self.scanner = QLineEdit(settings.default_scanner or "", general)
        self.scanner.setAccessibleName(self.tr("Сканер по умолчанию"))
        self.scanner.setPlaceholderText(self.tr("имя сканера (пока не используется)"))
        form.addRow(self.tr("Сканер по умолчанию:"), self.scanner)
        tabs.addTab(general, self.tr("Общие"))

        # OCR.
        ocr = QWidget(tabs)
        ocr_form = QFormLayout(ocr)
        row = QHBoxLayout()
        self.tesseract = QLineEdit(settings.ocr.tesseract_cmd or "", ocr)
        self.tesseract.setAccessibleName(self.tr("Путь к программе Tesseract"))
        self.tesseract.setPlaceholderText(self.tr("найти автоматически"))
        self.browse_tesseract = QPushButton(self.tr("Обзор…"), ocr)
        self.browse_tesseract.setAccessibleName(self.tr("Выбрать программу Tesseract"))
        self.browse_tesseract.clicked.connect(self._browse_tesseract)
        row.addWidget(self.tesseract, 1)
        row.addWidget(self.browse_tesseract)
        ocr_form.addRow(self.tr("Программа Tesseract:"), row)
        hint = QLabel(
            self.tr(
                "Оставьте пустым, если Tesseract установлен обычным образом. В Windows укажите "
                "tesseract.exe."
            ),
            ocr,
        )
        hint.setWordWrap(True)
        ocr_form.addRow(hint)
        tabs.addTab(ocr, self.tr("Распознавание"))

        # Portal.
        portal = QWidget(tabs)
        portal_form = QFormLayout(portal)
        self.portal_url = QLineEdit(settings.portal_url or "", portal)
        self.portal_url.setAccessibleName(self.tr("Адрес портала"))
        self.portal_url.setPlaceholderText("https://…")
        portal_form.addRow(self.tr("Адрес портала:"), self.portal_url)
        self.token = QLineEdit(portal)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAccessibleName(self.tr("Токен доступа к порталу"))
        self.token.setPlaceholderText(self.tr("не менять"))
        portal_form.addRow(self.tr("Токен доступа:"), self.token)
        token_hint = QLabel(
            self.tr("Токен хранится в хранилище паролей системы, а не в файле настроек."), portal
        )
        token_hint.setWordWrap(True)
        portal_form.addRow(token_hint)
        self.database_url = QLineEdit(settings.database_url or "", portal)
        self.database_url.setAccessibleName(self.tr("Адрес базы данных"))
        self.database_url.setPlaceholderText(self.tr("на этом компьютере"))
        portal_form.addRow(self.tr("База данных (центр обслуживания):"), self.database_url)
        tabs.addTab(portal, self.tr("Портал и база"))

        # Advanced quality thresholds.
        advanced = QWidget(tabs)
        adv_form = QFormLayout(advanced)
        warn = QLabel(
            self.tr("Меняйте, только если знаете зачем: от этого зависит проверка снимков."),
            advanced,
        )
        warn.setWordWrap(True)
        adv_form.addRow(warn)
        self.thresholds: dict[str, QDoubleSpinBox] = {}
        for name, label, low, high, step in THRESHOLDS:
            spin = QDoubleSpinBox(advanced)
            spin.setRange(low, high)
            spin.setSingleStep(step)
            spin.setDecimals(2)
            spin.setValue(float(getattr(settings.quality, name)))
            text = QCoreApplication.translate(_CTX, label)
            spin.setAccessibleName(text)
            adv_form.addRow(text + ":", spin)
            self.thresholds[name] = spin
        self.reset_thresholds = QPushButton(self.tr("Вернуть пороги по умолчанию"), advanced)
        self.reset_thresholds.setAccessibleName(self.tr("Вернуть пороги качества по умолчанию"))
        self.reset_thresholds.clicked.connect(self._reset_thresholds)
        adv_form.addRow(self.reset_thresholds)
        tabs.addTab(advanced, self.tr("Дополнительно"))

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        save.setText(self.tr("Сохранить"))
        save.setAccessibleName(self.tr("Сохранить настройки"))
        cancel.setText(self.tr("Отмена"))
        cancel.setAccessibleName(self.tr("Закрыть без сохранения"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.tabs = tabs

    # --------------------------------------------------------------------------------------

    def _browse_tesseract(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Где находится Tesseract?"))
        if path:
            self.tesseract.setText(path)

    def _reset_thresholds(self) -> None:
        from omsdesktop.ocr.quality import QualityThresholds

        defaults = QualityThresholds()
        for name, spin in self.thresholds.items():
            spin.setValue(float(getattr(defaults, name)))

    def collect(self) -> Settings:
        old = self._services.settings

        def text(edit: QLineEdit) -> str | None:
            value = edit.text().strip()
            return value or None

        quality = dataclasses.replace(
            old.quality, **{name: spin.value() for name, spin in self.thresholds.items()}
        )
        ocr = dataclasses.replace(old.ocr, tesseract_cmd=text(self.tesseract))
        language = self.language.currentData()
        return dataclasses.replace(
            old,
            language=language if language in ("ru", "en") else "ru",
            operator=text(self.operator),
            default_scanner=text(self.scanner),
            ocr=ocr,
            quality=quality,
            portal_url=text(self.portal_url),
            database_url=text(self.database_url),
        )

    def save(self) -> None:
        from omsdesktop.errors import OmsError

        settings = self.collect()
        token = self.token.text().strip()
        try:
            portal_url = self._services.portal_url(settings)
        except OmsError as exc:
            QMessageBox.warning(self, self.tr("Настройки"), exc.message(settings.language))
            return
        if token:
            try:
                self._services.store_token(portal_url, token)
            except Exception:  # keyring backends raise their own types; none is fatal here
                QMessageBox.warning(
                    self,
                    self.tr("Токен не сохранён"),
                    self.tr(
                        "В системе нет хранилища паролей, поэтому токен сохранить нельзя. "
                        "Задайте его переменной окружения OMSDESKTOP_PORTAL_TOKEN."
                    ),
                )
                return
        try:
            self._services.save_settings(settings)
        except OSError:
            QMessageBox.warning(
                self,
                self.tr("Настройки не сохранены"),
                self.tr("Не удалось записать файл настроек. Проверьте права на папку настроек."),
            )
            return
        self._result = settings
        self.accept()

    def result_settings(self) -> Settings:
        return self._result

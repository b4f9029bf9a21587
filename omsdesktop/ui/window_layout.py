"""The main window's widgets, menus and help text: how it looks, not what it does.

Split from ``main_window.py`` so that the window class reads as what it is, a view of the
application session; these functions build its widgets (declared on ``MainWindow``) and connect
them to its methods. ``self`` is the window; it is typed ``Any`` because this module must not
import the window's (the package has no import cycles).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from omsdesktop.forms.model import DocumentKind
from omsdesktop.ui.document_slot import DocumentSlot
from omsdesktop.ui.form import ApplicationForm
from omsdesktop.ui.panels import CropPanel, NoticeBar, SubmissionPanel

CERT = DocumentKind.BIRTH_CERTIFICATE
POLICY = DocumentKind.OMS_POLICY


def build_widgets(self: Any) -> None:
    central = QWidget(self)
    outer = QVBoxLayout(central)
    outer.setContentsMargins(6, 4, 6, 4)
    outer.setSpacing(4)
    self.steps = QLabel(
        QCoreApplication.translate(
            "MainWindow",
            "1. Загрузите свидетельство о рождении и полис ОМС (файл, перетаскивание или "
            "вставка).   2. Проверьте поля справа: жёлтые — обязательно.   "
            "3. Нажмите «Отправить на портал».",
        ),
        central,
    )
    self.steps.setWordWrap(True)
    self.steps.setStyleSheet("color: #3e4c59;")
    outer.addWidget(self.steps)

    splitter = QSplitter(Qt.Orientation.Horizontal, central)
    splitter.setChildrenCollapsible(False)
    left = QSplitter(Qt.Orientation.Vertical, splitter)
    left.setChildrenCollapsible(False)
    self.certificate_slot = DocumentSlot(CERT, self.pool, lambda: self.services, left)
    self.policy_slot = DocumentSlot(POLICY, self.pool, lambda: self.services, left)
    for slot in self.slots():
        slot.setMinimumHeight(220)
        slot.documentReady.connect(self.document_ready)
        slot.documentCleared.connect(lambda s=slot: self.document_cleared(s.kind))
        slot.wrongKind.connect(lambda doc, s=slot: self.wrong_kind(s, doc))
        slot.settingsRequested.connect(self.open_settings)

    right = QWidget(splitter)
    right_layout = QVBoxLayout(right)
    right_layout.setContentsMargins(0, 0, 0, 0)
    right_layout.setSpacing(4)
    self.notice = NoticeBar(right)
    right_layout.addWidget(self.notice)
    self.submission_panel = SubmissionPanel(right)
    self.submission_panel.refreshRequested.connect(self.refresh_status)
    self.submission_panel.fieldRequested.connect(self.go_to_field)
    right_layout.addWidget(self.submission_panel)
    self.crop_panel = CropPanel(right)
    right_layout.addWidget(self.crop_panel)
    self.form = ApplicationForm(self.lang, right)
    self.form.fieldEdited.connect(self.field_edited)
    self.form.fieldFocused.connect(self.field_focused)
    scroll = QScrollArea(right)
    scroll.setWidgetResizable(True)
    scroll.setWidget(self.form)
    scroll.setAccessibleName(QCoreApplication.translate("MainWindow", "Поля заявления"))
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    self.form_scroll = scroll
    right_layout.addWidget(scroll, 1)

    bottom = QHBoxLayout()
    self.save_state = QLabel(
        QCoreApplication.translate("MainWindow", "Открываю базу черновиков…"), right
    )
    self.save_state.setObjectName("saveState")
    bottom.addWidget(self.save_state, 1)
    self.busy_bar = QProgressBar(right)
    self.busy_bar.setRange(0, 0)
    self.busy_bar.setMaximumWidth(140)
    self.busy_bar.setAccessibleName(QCoreApplication.translate("MainWindow", "Идёт отправка"))
    self.busy_bar.hide()
    bottom.addWidget(self.busy_bar)
    self.save_button = QPushButton(QCoreApplication.translate("MainWindow", "Сохранить"), right)
    self.save_button.setAccessibleName(
        QCoreApplication.translate("MainWindow", "Сохранить черновик")
    )
    self.save_button.setToolTip(
        QCoreApplication.translate(
            "MainWindow", "Черновик сохраняется сам при каждой правке (Ctrl+S)"
        )
    )
    self.save_button.clicked.connect(self.save_now)
    bottom.addWidget(self.save_button)
    self.send_button = QPushButton(
        QCoreApplication.translate("MainWindow", "Отправить на портал"), right
    )
    self.send_button.setAccessibleName(
        QCoreApplication.translate("MainWindow", "Отправить заявление на портал")
    )
    self.send_button.setToolTip(
        QCoreApplication.translate("MainWindow", "Отправить заявление (Ctrl+Enter)")
    )
    self.send_button.setDefault(False)
    self.send_button.setStyleSheet("font-weight: bold;")
    self.send_button.clicked.connect(self.submit)
    bottom.addWidget(self.send_button)
    right_layout.addLayout(bottom)

    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, 5)
    splitter.setStretchFactor(1, 6)
    splitter.setSizes([600, 720])
    outer.addWidget(splitter, 1)
    self.setCentralWidget(central)
    self.statusBar().showMessage(QCoreApplication.translate("MainWindow", "Готово к работе"))
    self.update_buttons()

    QWidget.setTabOrder(self.certificate_slot.open_button, self.certificate_slot.paste_button)
    QWidget.setTabOrder(self.certificate_slot.paste_button, self.policy_slot.open_button)
    QWidget.setTabOrder(self.policy_slot.open_button, self.policy_slot.paste_button)


def build_actions(self: Any) -> None:
    menu = self.menuBar()
    file_menu = menu.addMenu(QCoreApplication.translate("MainWindow", "&Файл"))
    app_menu = menu.addMenu(QCoreApplication.translate("MainWindow", "&Заявление"))
    help_menu = menu.addMenu(QCoreApplication.translate("MainWindow", "&Справка"))

    def action(
        text: str,
        slot: Callable[[], Any],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    self.new_action = action(
        QCoreApplication.translate("MainWindow", "Новое заявление"), self.new_application, "Ctrl+N"
    )
    self.open_certificate_action = action(
        QCoreApplication.translate("MainWindow", "Открыть свидетельство о рождении…"),
        self.certificate_slot.open_dialog,
        QKeySequence.StandardKey.Open,
    )
    self.open_policy_action = action(
        QCoreApplication.translate("MainWindow", "Открыть полис ОМС…"),
        self.policy_slot.open_dialog,
        "Ctrl+Shift+O",
    )
    self.paste_action = action(
        QCoreApplication.translate("MainWindow", "Вставить снимок из буфера обмена"),
        self.paste_into_slot,
        "Ctrl+Shift+V",
    )
    self.drafts_action = action(
        QCoreApplication.translate("MainWindow", "Черновики…"), self.open_drafts, "Ctrl+D"
    )
    self.batch_action = action(
        QCoreApplication.translate("MainWindow", "Пакетная обработка…"), self.open_batch
    )
    self.settings_action = action(
        QCoreApplication.translate("MainWindow", "Настройки…"), self.open_settings, "Ctrl+,"
    )
    self.quit_action = action(
        QCoreApplication.translate("MainWindow", "Выход"), self.close, QKeySequence.StandardKey.Quit
    )
    for act in (
        self.new_action,
        self.open_certificate_action,
        self.open_policy_action,
        self.paste_action,
        self.drafts_action,
        self.batch_action,
        self.settings_action,
        self.quit_action,
    ):
        file_menu.addAction(act)
    file_menu.insertSeparator(self.drafts_action)
    file_menu.insertSeparator(self.quit_action)

    self.save_action = action(
        QCoreApplication.translate("MainWindow", "Сохранить черновик"), self.save_now, "Ctrl+S"
    )
    self.send_action = action(
        QCoreApplication.translate("MainWindow", "Отправить на портал"), self.submit, "Ctrl+Return"
    )
    self.send_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    self.status_action = action(
        QCoreApplication.translate("MainWindow", "Обновить состояние"), self.refresh_status, "F5"
    )
    self.flush_action = action(
        QCoreApplication.translate("MainWindow", "Отправить очередь сейчас"), self.flush_outbox
    )
    for act in (self.save_action, self.send_action, self.status_action, self.flush_action):
        app_menu.addAction(act)
    self.help_action = action(
        QCoreApplication.translate("MainWindow", "Как пользоваться"), lambda: show_help(self), "F1"
    )
    help_menu.addAction(self.help_action)
    self.update_buttons()


def restore_geometry(self: Any) -> None:
    settings = QSettings("omsdesktop", "omsdesktop")
    geometry = settings.value("main/geometry")
    if geometry is not None and not self.restoreGeometry(geometry):
        geometry = None
    if geometry is None:
        screen = self.screen().availableGeometry() if self.screen() else None
        width, height = 1280, 740
        if screen is not None:
            width = min(width, screen.width())
            height = min(height, screen.height())
        self.resize(width, height)


def show_help(self: Any) -> None:
    QMessageBox.information(
        self,
        QCoreApplication.translate("MainWindow", "Как пользоваться"),
        QCoreApplication.translate(
            "MainWindow",
            "1. Слева загрузите свидетельство о рождении и полис ОМС: «Открыть файл…» "
            "(Ctrl+O и Ctrl+Shift+O), перетащите файл в окно или вставьте снимок из буфера "
            "(Ctrl+Shift+V).\n"
            "2. Если снимок плохой, программа подскажет, как переснять. Можно продолжить "
            "кнопкой «Использовать всё равно».\n"
            "3. Проверьте поля справа. Жёлтые поля прочитаны неуверенно или расходятся в "
            "документах: сравните их с фрагментом документа над формой.\n"
            "4. Черновик сохраняется сам (Ctrl+S — сохранить сейчас). Список черновиков — "
            "Ctrl+D.\n"
            "5. «Отправить на портал» (Ctrl+Enter). Без связи заявление встанет в очередь и "
            "уйдёт само.",
        ),
    )

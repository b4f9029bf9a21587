"""The list of drafts: resume one, or delete one after confirming."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from omsdesktop.errors import OmsError
from omsdesktop.ui.labels import DRAFT_STATE_NAMES, PORTAL_STATUS_NAMES, tr_
from omsdesktop.ui.worker import WorkerPool


class DraftsDialog(QDialog):
    """``exec()`` returns Accepted with :attr:`chosen_id` set when the user opens a draft."""

    def __init__(
        self, store: Any, pool: WorkerPool, parent: QWidget | None = None, lang: str = "ru"
    ) -> None:
        super().__init__(parent)
        self._lang = lang
        self.deleted_ids: set[str] = set()
        self.setWindowTitle(self.tr("Черновики заявлений"))
        self.setObjectName("draftsDialog")
        self.resize(720, 420)
        self._store = store
        self._pool = pool
        self._drafts: list[Any] = []
        self.chosen_id: str | None = None

        layout = QVBoxLayout(self)
        self.hint = QLabel(
            self.tr("Выберите черновик и нажмите «Открыть». Черновики сохраняются сами."), self
        )
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Ребёнок"), self.tr("Изменён"), self.tr("Состояние")]
        )
        self.table.setAccessibleName(self.tr("Список черновиков"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        buttons = QHBoxLayout()
        self.open_button = QPushButton(self.tr("Открыть"), self)
        self.open_button.setAccessibleName(self.tr("Открыть выбранный черновик"))
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_selected)
        self.delete_button = QPushButton(self.tr("Удалить…"), self)
        self.delete_button.setAccessibleName(self.tr("Удалить выбранный черновик"))
        self.delete_button.clicked.connect(self.delete_selected)
        self.close_button = QPushButton(self.tr("Закрыть"), self)
        self.close_button.setAccessibleName(self.tr("Закрыть список черновиков"))
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self._selection_changed()
        self.reload()

    def reload(self) -> None:
        store = self._store
        self.message.setText(self.tr("Загружаю список…"))
        self._pool.run(
            lambda progress, cancelled: store.list_drafts(),
            name="list-drafts",
            on_result=self._show,
            on_error=self._failed,
        )

    def _show(self, drafts: list[Any]) -> None:
        self._drafts = drafts
        self.table.setRowCount(len(drafts))
        for row, draft in enumerate(drafts):
            name = draft.child_name.strip() or self.tr("(имя не заполнено)")
            state = tr_(DRAFT_STATE_NAMES.get(draft.state, draft.state))
            if draft.portal_status:
                state += " · " + tr_(PORTAL_STATUS_NAMES.get(draft.portal_status, ""))
            changed = draft.updated_at.astimezone().strftime("%d.%m.%Y %H:%M")
            for column, text in enumerate((name, changed, state)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, draft.id)
                self.table.setItem(row, column, item)
        self.message.setText(
            self.tr("Черновиков пока нет.")
            if not drafts
            else self.tr("Черновиков: %1").replace("%1", str(len(drafts)))
        )
        if drafts:
            self.table.selectRow(0)
        self._selection_changed()

    def _deleted(self, draft_id: str) -> None:
        self.deleted_ids.add(draft_id)
        self.reload()

    def _failed(self, exc: OmsError) -> None:
        self.message.setText(exc.message("en" if self._lang == "en" else "ru"))

    def _selected(self) -> Any | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        index = rows[0].row()
        return self._drafts[index] if 0 <= index < len(self._drafts) else None

    def _selection_changed(self) -> None:
        has = self._selected() is not None
        self.open_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def open_selected(self) -> None:
        draft = self._selected()
        if draft is None:
            return
        self.chosen_id = draft.id
        self.accept()

    def delete_selected(self) -> None:
        draft = self._selected()
        if draft is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Удалить черновик?"),
            self.tr(
                "Черновик будет удалён вместе со снимками документов. Восстановить его будет "
                "нельзя. Удалить?"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        store, draft_id = self._store, draft.id
        self._pool.run(
            lambda progress, cancelled: store.delete_draft(draft_id),
            name="delete-draft",
            on_result=lambda _r: self._deleted(draft_id),
            on_error=self._failed,
        )

"""Small panels of the main window: the source crops, the notice bar, the submission status."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from omsdesktop.ui.labels import (
    PORTAL_STATUS_NAMES,
    SUBMISSION_STATE_NAMES,
    field_label,
    tr_,
)


class CropPanel(QFrame):
    """«Откуда взято»: the piece of each page a focused field was read from, side by side."""

    CROP_HEIGHT = 64

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cropPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        row = QHBoxLayout()
        self._images: list[tuple[QLabel, QLabel]] = []
        for _ in range(2):
            box = QVBoxLayout()
            title = QLabel(self)
            title.setStyleSheet("color: #52606d;")
            image = QLabel(self)
            image.setMinimumHeight(self.CROP_HEIGHT)
            image.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            box.addWidget(title)
            box.addWidget(image)
            row.addLayout(box, 1)
            self._images.append((title, image))
        layout.addLayout(row)
        self.show_hint()

    def show_hint(self) -> None:
        self.caption.setText(
            self.tr(
                "Встаньте в поле — здесь появится кусочек документа, из которого взято значение."
            )
        )
        for title, image in self._images:
            title.clear()
            title.hide()
            image.clear()
            image.hide()
            image.setAccessibleName("")

    def show_crops(self, field_name: str, crops: list[tuple[str, QImage]]) -> None:
        label = field_label(field_name)
        if not crops:
            self.caption.setText(
                self.tr("«%1»: значение введено вручную или не найдено на снимке.").replace(
                    "%1", label
                )
            )
        else:
            self.caption.setText(
                self.tr("«%1» на документе — сравните со значением в поле:").replace("%1", label)
            )
        for title, image in self._images:
            title.show()
            image.show()
        for index, (title, image) in enumerate(self._images):
            if index < len(crops):
                document, crop = crops[index]
                title.setText(document)
                pixmap = QPixmap.fromImage(crop)
                ratio = self.devicePixelRatioF()
                height = round(self.CROP_HEIGHT * ratio)
                if pixmap.height() > height:
                    pixmap = pixmap.scaledToHeight(
                        height, Qt.TransformationMode.SmoothTransformation
                    )
                pixmap.setDevicePixelRatio(ratio)
                image.setPixmap(pixmap)
                image.setAccessibleName(self.tr("Фрагмент документа: %1").replace("%1", document))
            else:
                title.clear()
                image.clear()
                image.setAccessibleName("")


class NoticeBar(QFrame):
    """A coloured message with up to two action buttons (conflict, offline queue, errors)."""

    STYLES: ClassVar[dict[str, str]] = {
        "info": "background: #e8f1fd; border: 1px solid #4a7fd6;",
        "ok": "background: #e6f6ea; border: 1px solid #2f9e55;",
        "warning": "background: #fff4d6; border: 1px solid #e0a800;",
        "error": "background: #fde8e8; border: 1px solid #d64545;",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.text, 1)
        self.first = QPushButton(self)
        self.second = QPushButton(self)
        self.close_button = QPushButton(self.tr("Скрыть"), self)
        self.close_button.setAccessibleName(self.tr("Скрыть сообщение"))
        self.close_button.clicked.connect(self.hide)
        for button in (self.first, self.second, self.close_button):
            layout.addWidget(button)
        self._callbacks: list[object] = [None, None]
        self.first.clicked.connect(lambda: self._run(0))
        self.second.clicked.connect(lambda: self._run(1))
        self.kind = ""
        self.hide()

    def show_notice(
        self,
        kind: str,
        text: str,
        actions: list[tuple[str, object]] | None = None,
        closable: bool = True,
    ) -> None:
        self.kind = kind
        self.setStyleSheet(f"#noticeBar {{ {self.STYLES[kind]} border-radius: 4px; }}")
        self.text.setText(text)
        actions = actions or []
        for index, (button, action) in enumerate(
            zip((self.first, self.second), [*actions, None, None], strict=False)
        ):
            if action is None:
                self._callbacks[index] = None
                button.hide()
                continue
            label, callback = action
            self._callbacks[index] = callback
            button.setText(label)
            button.setAccessibleName(label)
            button.show()
        self.close_button.setVisible(closable)
        self.show()

    def _run(self, index: int) -> None:
        callback = self._callbacks[index]
        if callable(callback):
            callback()


class SubmissionPanel(QFrame):
    """The application's state on the portal: request number, status, reason, fields to fix."""

    refreshRequested = Signal()
    fieldRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("submissionPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        top = QHBoxLayout()
        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        top.addWidget(self.title, 1)
        self.refresh_button = QPushButton(self.tr("Обновить состояние"), self)
        self.refresh_button.setAccessibleName(self.tr("Спросить портал о состоянии заявления"))
        self.refresh_button.clicked.connect(self.refreshRequested)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.details)
        self.fix_row = QHBoxLayout()
        layout.addLayout(self.fix_row)
        self._fix_buttons: list[QPushButton] = []
        self.request_number = ""
        self.hide()

    def show_submission(self, submission: Any) -> None:
        state = tr_(SUBMISSION_STATE_NAMES.get(submission.state, submission.state))
        self.title.setText(self.tr("Заявление: %1").replace("%1", state))
        lines = []
        self.request_number = submission.request_number or ""
        if submission.request_number:
            lines.append(
                self.tr("Номер запроса на портале: %1").replace("%1", submission.request_number)
            )
        if submission.portal_status:
            status = tr_(
                PORTAL_STATUS_NAMES.get(submission.portal_status, submission.portal_status)
            )
            lines.append(self.tr("Ответ портала: %1").replace("%1", status))
        if getattr(submission, "portal_api", "contract") == "epgu":
            # Both EPGU layers in plain Russian, from the Qt-free table (the portal's own
            # words: they are shown as the portal names them, like its reasons).
            from omsdesktop.portal.epgu_status import processing_name, status_name

            lines.append(
                self.tr("Обработка на портале: %1").replace(
                    "%1", processing_name(submission.processing_code)
                )
            )
            lines.append(
                self.tr("Статус на портале: %1").replace("%1", status_name(submission.status_id))
            )
        if submission.reason:
            lines.append(self.tr("Причина: %1").replace("%1", submission.reason))
        if submission.state == "queued":
            lines.append(
                self.tr(
                    "Нет связи с порталом. Заявление сохранено в очереди и будет отправлено "
                    "автоматически, когда связь появится. Попыток: %1."
                ).replace("%1", str(submission.attempts))
            )
        if submission.fields_to_fix:
            lines.append(self.tr("Портал просит исправить поля:"))
        self.details.setText("\n".join(lines))
        for button in self._fix_buttons:
            self.fix_row.removeWidget(button)
            button.deleteLater()
        self._fix_buttons = []
        for name in submission.fields_to_fix:
            button = QPushButton(field_label(name), self)
            button.setAccessibleName(self.tr("Перейти к полю: %1").replace("%1", field_label(name)))
            button.clicked.connect(lambda _c=False, n=name: self.fieldRequested.emit(n))
            self.fix_row.addWidget(button)
            self._fix_buttons.append(button)
        self.refresh_button.setVisible(submission.state == "sent")
        colour = {
            "queued": "#fff4d6",
            "sent": "#e6f6ea",
            "failed": "#fde8e8",
        }.get(submission.state, "#ffffff")
        if submission.portal_status in ("needs_clarification",):
            colour = "#fff4d6"
        if submission.portal_status == "rejected":
            colour = "#fde8e8"
        self.setStyleSheet(f"#submissionPanel {{ background: {colour}; }}")
        self.show()

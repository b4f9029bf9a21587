"""One document slot (birth certificate or policy): take a file, check it, read it, show it.

A file arrives by the open dialog, drag and drop, or the clipboard. Two worker jobs follow:

1. *check*: count pages, load the chosen page, assess its quality, straighten it
   (``process_file(read_fields=False)``) and show the page at once;
2. *read*: the whole pipeline with OCR (``process_file``), started right away when the quality
   is good, or after a deliberate «Использовать всё равно» when it is not.

The slot never blocks: everything slow runs in :class:`~omsdesktop.ui.worker.WorkerPool`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from omsdesktop.errors import OmsError
from omsdesktop.forms.model import DocumentKind
from omsdesktop.ocr.types import Image
from omsdesktop.ui.labels import DOCUMENT_NAMES, field_label, tr_
from omsdesktop.ui.preview import PageView
from omsdesktop.ui.services import Services
from omsdesktop.ui.worker import JobHandle, WorkerPool

FILE_FILTER_EXTENSIONS = "*.jpg *.jpeg *.png *.tif *.tiff *.bmp *.webp *.heic *.heif *.pdf"


@dataclass(frozen=True, eq=False)
class SlotDocument:
    """What a slot shows: the page, where it came from, and (after reading) the fields."""

    path: str
    page_index: int
    page_count: int
    result: Any  # DocumentResult
    preview: QImage
    scale: float  # page pixels → preview pixels

    @property
    def image(self) -> Image | None:
        """The straightened page the field boxes refer to."""
        flat = getattr(self.result, "straightened", None)
        return None if flat is None else flat.image

    @property
    def fields(self) -> dict[str, Any]:
        document = getattr(self.result, "document", None)
        return dict(document.fields) if document is not None else {}


def _check_job(
    path: str, page_index: int, kind: DocumentKind, services: Services
) -> Callable[[Callable[[float], None], Callable[[], bool]], SlotDocument]:
    def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> SlotDocument:
        from omsdesktop.forms.pipeline import process_file
        from omsdesktop.ocr.intake import count_pages
        from omsdesktop.ui.images import preview_image

        settings = services.settings
        try:
            pages = count_pages(path, settings.intake)
        except OmsError:
            pages = 1  # process_file reports the same problem with its own message
        result = process_file(
            path,
            kind=kind,
            settings=settings,
            page_index=min(page_index, max(0, pages - 1)),
            read_fields=False,
            progress=lambda f: progress(0.9 * f),
            cancelled=cancelled,
        )
        image = None
        if result.straightened is not None:
            image = result.straightened.image
        elif result.page is not None:
            image = result.page.image
        if image is None:
            preview, scale = QImage(), 1.0
        else:
            preview, scale = preview_image(image)
        progress(1.0)
        return SlotDocument(path, page_index, pages, result, preview, scale)

    return job


def _read_job(
    path: str, page_index: int, page_count: int, services: Services
) -> Callable[[Callable[[float], None], Callable[[], bool]], SlotDocument]:
    def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> SlotDocument:
        from omsdesktop.forms.pipeline import process_file
        from omsdesktop.ui.images import preview_image

        settings = services.settings
        engine = services.engine_factory(settings)
        result = process_file(
            path,
            kind=DocumentKind.UNKNOWN,
            settings=settings,
            engine=engine,
            page_index=page_index,
            progress=progress,
            cancelled=cancelled,
        )
        if result.straightened is not None:
            preview, scale = preview_image(result.straightened.image)
        else:
            preview, scale = QImage(), 1.0
        return SlotDocument(path, page_index, page_count, result, preview, scale)

    return job


def _save_clipboard_image(
    image: QImage, folder: str
) -> Callable[[Callable[[float], None], Callable[[], bool]], str]:
    def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> str:
        path = os.path.join(folder, "clipboard.png")
        if not image.save(path, b"PNG"):
            from omsdesktop.errors import InternalError

            raise InternalError("clipboard image could not be written")
        os.chmod(path, 0o600)
        return path

    return job


class DocumentSlot(QFrame):
    """A slot for one document kind.

    Signals:
        documentReady(SlotDocument): the fields were read (or the user chose to use them).
        documentCleared(): the slot was emptied or a new file replaced the old one.
        wrongKind(SlotDocument): the file is the other document; the window moves it.
        settingsRequested(): the user wants to fix the settings (e.g. Tesseract's location).
        busyChanged(bool)
    """

    documentReady = Signal(object)
    documentCleared = Signal()
    wrongKind = Signal(object)
    settingsRequested = Signal()
    busyChanged = Signal(bool)

    def __init__(
        self,
        kind: DocumentKind,
        pool: WorkerPool,
        services: Callable[[], Services],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self._pool = pool
        self._services = services
        self._job: JobHandle | None = None
        self._pending: SlotDocument | None = None  # checked, waiting for «use anyway»
        self._document: SlotDocument | None = None  # read (fields available)
        self._temp_dir: str | None = None
        self._moved_temp_dir: str | None = None  # handed to the other slot with the document
        self._read_only = False
        self.setObjectName(f"slot_{kind.value}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAcceptDrops(True)
        self._build()
        self._show_empty()

    # --------------------------------------------------------------------------------- layout

    def _build(self) -> None:
        name = tr_(DOCUMENT_NAMES[self.kind.value])
        number = "1" if self.kind is DocumentKind.BIRTH_CERTIFICATE else "2"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)

        header = QHBoxLayout()
        self.title = QLabel(f"{number}. {name}", self)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        header.addWidget(self.title, 1)

        self.open_button = QPushButton(self.tr("Открыть файл…"), self)
        self.open_button.setAccessibleName(self.tr("Открыть файл: %1").replace("%1", name))
        self.open_button.setToolTip(self.tr("Выбрать фото или скан документа (JPEG, PNG, PDF…)"))
        self.open_button.clicked.connect(self.open_dialog)
        header.addWidget(self.open_button)

        self.paste_button = QPushButton(self.tr("Вставить"), self)
        self.paste_button.setAccessibleName(
            self.tr("Вставить снимок из буфера обмена: %1").replace("%1", name)
        )
        self.paste_button.setToolTip(self.tr("Вставить снимок, скопированный в буфер обмена"))
        self.paste_button.clicked.connect(self.paste)
        header.addWidget(self.paste_button)

        self.scan_button = QPushButton(self.tr("Сканировать"), self)
        self.scan_button.setAccessibleName(self.tr("Сканировать: %1").replace("%1", name))
        self.scan_button.setToolTip(
            self.tr("Положите документ на стекло сканера и нажмите, чтобы отсканировать его")
        )
        self.scan_button.clicked.connect(self.scan)
        header.addWidget(self.scan_button)
        layout.addLayout(header)

        # Page picker, zoom: one row, shown when there is a page.
        tools = QHBoxLayout()
        self.page_label = QLabel(self.tr("Страница:"), self)
        self.page_spin = QSpinBox(self)
        self.page_spin.setMinimum(1)
        self.page_spin.setAccessibleName(self.tr("Номер страницы: %1").replace("%1", name))
        self.page_spin.setKeyboardTracking(False)
        self.page_spin.valueChanged.connect(self._page_changed)
        self.page_label.setBuddy(self.page_spin)
        tools.addWidget(self.page_label)
        tools.addWidget(self.page_spin)
        tools.addStretch(1)
        self.summary = QLabel(self)
        self.summary.setObjectName("slotSummary")
        tools.addWidget(self.summary, 0)
        tools.addStretch(1)
        self.zoom_out_button = QToolButton(self)
        self.zoom_out_button.setText("−")
        self.zoom_out_button.setAccessibleName(self.tr("Уменьшить: %1").replace("%1", name))
        self.zoom_out_button.setToolTip(self.tr("Уменьшить (Ctrl + колёсико мыши)"))
        self.zoom_in_button = QToolButton(self)
        self.zoom_in_button.setText("+")
        self.zoom_in_button.setAccessibleName(self.tr("Увеличить: %1").replace("%1", name))
        self.zoom_in_button.setToolTip(self.tr("Увеличить (Ctrl + колёсико мыши)"))
        self.fit_button = QToolButton(self)
        self.fit_button.setText(self.tr("По размеру"))
        self.fit_button.setAccessibleName(
            self.tr("Показать страницу целиком: %1").replace("%1", name)
        )
        tools.addWidget(self.zoom_out_button)
        tools.addWidget(self.zoom_in_button)
        tools.addWidget(self.fit_button)
        layout.addLayout(tools)

        # The quality banner (hidden unless the page is poor).
        self.banner = QFrame(self)
        self.banner.setObjectName("qualityBanner")
        self.banner.setStyleSheet(
            "#qualityBanner { background: #fff4d6; border: 1px solid #e0a800; border-radius: 4px; }"
        )
        banner_layout = QVBoxLayout(self.banner)
        banner_layout.setContentsMargins(8, 6, 8, 6)
        self.banner_text = QLabel(self.banner)
        self.banner_text.setWordWrap(True)
        self.banner_text.setTextFormat(Qt.TextFormat.PlainText)
        banner_layout.addWidget(self.banner_text)
        banner_buttons = QHBoxLayout()
        self.use_anyway_button = QPushButton(self.tr("Использовать всё равно"), self.banner)
        self.use_anyway_button.setAccessibleName(
            self.tr("Использовать этот снимок, несмотря на плохое качество")
        )
        self.use_anyway_button.clicked.connect(self.use_anyway)
        self.replace_button = QPushButton(self.tr("Выбрать другой файл…"), self.banner)
        self.replace_button.setAccessibleName(
            self.tr("Выбрать другой файл: %1").replace("%1", name)
        )
        self.replace_button.clicked.connect(self.open_dialog)
        self.settings_button = QPushButton(self.tr("Открыть настройки…"), self.banner)
        self.settings_button.setAccessibleName(self.tr("Открыть настройки программы"))
        self.settings_button.clicked.connect(self.settingsRequested)
        banner_buttons.addWidget(self.use_anyway_button)
        banner_buttons.addWidget(self.replace_button)
        banner_buttons.addWidget(self.settings_button)
        banner_buttons.addStretch(1)
        banner_layout.addLayout(banner_buttons)
        layout.addWidget(self.banner)

        # Progress while working.
        busy = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName(self.tr("Ход обработки: %1").replace("%1", name))
        self.progress.setMaximumWidth(180)
        self.cancel_button = QPushButton(self.tr("Отмена"), self)
        self.cancel_button.setAccessibleName(
            self.tr("Остановить обработку: %1").replace("%1", name)
        )
        self.cancel_button.clicked.connect(self.cancel)
        busy.addWidget(self.status, 1)
        busy.addWidget(self.progress)
        busy.addWidget(self.cancel_button)
        layout.addLayout(busy)

        # The page, or the drop hint when empty.
        self.view = PageView(self)
        self.view.setAccessibleName(self.tr("Просмотр страницы: %1").replace("%1", name))
        self.view.setToolTip(
            self.tr("Колёсико с Ctrl или кнопки +/− меняют масштаб; перетаскивание сдвигает")
        )
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.zoom_in_button.clicked.connect(self.view.zoom_in)
        self.zoom_out_button.clicked.connect(self.view.zoom_out)
        self.fit_button.clicked.connect(self.view.fit)
        self.drop_hint = QLabel(self)
        self.drop_hint.setObjectName("dropHint")
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setWordWrap(True)
        self.drop_hint.setStyleSheet(
            "#dropHint { border: 2px dashed #9aa5b1; border-radius: 8px; color: #3e4c59;"
            " background: #f7f9fb; padding: 12px; }"
        )
        self.drop_hint.setText(
            self.tr(
                "Перетащите сюда фото или скан документа «%1».\n\nИли нажмите «Открыть "
                "файл…», или скопируйте снимок и нажмите «Вставить»."
            ).replace("%1", name)
        )
        self.drop_hint.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.drop_hint, 1)

    # ------------------------------------------------------------------------------- public

    @property
    def document(self) -> SlotDocument | None:
        """The read document (fields usable), if any."""
        return self._document

    @property
    def busy(self) -> bool:
        return self._job is not None

    def set_read_only(self, read_only: bool) -> None:
        """A sent application: its documents cannot be replaced."""
        self._read_only = read_only
        self.open_button.setEnabled(not read_only)
        self.paste_button.setEnabled(not read_only)
        self.scan_button.setEnabled(not read_only)
        self.page_spin.setEnabled(not read_only)

    def open_dialog(self) -> None:
        if self._read_only:
            return
        name = tr_(DOCUMENT_NAMES[self.kind.value])
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Выберите файл: %1").replace("%1", name),
            "",
            self.tr("Снимки и сканы (%1);;Все файлы (*)").replace("%1", FILE_FILTER_EXTENSIONS),
        )
        if path:
            self.load_path(path)

    def paste(self) -> None:
        """Take a file or an image from the clipboard."""
        if self._read_only:
            return
        mime = QGuiApplication.clipboard().mimeData()
        if mime is not None and mime.hasUrls():
            local = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if local:
                self.load_path(local[0])
                return
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self._show_message(
                self.tr(
                    "В буфере обмена нет снимка. Скопируйте фото или скан документа "
                    "(или сам файл) и нажмите «Вставить» ещё раз."
                ),
                error=True,
            )
            return
        self.load_image(image)

    def load_image(self, image: QImage) -> None:
        """An image from the clipboard or a drop: written to a private temporary file."""
        self._discard(clear_view=True)
        self._temp_dir = tempfile.mkdtemp(prefix="omsdesktop-")
        self._start(
            _save_clipboard_image(image.copy(), self._temp_dir),
            self.tr("Читаю снимок из буфера обмена…"),
            on_result=lambda path: self._check(path, 0),
        )

    def scan(self) -> None:
        """Scan the document from the settings' scanner (or one the user picks)."""
        if self._read_only:
            return
        device = self._services().settings.default_scanner
        if device:
            self._scan_from(device)
            return
        from omsdesktop.ui.scan_button import list_devices_job

        self._start(
            list_devices_job(self._services()),
            self.tr("Ищу сканеры…"),
            on_result=self._devices_found,
        )

    def _devices_found(self, found: Any) -> None:
        from omsdesktop.scan import no_scanners_error
        from omsdesktop.ui.scan_button import choose_device

        if not found.devices:
            self._show_error(no_scanners_error(found))
            return
        device = choose_device(list(found.devices), self)
        if device:
            self._scan_from(device)

    def _scan_from(self, device_id: str) -> None:
        from omsdesktop.ui.scan_button import scan_job

        self._discard(clear_view=True)
        self._temp_dir = tempfile.mkdtemp(prefix="omsdesktop-")
        self._start(
            scan_job(device_id, self._services(), self._temp_dir),
            self.tr("Сканирую… Не поднимайте крышку, пока сканер не закончит."),
            on_result=lambda path: self._check(path, 0),
        )

    def load_path(self, path: str, page_index: int = 0) -> None:
        if self._read_only:
            return
        self._discard(clear_view=True, keep_temp=self._is_temp(path))
        self._check(path, page_index)

    def adopt(self, document: SlotDocument, temp_dir: str | None = None) -> None:
        """Take a document read in the other slot (the user put it in the wrong place)."""
        self._discard(clear_view=True)
        self._temp_dir = temp_dir
        self._set_pages(document.page_count, document.page_index)
        self._show_page(document)
        self._accept(document, moved=True)

    def show_stored(self, image: QImage, note: str) -> None:
        """A resumed draft: show the stored scan (no field boxes are kept with it)."""
        self._discard(clear_view=True)
        self._set_pages(1, 0)
        self.view.set_page(image)
        self._show_view(True)
        self.summary.setText(note)

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None
            self.busyChanged.emit(False)
            self.progress.hide()
            self.cancel_button.hide()
            self.status.setText(self.tr("Обработка остановлена."))
            self.status.show()

    def clear(self) -> None:
        self._discard(clear_view=True)
        self._show_empty()

    def highlight(self, field_name: str | None) -> None:
        self.view.highlight(field_name)

    def use_anyway(self) -> None:
        """Read a page whose quality is poor, because the user decided to."""
        if self._pending is None:
            return
        pending, self._pending = self._pending, None
        self.banner.hide()
        self._read(pending)

    def take_moved_temp_dir(self) -> str | None:
        folder, self._moved_temp_dir = self._moved_temp_dir, None
        return folder

    def cleanup(self) -> None:
        """Remove the private temporary copy of a pasted image (window closing)."""
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    # ------------------------------------------------------------------------------ the work

    def _is_temp(self, path: str) -> bool:
        return self._temp_dir is not None and Path(path).parent == Path(self._temp_dir)

    def _discard(self, *, clear_view: bool, keep_temp: bool = False) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None
            self.busyChanged.emit(False)
        had_document = self._document is not None
        self._pending = None
        self._document = None
        if not keep_temp:
            self.cleanup()
        self.banner.hide()
        self.summary.clear()
        if clear_view:
            self.view.clear_page()
        if had_document:
            self.documentCleared.emit()

    def _start(self, fn: Callable[..., Any], text: str, on_result: Callable[[Any], None]) -> None:
        self.status.setText(text)
        self.status.show()
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        was_busy = self._job is not None

        def done_ok(value: Any, handle_ref: list[JobHandle]) -> None:
            if self._job is handle_ref[0]:
                self._job = None
                self.progress.hide()
                self.cancel_button.hide()
                self.status.hide()
                self.busyChanged.emit(False)
                on_result(value)

        def done_error(exc: OmsError, handle_ref: list[JobHandle]) -> None:
            if self._job is handle_ref[0]:
                self._job = None
                self.progress.hide()
                self.cancel_button.hide()
                self.busyChanged.emit(False)
                self._show_error(exc)

        ref: list[JobHandle] = []
        handle = self._pool.run(
            fn,
            name=f"{self.kind.value}",
            on_result=lambda value: done_ok(value, ref),
            on_error=lambda exc: done_error(exc, ref),
            on_progress=lambda f: self.progress.setValue(round(100 * f)),
        )
        ref.append(handle)
        self._job = handle
        if not was_busy:
            self.busyChanged.emit(True)

    def _check(self, path: str, page_index: int) -> None:
        self._show_view(self.view.has_page())
        self._start(
            _check_job(path, page_index, self.kind, self._services()),
            self.tr("Проверяю качество снимка…"),
            on_result=self._checked,
        )

    def _checked(self, document: SlotDocument) -> None:
        result = document.result
        self._set_pages(document.page_count, document.page_index)
        if not document.preview.isNull():
            self._show_page(document)
        if result.errors:
            self._show_error(result.errors[0])
            return
        quality = result.quality
        if quality is not None and not quality.ok:
            self._pending = document
            self._show_quality(quality, blocking=True)
            return
        if quality is not None and quality.problems:
            self._show_quality(quality, blocking=False)
        self._read(document)

    def _read(self, checked: SlotDocument) -> None:
        self._start(
            _read_job(checked.path, checked.page_index, checked.page_count, self._services()),
            self.tr("Распознаю текст… Это займёт несколько секунд."),
            on_result=self._read_done,
        )

    def _read_done(self, document: SlotDocument) -> None:
        result = document.result
        if not document.preview.isNull():
            self._show_page(document)
        if result.errors:
            self._show_error(result.errors[0])
            return
        kind = result.kind
        if kind is not self.kind and kind is not DocumentKind.UNKNOWN:
            self._discard(clear_view=True, keep_temp=True)
            self._moved_temp_dir, self._temp_dir = self._temp_dir, None
            self._show_empty()
            other = tr_(DOCUMENT_NAMES[kind.value])
            self._show_message(
                self.tr("Это не тот документ: похоже, это «%1». Он перенесён в своё окно.").replace(
                    "%1", other
                ),
                error=False,
            )
            self.wrongKind.emit(document)
            return
        self._accept(document)

    def _accept(self, document: SlotDocument, moved: bool = False) -> None:
        self._document = document
        fields = document.fields
        boxes = {}
        for name, value in fields.items():
            if value.box is not None and value.value:
                tip = field_label(_draft_name(self.kind, name))
                boxes[name] = (value.box, value.needs_review, tip)
        self.view.set_boxes(boxes, document.scale)
        found = sum(1 for v in fields.values() if v.value)
        review = sum(1 for v in fields.values() if v.value and v.needs_review)
        if not fields:
            self._show_message(
                self.tr(
                    "Не удалось узнать документ на снимке. Проверьте, что это %1, или "
                    "введите данные вручную справа."
                ).replace("%1", tr_(DOCUMENT_NAMES[self.kind.value]).lower()),
                error=True,
            )
        else:
            text = self.tr("Прочитано полей: %1").replace("%1", str(found))
            if review:
                text += " · " + self.tr("проверьте: %n", "", review)
            self.summary.setText(text)
            if moved:
                self.status.setText(self.tr("Документ перенесён сюда из другого окна."))
                self.status.show()
        self.documentReady.emit(document)

    # ---------------------------------------------------------------------------- displaying

    def _set_pages(self, count: int, index: int) -> None:
        self.page_spin.blockSignals(True)
        self.page_spin.setMaximum(max(1, count))
        self.page_spin.setValue(index + 1)
        self.page_spin.setSuffix(self.tr(" из %1").replace("%1", str(count)))
        self.page_spin.blockSignals(False)
        multi = count > 1
        self.page_label.setVisible(multi)
        self.page_spin.setVisible(multi)

    def _page_changed(self, value: int) -> None:
        current = self._document or self._pending
        if current is None:
            return
        path = current.path
        self._discard(clear_view=False, keep_temp=self._is_temp(path))
        self._check(path, value - 1)

    def _show_page(self, document: SlotDocument) -> None:
        self.view.set_page(document.preview)
        self._show_view(True)

    def _show_view(self, visible: bool) -> None:
        self.view.setVisible(visible)
        self.drop_hint.setVisible(not visible)
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            button.setVisible(visible)

    def _show_empty(self) -> None:
        self._show_view(False)
        self.banner.hide()
        self.progress.hide()
        self.cancel_button.hide()
        self.status.hide()
        self.page_label.hide()
        self.page_spin.hide()

    def _lang(self) -> str:
        return self._services().settings.language

    def _show_quality(self, quality: Any, *, blocking: bool) -> None:
        lang = self._lang()
        lines = [p.text(lang) for p in quality.problems]
        if blocking:
            head = self.tr(
                "Снимок плохого качества: данные могут распознаться с ошибками. "
                "Лучше переснять документ."
            )
        else:
            head = self.tr("Замечание о снимке (можно продолжать):")
        self.banner_text.setText(head + "\n• " + "\n• ".join(lines))
        self.use_anyway_button.setVisible(blocking)
        self.replace_button.setVisible(True)
        self.settings_button.setVisible(False)
        self.banner.show()

    def _show_error(self, exc: OmsError) -> None:
        text = exc.message(self._lang())  # type: ignore[arg-type]
        self._show_message(text, error=True, settings=exc.code.startswith("tesseract"))

    def _show_message(self, text: str, *, error: bool, settings: bool = False) -> None:
        color = (
            "#fde8e8; border: 1px solid #d64545" if error else "#e8f1fd; border: 1px solid #4a7fd6"
        )
        self.banner.setStyleSheet(f"#qualityBanner {{ background: {color}; border-radius: 4px; }}")
        self.banner_text.setText(text)
        self.use_anyway_button.setVisible(False)
        self.replace_button.setVisible(error)
        self.settings_button.setVisible(settings)
        self.banner.show()
        self.status.hide()

    # --------------------------------------------------------------------------- drag & drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if not self._read_only and (
            (mime.hasUrls() and any(u.isLocalFile() for u in mime.urls())) or mime.hasImage()
        ):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        local = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []
        if local:
            event.acceptProposedAction()
            self.load_path(local[0])
            return
        if mime.hasImage():
            data = mime.imageData()
            if isinstance(data, QImage) and not data.isNull():
                event.acceptProposedAction()
                self.load_image(data)
                return
        event.ignore()


def _draft_name(kind: DocumentKind, field: str) -> str:
    from omsdesktop.forms.registry import BY_EXTRACTED

    spec = BY_EXTRACTED.get(field)
    return spec.key if spec is not None and kind in spec.documents else field

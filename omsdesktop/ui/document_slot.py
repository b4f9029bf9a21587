"""One document slot (birth certificate or policy): take a file, check it, read it, show it.

A file arrives by the open dialog, drag and drop, or the clipboard; an image arrives from the
clipboard (PNG, JPEG, any ``image/*`` a browser offers, a Windows DIB), a drop or the scanner.
Images are kept in memory as encoded bytes (:attr:`SlotDocument.data`) and read from there: no
copy of a child's document is ever written to the temp folder, so a crash or a kill leaves
nothing behind. Two worker jobs follow:

1. *check*: count pages, load the chosen page, assess its quality, straighten it
   (``process_file(read_fields=False)``) and show the page at once;
2. *read*: the whole pipeline with OCR (``process_file``), started right away when the quality
   is good, or after a deliberate «Использовать всё равно» when it is not.

The slot never blocks: everything slow runs in :class:`~omsdesktop.ui.worker.WorkerPool`.
"""

from __future__ import annotations

import dataclasses
import linecache
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMimeData, Qt, Signal
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
from omsdesktop.ocr.types import Image, Page
from omsdesktop.ui.labels import DOCUMENT_NAMES, field_label, tr_
from omsdesktop.ui.preview import PageView
from omsdesktop.ui.services import Services
from omsdesktop.ui.worker import JobHandle, WorkerPool

if TYPE_CHECKING:
    from omsdesktop.forms.pipeline import Prepared

FILE_FILTER_EXTENSIONS = "*.jpg *.jpeg *.png *.tif *.tiff *.bmp *.webp *.heic *.heif *.pdf"

DOCUMENT_LANE = "documents"
"""The worker lane the slots check and read in: one document at a time, whichever slot it is
for, so the memory one document needs (a 12 MP photo decoded, straightened and read: about
200 MB for a moment) is needed once, not once per slot (issue #12)."""

CLIPBOARD_LABEL = "<clipboard>"
SCAN_LABEL = "<scan>"
"""What :attr:`SlotDocument.path` (and the result's ``file``) says for a source held in memory."""

PREFERRED_IMAGE_TYPES = (
    "image/png",
    "image/jpeg",
    "image/jpg",
    "image/pjpeg",
    "image/tiff",
    "image/webp",
    "image/bmp",
    "image/x-bmp",
    "image/heic",
    "image/heif",
    "application/pdf",
)
"""Encoded image formats taken from the clipboard or a drop as they are, best first; any other
``image/*`` whose content intake recognises comes after them."""

DIB_MARKERS = ("deviceindependentbitmap", "cf_dib", "format_17", 'value="dib')
"""How a Windows device-independent bitmap shows in Qt's MIME names
(``application/x-qt-windows-mime;value="DeviceIndependentBitmap"``, CF_DIBV5 ...)."""


@dataclass(frozen=True, eq=False)
class Source:
    """Where a slot's document comes from: a file the user chose (``path``), or encoded image
    bytes held in memory (``data``: a paste, a drop, a scan), never written to disk."""

    path: str
    data: bytes | None = field(default=None, repr=False)

    @property
    def in_memory(self) -> bool:
        return self.data is not None


def image_from_mime(mime: QMimeData) -> bytes | QImage | None:
    """The image in clipboard or drop data: encoded bytes when the source offers a format
    intake reads (PNG, JPEG, TIFF, WebP, BMP, HEIF, PDF), else Qt's decoded image, else a
    Windows DIB turned into BMP bytes; None when there is no image."""
    from omsdesktop.ocr.intake import sniff_format
    from omsdesktop.ui.images import dib_to_bmp

    formats = list(mime.formats())
    lowered = [f.lower() for f in formats]
    ordered = [formats[lowered.index(t)] for t in PREFERRED_IMAGE_TYPES if t in lowered]
    ordered += [f for f in formats if f.lower().startswith("image/") and f not in ordered]
    for name in ordered:
        data = bytes(mime.data(name).data())
        if data and sniff_format(data[:1024]) is not None:
            return data
        if data and name.lower() in ("image/bmp", "image/x-bmp"):  # some apps: a bare DIB
            bmp = dib_to_bmp(data)
            if bmp is not None and sniff_format(bmp[:1024]) == "bmp":
                return bmp
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            return image
    for name in formats:
        if any(marker in name.lower() for marker in DIB_MARKERS):
            bmp = dib_to_bmp(bytes(mime.data(name).data()))
            if bmp is not None and sniff_format(bmp[:1024]) == "bmp":
                return bmp
    return None


@dataclass(frozen=True, eq=False)
class SlotDocument:
    """What a slot shows: the page, where it came from, and (after reading) the fields."""

    path: str  # the user's file, or CLIPBOARD_LABEL / SCAN_LABEL for bytes held in memory
    page_index: int
    page_count: int
    result: Any  # DocumentResult
    preview: QImage
    scale: float  # page pixels → preview pixels
    data: bytes | None = field(default=None, repr=False)  # the encoded image, in memory
    dpi: float | None = None  # the page's resolution (kept when the decoded page is dropped)

    @property
    def source(self) -> Source:
        return Source(self.path, self.data)

    @property
    def image(self) -> Image | None:
        """The straightened page the field boxes refer to."""
        flat = getattr(self.result, "straightened", None)
        return None if flat is None else flat.image

    @property
    def fields(self) -> dict[str, Any]:
        document = getattr(self.result, "document", None)
        return dict(document.fields) if document is not None else {}


def _process(source: Source, **options: Any) -> Any:
    """The pipeline on a file or on bytes in memory (a DocumentResult)."""
    from omsdesktop.forms.pipeline import process_bytes, process_file

    if source.data is not None:
        return process_bytes(source.data, name=source.path, **options)
    return process_file(source.path, **options)


def _check_job(
    source: Source, page_index: int, kind: DocumentKind, services: Services
) -> Callable[[Callable[[float], None], Callable[[], bool]], SlotDocument]:
    def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> SlotDocument:
        from omsdesktop.ocr.intake import count_pages, count_pages_bytes
        from omsdesktop.ui.images import preview_image

        settings = services.settings
        try:
            if source.data is not None:
                pages = count_pages_bytes(source.data, settings.intake)
            else:
                pages = count_pages(source.path, settings.intake)
        except OmsError:
            pages = 1  # the pipeline reports the same problem with its own message
        result = _process(
            source,
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
        del image
        # The decoded page, its quality and its straightened copy go on to the read job, which
        # then neither decodes the file nor checks and straightens the page a second time
        # (issue #12).
        progress(1.0)
        return SlotDocument(
            source.path, page_index, pages, result, preview, scale, data=source.data
        )

    return job


def _read_job(
    source: Source,
    page_index: int,
    page_count: int,
    services: Services,
    every_page: bool,
    page: Page | None = None,
    prepared: Prepared | None = None,
) -> Callable[[Callable[[float], None], Callable[[], bool]], list[SlotDocument]]:
    """Read the file: every page (``every_page``) or the chosen one, and every document lying
    on a page (issue #15). One :class:`SlotDocument` per document found, in page order.

    ``page`` is the chosen page as the check decoded it, and ``prepared`` what the check
    worked out of it: read from there, the file is not decoded again, nor the page checked
    and straightened again (only when one page is read)."""
    held = [(page, prepared)] if page is not None and not every_page else []

    def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> list[SlotDocument]:
        from omsdesktop.forms.pipeline import extract_documents
        from omsdesktop.ui.images import preview_image

        settings = services.settings
        engine = services.engine()
        what: Any = source.data if source.data is not None else source.path
        pages: list[int] | None = None if every_page else [page_index]
        ready: Prepared | None = None
        if held:
            # Taken out of the closure: the page lives only as long as its reading.
            (what, ready), pages = held.pop(), None
        results = extract_documents(
            what,
            name=source.path,
            settings=settings,
            engine=engine,
            pages=pages,
            progress=progress,
            cancelled=cancelled,
            prepared=ready,
        )
        del what, ready
        documents = []
        for result in results:
            if result.straightened is not None:
                preview, scale = preview_image(result.straightened.image)
            else:
                preview, scale = QImage(), 1.0
            index = result.page_number - 1
            dpi = result.page.dpi if result.page is not None else None
            # The full-resolution decoded page (36 MB for a 12 MP photo) is not needed once
            # read: the straightened copy is what the boxes, crops and attachment use.
            result = dataclasses.replace(result, page=None)
            documents.append(
                SlotDocument(
                    source.path,
                    index,
                    page_count,
                    result,
                    preview,
                    scale,
                    data=source.data,
                    dpi=dpi,
                )
            )
        return documents

    return job


def _encode_job(image: QImage) -> Callable[[Callable[[float], None], Callable[[], bool]], bytes]:
    """A pasted or dropped QImage as PNG bytes, in memory (QImage is safe off the GUI thread)."""

    def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> bytes:
        from omsdesktop.errors import InternalError
        from omsdesktop.ui.images import encode_qimage

        try:
            data = encode_qimage(image)
        except ValueError as exc:
            raise InternalError("clipboard image could not be encoded") from exc
        progress(1.0)
        return data

    return job


def _scan_job(
    device_id: str, services: Services
) -> Callable[[Callable[[float], None], Callable[[], bool]], bytes]:
    """Scan one page on ``device_id``, auto-crop it; the page as PNG bytes (with its dpi), in
    memory. Scanner faults raise the scan layer's typed errors (their message is shown)."""

    def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> bytes:
        from omsdesktop.scan import ScanCancelledError, ScannedPage, ScanOptions, autocrop, scan
        from omsdesktop.ui.scan_button import SCAN_DPI

        pages = scan(
            device_id,
            ScanOptions(dpi=SCAN_DPI),
            backends=services.scanner_backends(services.settings),
            progress=lambda f: progress(0.8 * f),
            cancelled=cancelled,
        )
        if cancelled():
            raise ScanCancelledError("scan cancelled in the window")
        page = pages[0]
        del pages
        cropped = autocrop(page.image, dpi=page.dpi)
        progress(0.9)
        data = ScannedPage(cropped.image, page.dpi, 0, page.device_id).encode("png")
        progress(1.0)
        return data

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
        self._every_page = True  # read every page of a new file (issue #15)
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
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and mime.hasUrls():
            local = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if local:
                self.load_path(local[0])
                return
        found = image_from_mime(mime) if mime is not None else None
        if isinstance(found, bytes):
            self.load_data(found)
            return
        image = found if isinstance(found, QImage) else clipboard.image()
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
        """An image from the clipboard or a drop: encoded in memory (never written to disk)."""
        if self._read_only:
            return
        self._discard(clear_view=True)
        self._start(
            _encode_job(image.copy()),
            self.tr("Читаю снимок из буфера обмена…"),
            on_result=lambda data: self._check(Source(CLIPBOARD_LABEL, data), 0),
        )

    def load_data(self, data: bytes, label: str = CLIPBOARD_LABEL) -> None:
        """An encoded image or PDF from the clipboard or a drop, read from memory."""
        if self._read_only:
            return
        self._discard(clear_view=True)
        self._check(Source(label, bytes(data)), 0)

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
        self._discard(clear_view=True)
        self._start(
            _scan_job(device_id, self._services()),
            self.tr("Сканирую… Не поднимайте крышку, пока сканер не закончит."),
            on_result=lambda data: self._check(Source(SCAN_LABEL, data), 0),
        )

    def load_path(self, path: str, page_index: int = 0) -> None:
        if self._read_only:
            return
        self._discard(clear_view=True)
        self._check(Source(path), page_index)

    def adopt(self, document: SlotDocument) -> None:
        """Take a document read in the other slot (the user put it in the wrong place).

        Its image is in memory (:attr:`SlotDocument.data`): nothing on disk moves with it.
        """
        self._discard(clear_view=True)
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

    def cleanup(self) -> None:
        """Window closing: drop the images held in memory (nothing was written to disk)."""
        self._pending = None

    # ------------------------------------------------------------------------------ the work

    def _discard(self, *, clear_view: bool) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None
            self.busyChanged.emit(False)
        had_document = self._document is not None
        self._pending = None
        self._document = None
        self.banner.hide()
        self.summary.clear()
        if clear_view:
            self.view.clear_page()
        if had_document:
            self.documentCleared.emit()

    def _start(
        self,
        fn: Callable[..., Any],
        text: str,
        on_result: Callable[[Any], None],
        *,
        lane: str | None = None,
    ) -> None:
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
            lane=lane,
            on_result=lambda value: done_ok(value, ref),
            on_error=lambda exc: done_error(exc, ref),
            on_progress=lambda f: self.progress.setValue(round(100 * f)),
        )
        ref.append(handle)
        self._job = handle
        if not was_busy:
            self.busyChanged.emit(True)

    def _check(self, source: Source, page_index: int, *, every_page: bool = True) -> None:
        """Check the page; then read the file: every page, unless the user chose this one."""
        self._every_page = every_page
        self._show_view(self.view.has_page())
        self._start(
            _check_job(source, page_index, self.kind, self._services()),
            self.tr("Проверяю качество снимка…"),
            on_result=self._checked,
            lane=DOCUMENT_LANE,
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
            # Waiting for the user may take long: the decoded page and its straightened copy
            # are not kept meanwhile («use anyway» decodes it again).
            self._pending = dataclasses.replace(
                document, result=dataclasses.replace(result, page=None, straightened=None)
            )
            self._show_quality(quality, blocking=True)
            return
        if quality is not None and quality.problems:
            self._show_quality(quality, blocking=False)
        self._read(document)

    def _read(self, checked: SlotDocument) -> None:
        every_page = self._every_page and checked.page_count > 1
        page = checked.result.page
        if page is not None and page.index != checked.page_index:
            page = None  # the check fell back to another page: read the one asked for
        from omsdesktop.forms.pipeline import Prepared

        prepared = Prepared.of(checked.result) if page is not None else None
        self._start(
            _read_job(
                checked.source,
                checked.page_index,
                checked.page_count,
                self._services(),
                every_page,
                page,
                prepared,
            ),
            self.tr("Распознаю текст… Это займёт несколько секунд."),
            on_result=self._read_done,
            lane=DOCUMENT_LANE,
        )

    def _read_done(self, documents: list[SlotDocument]) -> None:
        """Keep this slot's document; send the other kind to its own slot; name the rest."""
        # PySide6's import hook reads the source of every module imported after it
        # (``inspect.getsource``) and linecache keeps it: some 900 files, half a million lines
        # (18 MB of text) once the reading modules are in. Nothing needs them unless a
        # traceback is printed; dropped here, on the GUI thread, after the first documents'
        # imports as well as the warm-up's, their memory is reused by the next documents.
        linecache.clearcache()
        if not documents:
            self._show_empty()
            return
        mine = [d for d in documents if d.result.kind is self.kind and not d.result.errors]
        ours = (DocumentKind.BIRTH_CERTIFICATE, DocumentKind.OMS_POLICY)
        theirs = [
            d
            for d in documents
            if d.result.kind in ours and d.result.kind is not self.kind and not d.result.errors
        ]
        if not mine and not theirs:
            self._read_one(documents[0])  # an error, or no document: as for a single page
            return
        notes: list[str] = []
        if mine:
            self._read_one(mine[0])
            if mine[0].result.note_code == "second_document":
                notes.append(
                    self.tr(
                        "На снимке, похоже, есть второй документ, но прочитать его не удалось: "
                        "сфотографируйте или отсканируйте документы по отдельности."
                    )
                )
            for extra in mine[1:]:
                notes.append(
                    self.tr("На странице %1 ещё один документ «%2»: загружен только первый.")
                    .replace("%1", str(extra.page_index + 1))
                    .replace("%2", tr_(DOCUMENT_NAMES[self.kind.value]))
                )
        else:
            self._read_one(theirs[0])  # the wrong slot: it moves, and says so
            theirs = theirs[1:]
        shown = mine[0] if mine else None
        moved: set[DocumentKind] = set()
        for other in theirs:
            kind = other.result.kind
            name = tr_(DOCUMENT_NAMES[kind.value])
            if kind in moved:
                notes.append(
                    self.tr("На странице %1 ещё один документ «%2»: загружен только первый.")
                    .replace("%1", str(other.page_index + 1))
                    .replace("%2", name)
                )
                continue
            moved.add(kind)
            same_page = shown is not None and other.page_index == shown.page_index
            text = (
                self.tr("На этом же снимке — «%2»: документ загружен в своё окно.")
                if same_page
                else self.tr("На странице %1 — «%2»: документ загружен в своё окно.")
            )
            notes.append(text.replace("%1", str(other.page_index + 1)).replace("%2", name))
            self.wrongKind.emit(other)
        for other in documents:
            if other.result.kind is DocumentKind.UNKNOWN and not other.result.errors:
                what = (
                    self.tr("пустая страница")
                    if other.result.note_code == "blank_page"
                    else self.tr("не свидетельство о рождении и не полис ОМС")
                )
                notes.append(
                    self.tr("Страница %1: %2.")
                    .replace("%1", str(other.page_index + 1))
                    .replace("%2", what)
                )
        if notes and mine:
            self._show_message(" ".join(notes), error=False)

    def _read_one(self, document: SlotDocument) -> None:
        result = document.result
        if not document.preview.isNull():
            self._show_page(document)
        if result.errors:
            self._show_error(result.errors[0])
            return
        kind = result.kind
        if kind is not self.kind and kind is not DocumentKind.UNKNOWN:
            self._discard(clear_view=True)
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
        self._set_pages(document.page_count, document.page_index)
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
        source = current.source
        self._discard(clear_view=False)
        self._check(source, value - 1, every_page=False)  # the user chose it: read it alone

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
            (mime.hasUrls() and any(u.isLocalFile() for u in mime.urls()))
            or image_from_mime(mime) is not None
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
        found = image_from_mime(mime)
        if isinstance(found, bytes):
            event.acceptProposedAction()
            self.load_data(found)
            return
        if isinstance(found, QImage):
            event.acceptProposedAction()
            self.load_image(found)
            return
        event.ignore()


def _draft_name(kind: DocumentKind, field: str) -> str:
    from omsdesktop.forms.registry import BY_EXTRACTED

    spec = BY_EXTRACTED.get(field)
    return spec.key if spec is not None and kind in spec.documents else field

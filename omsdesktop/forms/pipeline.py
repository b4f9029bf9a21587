"""File to extracted document: load → quality → straighten → classify → read fields.

:func:`process_file` is the one long job every front end runs (CLI, window, batch). It is a
plain function with ``progress``/``cancelled`` callbacks; it never raises for a bad file — the
failure is returned in :attr:`DocumentResult.errors` as a typed error, so a batch goes on.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from omsdesktop.errors import CancelledError, InternalError, OmsError
from omsdesktop.forms.extract import FLAT_FORM_FIT, extract_document, rotate_cw
from omsdesktop.forms.model import DocumentKind, ExtractedDocument
from omsdesktop.ocr.engine import OcrEngine, create_engine
from omsdesktop.ocr.heap import document_finished, document_started
from omsdesktop.ocr.intake import load_bytes, load_page
from omsdesktop.ocr.layout import beside, when_idle
from omsdesktop.ocr.quality import (
    GLARE_OVER_FIELD,
    QualityReport,
    QualityThresholds,
    assess,
    boxes_overlap,
    glare_regions,
    is_scan,
)
from omsdesktop.ocr.straighten import Straightened, straighten
from omsdesktop.ocr.types import Box, Image, Page, Problem
from omsdesktop.settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]


@dataclass(frozen=True, eq=False)
class DocumentResult:
    """Everything learnt about one input file (one page of it)."""

    file: str
    kind: DocumentKind = DocumentKind.UNKNOWN
    quality: QualityReport | None = None
    document: ExtractedDocument | None = None
    page: Page | None = None
    straightened: Straightened | None = None
    errors: tuple[OmsError, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    # Several documents in one file (issue #15), set by :func:`extract_documents`:
    pages: tuple[int, ...] = ()
    """1-based pages the document lies on (two for an extract printed over two pages)."""
    region: tuple[int, int, int, int] | None = None
    """x, y, w, h of the document in its page's pixels when the page held several."""
    note: str | None = None
    """Why a page (or a part of one) gave no document, in Russian: blank, something else; or,
    on a document read from a page where a second one was seen but not read, that."""
    note_code: str | None = None
    """The note's stable code: ``blank_page``, ``not_a_document``, ``second_document``."""

    @property
    def page_number(self) -> int:
        """The 1-based page this document starts on."""
        if self.pages:
            return self.pages[0]
        return self.page.index + 1 if self.page is not None else 1

    def to_page_json(self) -> dict[str, Any]:
        """:meth:`to_json` plus where the document lies: ``page`` (1-based), ``pages`` when it
        spans several, ``region`` when its page held several, ``note`` for a page that holds
        neither document."""
        out = self.to_json()
        out["page"] = self.page_number
        if len(self.pages) > 1:
            out["pages"] = list(self.pages)
        if self.region is not None:
            out["region"] = list(self.region)
        if self.note is not None:
            out["note"] = self.note
            out["note_code"] = self.note_code
        return out

    def to_json(self) -> dict[str, Any]:
        fields = self.document.fields if self.document else {}
        return {
            "file": self.file,
            "kind": self.kind.value,
            "quality": self.quality.to_json() if self.quality else None,
            "fields": {name: fv.to_json() for name, fv in fields.items()},
            "errors": [e.to_json() for e in self.errors],
        }


@dataclass(frozen=True)
class Prepared:
    """What checking a page already worked out: its quality and its straightened copy.

    The window checks a page first (:func:`process_file` with ``read_fields=False``) and
    shows it; handed on to :func:`extract_documents`, the reading does not assess and
    straighten the same page again. Only a check that stopped before reading qualifies (see
    :meth:`of`): a reading may turn the straightened page.
    """

    quality: QualityReport
    straightened: Straightened

    @classmethod
    def of(cls, checked: DocumentResult) -> Prepared | None:
        """The check's quality and straightened page, or None if it has not both (or read
        the page, which may have turned it)."""
        if checked.quality is None or checked.straightened is None or checked.document is not None:
            return None
        return cls(quality=checked.quality, straightened=checked.straightened)


def _step(progress: Progress | None, value: float) -> None:
    if progress is not None:
        progress(value)


def _check_cancel(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise CancelledError()


def process_file(
    path: str | os.PathLike[str],
    *,
    kind: DocumentKind | str = DocumentKind.UNKNOWN,
    settings: Settings | None = None,
    engine: OcrEngine | None = None,
    page_index: int = 0,
    read_fields: bool = True,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> DocumentResult:
    """Run the whole pipeline on one page of one file.

    Args:
        path: the file, as the user gave it (shown back in results).
        kind: a known document kind, or ``unknown``/``auto`` to detect it.
        read_fields: False stops after classification (quality checks only need no OCR
            when ``kind`` is given).
    """
    settings = settings or Settings()
    return _process(
        os.fspath(path),
        lambda: load_page(path, page_index, settings.intake),
        kind=kind,
        settings=settings,
        engine=engine,
        read_fields=read_fields,
        progress=progress,
        cancelled=cancelled,
    )


def process_bytes(
    data: bytes | bytearray | memoryview,
    *,
    name: str = "",
    kind: DocumentKind | str = DocumentKind.UNKNOWN,
    settings: Settings | None = None,
    engine: OcrEngine | None = None,
    page_index: int = 0,
    read_fields: bool = True,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> DocumentResult:
    """:func:`process_file` for an image or PDF held in memory (clipboard, scanner, drop).

    Nothing is written to disk: the bytes are decoded by
    :func:`~omsdesktop.ocr.intake.load_bytes` (format from the content, the same limits).

    Args:
        data: the encoded file (PNG, JPEG, TIFF, BMP, WebP, HEIF or PDF).
        name: what :attr:`DocumentResult.file` says (e.g. a label for the clipboard); never
            used to pick the format.
    """
    settings = settings or Settings()
    return _process(
        name,
        lambda: load_bytes(data, limits=settings.intake, pages=[page_index])[0],
        kind=kind,
        settings=settings,
        engine=engine,
        read_fields=read_fields,
        progress=progress,
        cancelled=cancelled,
    )


def _process(
    file: str,
    load: Callable[[], Page],
    *,
    kind: DocumentKind | str,
    settings: Settings,
    engine: OcrEngine | None,
    read_fields: bool,
    progress: Progress | None,
    cancelled: Cancelled | None,
    prepared: Prepared | None = None,
) -> DocumentResult:
    import time

    want = DocumentKind.UNKNOWN if kind in ("auto", DocumentKind.UNKNOWN) else DocumentKind(kind)
    timings: dict[str, float] = {}
    result = DocumentResult(file=file, kind=want)
    document_started()  # its memory comes from what the last document freed (#12)
    try:
        t0 = time.perf_counter()
        page = load()
        timings["load"] = time.perf_counter() - t0
        result = _replace(result, page=page)
        _step(progress, 0.15)
        _check_cancel(cancelled)

        t0 = time.perf_counter()
        if prepared is not None:
            quality, flat = prepared.quality, prepared.straightened
        else:
            # The quality checks and the straightening both only read the page: on a second
            # core they run side by side (the same results, a tenth of a second sooner).
            checking = beside(lambda: assess(page, settings.quality))
            try:
                flat = straighten(page, cancelled=cancelled)
            finally:
                quality = checking()
        timings["quality_and_straighten"] = time.perf_counter() - t0
        result = _replace(result, quality=quality)
        _step(progress, 0.25)
        _check_cancel(cancelled)
        result = _replace(result, straightened=flat)
        _step(progress, 0.35)
        _check_cancel(cancelled)

        if not read_fields and want is not DocumentKind.UNKNOWN:
            return _replace(result, timings=timings)

        engine = engine or create_engine(settings.ocr)
        t0 = time.perf_counter()
        scan = is_scan(quality.metrics)
        flat_image = flat.image
        # The glare and fingers over the page are looked for while the page pass's second
        # band is still being read (a core idle otherwise); used below if the page stays.
        with when_idle(lambda: glare_regions(flat_image, settings.quality, scan=scan)) as glare:
            document = extract_document(
                flat.image,
                engine=engine,
                kind=want,
                read_fields=read_fields,
                progress=(lambda f: _step(progress, 0.35 + 0.65 * f)),
                cancelled=cancelled,
            )
        timings["extract"] = time.perf_counter() - t0
        if (
            read_fields
            and flat.document_found
            and _reads_poorly(document)
            and document.form_fit < FLAT_FORM_FIT
        ):
            # Little or nothing read on the page flattened by its outline: the outline may be
            # wrong (a corner lost in a shadow, a finger over an edge) and bend the page. Level
            # it by its text lines instead, and keep that reading if it is a good one. Not
            # where a real form's own print lines up with the form nearly everywhere: that
            # page is flat, and reads poorly for what is on it (a blank, dates in doubt).
            t0 = time.perf_counter()
            plain = straighten(page, cancelled=cancelled, use_outline=False)
            again = extract_document(
                plain.image, engine=engine, kind=want, read_fields=True, cancelled=cancelled
            )
            timings["extract_without_outline"] = time.perf_counter() - t0
            # Only a good reading replaces the first: a blank form reads poorly both ways, and
            # a page levelled without its outline (its perspective left in) must not win by
            # a stray value (a box's border taken for a tick).
            if not _reads_poorly(again) and _certain_values(again) > _certain_values(document):
                flat, document = plain, again
        if document.rotation:
            turn = _quarter_turn(flat.image.shape[0], flat.image.shape[1], document.rotation)
            base = flat.transform if flat.transform is not None else np.eye(3)
            flat = dataclasses.replace(
                flat,
                image=rotate_cw(flat.image, document.rotation),
                rotation=(flat.rotation + document.rotation) % 360,
                transform=turn @ base,
            )
        t0 = time.perf_counter()
        same_page = flat.image is flat_image
        document = flag_occluded_fields(
            document,
            flat.image,
            settings.quality,
            scan=scan,
            regions=glare if same_page else None,
        )
        timings["occlusion"] = time.perf_counter() - t0
        _step(progress, 1.0)
        return _replace(
            result, kind=document.kind, document=document, straightened=flat, timings=timings
        )
    except OmsError as exc:
        return _replace(result, errors=(exc,), timings=timings)
    except MemoryError:
        from omsdesktop.ocr.intake import ImageTooLargeError

        return _replace(result, errors=(ImageTooLargeError(),), timings=timings)
    except Exception as exc:
        # The type only: a message or a traceback may quote OCR text (a child's name).
        log.error("unexpected failure while processing a file: %s", type(exc).__name__)
        return _replace(result, errors=(InternalError(type(exc).__name__),), timings=timings)
    finally:
        document_finished()  # its memory goes back to the system once documents stop (#12)


OCCLUDED_MAX_CONFIDENCE = 0.5
"""Confidence cap of a field read under glare or a finger: what is read there looks certain
but may be a guess from half-hidden letters."""


def flag_occluded_fields(
    document: ExtractedDocument,
    image: Image,
    thresholds: QualityThresholds,
    *,
    scan: bool = False,
    regions: Callable[[], list[Box]] | None = None,
) -> ExtractedDocument:
    """Mark the fields lying under glare or a finger on the straightened ``image``.

    Such a field needs review, its confidence is capped and it carries a problem telling the
    user to retake the photo. Values from the barcode are exact and typed ones are the user's:
    they are left alone. ``scan``: the page is a flatbed scan (see ``glare_regions``);
    ``regions``: that search's result already under way for this very ``image``. Never
    raises: this is a hint, and a failure only skips it.
    """
    try:
        found = regions() if regions is not None else glare_regions(image, thresholds, scan=scan)
        if not found:
            return document
        fields = dict(document.fields)
        for name, fv in document.fields.items():
            if fv.box is None or fv.source != "ocr":
                continue
            if not any(boxes_overlap(fv.box, region) for region in found):
                continue
            problems = fv.problems
            if all(p.code != GLARE_OVER_FIELD.code for p in problems):
                problems = (*problems, Problem.of(GLARE_OVER_FIELD, "warning"))
            fields[name] = dataclasses.replace(
                fv,
                needs_review=True,
                confidence=min(fv.confidence, OCCLUDED_MAX_CONFIDENCE),
                problems=problems,
            )
        return dataclasses.replace(document, fields=fields)
    except Exception as exc:  # a hint must never cost the user the document
        log.warning("glare check of the fields skipped: %s", type(exc).__name__)
        return document


def _certain_values(document: ExtractedDocument) -> int:
    """How many fields the reading gives a value for without asking for review."""
    if document.kind is DocumentKind.UNKNOWN:
        return 0
    return sum(1 for f in document.fields.values() if f.value is not None and not f.needs_review)


def _reads_poorly(document: ExtractedDocument) -> bool:
    """Not our document, or fewer than half of its fields read with certainty."""
    if document.kind is DocumentKind.UNKNOWN:
        return True
    return _certain_values(document) < len(document.fields) / 2


def _quarter_turn(h: int, w: int, rotation: int) -> Any:
    """The 3x3 matrix of a clockwise quarter turn of an h x w image, in pixel coordinates."""
    turns = (rotation // 90) % 4
    if turns == 1:
        return np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], dtype=np.float64)
    if turns == 2:
        return np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], dtype=np.float64)
    if turns == 3:
        return np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], dtype=np.float64)
    return np.eye(3)


def extract_file(path: str | os.PathLike[str], kind: str = "auto") -> DocumentResult:
    """Shorthand used by storage and batch code: defaults for everything."""
    return process_file(path, kind=kind)


def _replace(result: DocumentResult, **changes: Any) -> DocumentResult:
    return dataclasses.replace(result, **changes)


# ------------------------------------------------------------- several documents in one file

BLANK_PAGE_RU = "Страница {page} пустая: на ней нет документа."
NOT_A_DOCUMENT_RU = "На странице {page} нет ни свидетельства о рождении, ни полиса ОМС."
SECOND_DOCUMENT_RU = (
    "На снимке, похоже, есть второй документ, но прочитать его не удалось: "
    "сфотографируйте документы по отдельности."
)
NOT_A_DOCUMENT_PART_RU = (
    "На странице {page} (фрагмент {part}) нет ни свидетельства о рождении, ни полиса ОМС."
)

Source = str | os.PathLike[str] | bytes | bytearray | memoryview | Page | Image


def extract_documents(
    source: Source,
    *,
    name: str | None = None,
    kind: DocumentKind | str = DocumentKind.UNKNOWN,
    settings: Settings | None = None,
    engine: OcrEngine | None = None,
    pages: Sequence[int] | None = None,
    split: bool = True,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    prepared: Prepared | None = None,
) -> list[DocumentResult]:
    """Every document in a file: each page, and each document lying on a page (issue #15).

    One :class:`DocumentResult` per document found, in page order (left to right within a
    page), each with :attr:`~DocumentResult.pages` and, when its page held several,
    :attr:`~DocumentResult.region`. A page that holds neither document gives a result of kind
    ``unknown`` with a :attr:`~DocumentResult.note` (blank page, something else): nothing is
    dropped silently. A file (or a page) with one document gives exactly what
    :func:`process_file` gives for it.

    Rules:
        * Pages: every page up to ``settings.intake.max_pages`` (or the 0-based ``pages``).
        * Several documents on a page (a glass scan, a photo of a table) are found by
          :func:`omsdesktop.ocr.split.find_documents`; each is cut out and read as its own
          file (quality, straightening, reading). The cut is kept only when it gave at least
          two of our documents, of different kinds or with different numbers; otherwise the
          page is read whole, as before (a table or a glare patch never cuts a document).
        * A page that reads as neither document right after an electronic extract (a policy
          of form ``electronic``) is that extract's second page: the two pages are read as one
          document stacked top to bottom, and reported once with ``pages`` = both.

    Args:
        source: a path, the encoded bytes of a file, a decoded :class:`Page` or a BGR image.
        name: what :attr:`DocumentResult.file` says (default: the path; "" otherwise).
        pages: 0-based page indices to read (default: all, within the limits).
        split: look for several documents on each page.
        prepared: the quality and the straightened copy of ``source``, a :class:`Page`
            already checked (see :class:`Prepared`); used when the page holds one document.
    """
    settings = settings or Settings()
    if not isinstance(source, Page):
        prepared = None
    if name is not None:
        file = name
    elif isinstance(source, (str, os.PathLike)):
        file = os.fspath(source)
    else:
        file = ""
    try:
        count, load = _page_loader(source, settings)
        indices = list(pages) if pages is not None else list(range(count))
        indices = indices[: settings.intake.max_pages]
        for index in indices:
            if not 0 <= index < count:
                from omsdesktop.ocr.intake import PageOutOfRangeError

                raise PageOutOfRangeError(
                    f"index {index} of {count}", page=index + 1, page_count=count
                )
    except OmsError as exc:
        return [DocumentResult(file=file, errors=(exc,), pages=(1,))]
    if engine is None and kind in ("auto", DocumentKind.UNKNOWN, "unknown"):
        try:
            engine = create_engine(settings.ocr)
        except OmsError as exc:
            return [DocumentResult(file=file, errors=(exc,), pages=(1,))]
    results: list[DocumentResult] = []
    loaded: dict[int, Page] = {}
    for done, index in enumerate(indices):
        _check_cancel(cancelled)

        def part(f: float, done: int = done) -> None:
            _step(progress, (done + f) / max(1, len(indices)))

        try:
            page = load(index)
        except OmsError as exc:
            results.append(DocumentResult(file=file, errors=(exc,), pages=(index + 1,)))
            continue
        found = _page_documents(
            file,
            page,
            kind=kind,
            settings=settings,
            engine=engine,
            split=split,
            progress=part,
            cancelled=cancelled,
            prepared=prepared,
        )
        previous = results[-1] if results else None
        if previous is not None and _continues(previous, found, index):
            prev_page = loaded.get(index - 1)
            if prev_page is not None:
                results[-1] = _read_two_pages(
                    file,
                    previous,
                    prev_page,
                    page,
                    settings=settings,
                    engine=engine,
                    cancelled=cancelled,
                )
            else:
                results[-1] = _replace(previous, pages=(*previous.pages, index + 1))
        else:
            results.extend(found)
        loaded = {index: page}  # only the last page is kept (a continuation needs it)
    _step(progress, 1.0)
    return results


def _page_loader(source: Source, settings: Settings) -> tuple[int, Callable[[int], Page]]:
    """How many pages ``source`` has and how to load one (one at a time: memory stays flat)."""
    from omsdesktop.ocr.intake import count_pages, load_bytes

    limits = settings.intake
    if isinstance(source, Page):
        return 1, lambda _i: source
    if isinstance(source, np.ndarray):
        return 1, lambda _i: Page(image=source, dpi=None)
    if isinstance(source, (bytes, bytearray, memoryview)):
        from omsdesktop.ocr.intake import count_pages_bytes

        data = bytes(source)
        return count_pages_bytes(data, limits), lambda i: load_bytes(
            data, limits=limits, pages=[i]
        )[0]
    path = source
    return count_pages(path, limits), lambda i: load_page(path, i, limits)


def _page_documents(
    file: str,
    page: Page,
    *,
    kind: DocumentKind | str,
    settings: Settings,
    engine: OcrEngine | None,
    split: bool,
    progress: Progress | None,
    cancelled: Cancelled | None,
    prepared: Prepared | None = None,
) -> list[DocumentResult]:
    from omsdesktop.ocr.split import cut_out, find_documents, is_blank

    number = page.index + 1
    if is_blank(page.image):
        return [
            DocumentResult(
                file=file,
                quality=None,
                page=page,
                pages=(number,),
                note=BLANK_PAGE_RU.format(page=number),
                note_code="blank_page",
            )
        ]
    regions = find_documents(page.image, cancelled=cancelled) if split else []
    parts: list[DocumentResult] = []
    if len(regions) >= 2:
        for i, region in enumerate(regions):
            crop = Page(
                image=cut_out(page.image, region),
                dpi=page.dpi,
                index=page.index,
                page_count=page.page_count,
                source_format=page.source_format,
            )
            result = _process(
                file,
                functools.partial(_same, crop),
                kind=kind,
                settings=settings,
                engine=engine,
                read_fields=True,
                progress=functools.partial(_part_step, progress, i, len(regions) + 1),
                cancelled=cancelled,
            )
            parts.append(_replace(result, pages=(number,), region=region.box))
        if _split_holds(parts):
            return [_named(r, number, i + 1) for i, r in enumerate(parts)]
    whole = _process(
        file,
        lambda: page,
        kind=kind,
        settings=settings,
        engine=engine,
        read_fields=True,
        progress=progress,
        cancelled=cancelled,
        prepared=prepared,
    )
    if (len(regions) >= 2 and _second_unread(parts, whole)) or (
        whole.document is not None and whole.document.other_document_seen
    ):
        whole = _replace(whole, note=SECOND_DOCUMENT_RU, note_code="second_document")
    return [_named(_replace(whole, pages=(number,)), number, None)]


def _same(page: Page) -> Page:
    return page


def _part_step(progress: Progress | None, done: int, total: int, fraction: float) -> None:
    _step(progress, (done + fraction) / total)


_NUMBER_FIELDS = ("policy_number", "birth_certificate_number")


def _split_holds(parts: list[DocumentResult]) -> bool:
    """A cut is right when it gave two of our documents that are not one document's halves:
    different kinds, or different numbers, each read with certainty (half a policy can show
    the insurer's 13-digit OGRN where a number would be, which is no policy number)."""
    docs = [r for r in parts if r.kind is not DocumentKind.UNKNOWN and r.document is not None]
    if len(docs) < 2:
        return False
    if len({r.kind for r in docs}) > 1:
        return True
    numbers = set()
    for r in docs:
        assert r.document is not None
        for key in _NUMBER_FIELDS:
            fv = r.document.fields.get(key)
            if fv is not None and fv.value and not fv.needs_review:
                numbers.add(str(fv.value))
    return len(numbers) >= len(docs)


def _second_unread(parts: list[DocumentResult], whole: DocumentResult) -> bool:
    """The splitter saw two documents, the cut did not hold, and the page read whole as one of
    ours: say so, unless the parts look like one document's halves (both read as the same
    document, or the part read as ours holds fewer fields than the whole page)."""
    if whole.kind is DocumentKind.UNKNOWN or whole.document is None or whole.errors:
        return False
    ours = [r for r in parts if r.kind is not DocumentKind.UNKNOWN and r.document is not None]
    if len(ours) != 1 or len(parts) < 2:
        return False
    return _filled(ours[0]) >= _filled(whole) - 1


def _named(result: DocumentResult, page: int, part: int | None) -> DocumentResult:
    if result.kind is not DocumentKind.UNKNOWN or result.errors:
        return result
    if part is None:
        note = NOT_A_DOCUMENT_RU.format(page=page)
    else:
        note = NOT_A_DOCUMENT_PART_RU.format(page=page, part=part)
    return _replace(result, note=note, note_code="not_a_document")


def _is_electronic(result: DocumentResult) -> bool:
    if result.kind is not DocumentKind.OMS_POLICY or result.document is None:
        return False
    form = result.document.fields.get("policy_form")
    return form is not None and form.value == "electronic"


def _continues(previous: DocumentResult, found: list[DocumentResult], index: int) -> bool:
    """This page is the second page of the extract on the page before (see
    :func:`extract_documents`)."""
    if len(found) != 1 or found[0].note_code != "not_a_document" or found[0].region is not None:
        return False
    return _is_electronic(previous) and previous.region is None and previous.pages[-1:] == (index,)


def _filled(result: DocumentResult) -> int:
    if result.document is None:
        return 0
    return sum(1 for fv in result.document.fields.values() if fv.value is not None)


def _read_two_pages(
    file: str,
    first: DocumentResult,
    page1: Page,
    page2: Page,
    *,
    settings: Settings,
    engine: OcrEngine | None,
    cancelled: Cancelled | None,
) -> DocumentResult:
    """Read an extract printed over two pages as one page: the second under the first."""
    a, b = page1.image, page2.image
    width = max(a.shape[1], b.shape[1])

    def pad(img: Image) -> Image:
        if img.shape[1] == width:
            return img
        out = np.full((img.shape[0], width, 3), 255, np.uint8)
        out[:, : img.shape[1]] = img
        return out

    stacked = Page(
        image=np.ascontiguousarray(np.vstack([pad(a), pad(b)])),
        dpi=page1.dpi,
        index=page1.index,
        page_count=page1.page_count,
        source_format=page1.source_format,
    )
    both = _process(
        file,
        lambda: stacked,
        kind=DocumentKind.OMS_POLICY,
        settings=settings,
        engine=engine,
        read_fields=True,
        progress=None,
        cancelled=cancelled,
    )
    pages = (page1.index + 1, page2.index + 1)
    if both.document is not None and not both.errors and _filled(both) >= _filled(first):
        return _replace(both, pages=pages)
    return _replace(first, pages=pages)

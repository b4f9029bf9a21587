"""File to extracted document: load → quality → straighten → classify → read fields.

:func:`process_file` is the one long job every front end runs (CLI, window, batch). It is a
plain function with ``progress``/``cancelled`` callbacks; it never raises for a bad file — the
failure is returned in :attr:`DocumentResult.errors` as a typed error, so a batch goes on.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from omsdesktop.errors import CancelledError, InternalError, OmsError
from omsdesktop.forms.extract import extract_document, rotate_cw
from omsdesktop.forms.model import DocumentKind, ExtractedDocument
from omsdesktop.ocr.engine import OcrEngine, create_engine
from omsdesktop.ocr.intake import load_bytes, load_page
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
from omsdesktop.ocr.types import Image, Page, Problem
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

    def to_json(self) -> dict[str, Any]:
        fields = self.document.fields if self.document else {}
        return {
            "file": self.file,
            "kind": self.kind.value,
            "quality": self.quality.to_json() if self.quality else None,
            "fields": {name: fv.to_json() for name, fv in fields.items()},
            "errors": [e.to_json() for e in self.errors],
        }


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
) -> DocumentResult:
    import time

    want = DocumentKind.UNKNOWN if kind in ("auto", DocumentKind.UNKNOWN) else DocumentKind(kind)
    timings: dict[str, float] = {}
    result = DocumentResult(file=file, kind=want)
    try:
        t0 = time.perf_counter()
        page = load()
        timings["load"] = time.perf_counter() - t0
        result = _replace(result, page=page)
        _step(progress, 0.15)
        _check_cancel(cancelled)

        t0 = time.perf_counter()
        quality = assess(page, settings.quality)
        timings["quality"] = time.perf_counter() - t0
        result = _replace(result, quality=quality)
        _step(progress, 0.25)
        _check_cancel(cancelled)

        t0 = time.perf_counter()
        flat = straighten(page, cancelled=cancelled)
        timings["straighten"] = time.perf_counter() - t0
        result = _replace(result, straightened=flat)
        _step(progress, 0.35)
        _check_cancel(cancelled)

        if not read_fields and want is not DocumentKind.UNKNOWN:
            return _replace(result, timings=timings)

        engine = engine or create_engine(settings.ocr)
        t0 = time.perf_counter()
        document = extract_document(
            flat.image,
            engine=engine,
            kind=want,
            read_fields=read_fields,
            progress=(lambda f: _step(progress, 0.35 + 0.65 * f)),
            cancelled=cancelled,
        )
        timings["extract"] = time.perf_counter() - t0
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
        scan = is_scan(quality.metrics)
        document = flag_occluded_fields(document, flat.image, settings.quality, scan=scan)
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


OCCLUDED_MAX_CONFIDENCE = 0.5
"""Confidence cap of a field read under glare or a finger: what is read there looks certain
but may be a guess from half-hidden letters."""


def flag_occluded_fields(
    document: ExtractedDocument,
    image: Image,
    thresholds: QualityThresholds,
    *,
    scan: bool = False,
) -> ExtractedDocument:
    """Mark the fields lying under glare or a finger on the straightened ``image``.

    Such a field needs review, its confidence is capped and it carries a problem telling the
    user to retake the photo. Values from the barcode are exact and typed ones are the user's:
    they are left alone. ``scan``: the page is a flatbed scan (see ``glare_regions``). Never
    raises: this is a hint, and a failure only skips it.
    """
    try:
        regions = glare_regions(image, thresholds, scan=scan)
        if not regions:
            return document
        fields = dict(document.fields)
        for name, fv in document.fields.items():
            if fv.box is None or fv.source != "ocr":
                continue
            if not any(boxes_overlap(fv.box, region) for region in regions):
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

"""Page text with geometry: one OCR pass over a cleaned page, grouped into lines.

The field readers in ``omsdesktop.forms`` locate labels and values on this, then re-read each
value's region at full resolution with settings suited to the field (:func:`read_region`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import cv2
import numpy as np
import numpy.typing as npt

from omsdesktop.ocr.engine import PSM_AUTO, PSM_LINE, OcrEngine, Word, mean_confidence
from omsdesktop.ocr.geometry import np_percentile_u8
from omsdesktop.ocr.types import Box, Image

T = TypeVar("T")

# The page pass is scaled so the median letter-sized component (mostly lower-case x-height) is
# about PAGE_TEXT_HEIGHT px: enough for Tesseract to find and read lines, and several times
# faster than a 300-dpi page at full size. Re-reads of single fields scale the word box (capitals
# with ascenders) to about FIELD_WORD_HEIGHT px, where Tesseract's LSTM is most accurate.
PAGE_TEXT_HEIGHT = 16.0
FIELD_WORD_HEIGHT = 36.0


@dataclass(frozen=True)
class Line:
    """One visual line of words. What is derived from its words is worked out once: the
    readers ask a page's lines for their boxes and texts thousands of times."""

    words: tuple[Word, ...]

    @functools.cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @functools.cached_property
    def box(self) -> Box:
        return union_boxes([w.box for w in self.words])

    @functools.cached_property
    def height(self) -> float:
        return float(np.median([w.box.height for w in self.words]))

    @functools.cached_property
    def confidence(self) -> float:
        return mean_confidence(self.words)


@dataclass(frozen=True, eq=False)
class PageText:
    """Words of a page in the coordinates of the full-resolution cleaned image."""

    lines: tuple[Line, ...]
    image: Image  # cleaned grey page at full resolution (for re-reads and crops)
    scale: float  # the first pass ran at this scale
    # What the readers derive from these words (the form it registers to, its kind), kept
    # with the page so it is worked out once however many readers ask; it goes with the page.
    memo: dict[object, object] = field(default_factory=dict, init=False, repr=False)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]


def union_boxes(boxes: Sequence[Box]) -> Box:
    x0 = min(b.x for b in boxes)
    y0 = min(b.y for b in boxes)
    x1 = max(b.x + b.width for b in boxes)
    y1 = max(b.y + b.height for b in boxes)
    return Box(x0, y0, x1 - x0, y1 - y0)


# Memory: a straightened 12 MP photo is a 9 MB grey page, and every whole-page mask or copy is
# another 9 MB; written naively, cleaning one page held some fifteen of them at once (about
# 150 MB at the peak, issue #12). Steps that work pixel by pixel run over bands of rows, so their
# temporaries stay a few MB whatever the page size; the results are the same to the bit.
_BAND_ROWS = 256


def _row_bands(height: int, rows: int = _BAND_ROWS) -> Iterator[tuple[int, int]]:
    for top in range(0, height, rows):
        yield top, min(height, top + rows)


def clean_page(image: Image) -> Image:
    """Grey page with even illumination and a pale background removed.

    Uses the darkest channel so red print (the certificate's series and number) stays dark, and
    divides by a background estimate so shadows and lighting gradients on photos go away.
    """
    grey = image if image.ndim == 2 else _drop_blue_ink(image)
    h, w = grey.shape[:2]
    # Background estimate on a small copy: closing removes text strokes, blur smooths.
    small_side = 600
    f = small_side / max(h, w)
    small = cv2.resize(grey, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    k = max(3, round(15 * f * max(h, w) / 2500) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), 3)
    bg = np.asarray(cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR))
    np.maximum(bg, 1, out=bg)
    norm = np.asarray(cv2.divide(grey, bg, scale=255), dtype=np.uint8)
    del bg, grey
    # Stretch so faint guilloche goes white and text stays black.
    sample = norm[:: max(1, h // 400), :: max(1, w // 400)]
    lo, hi = (float(v) for v in np_percentile_u8(sample, (1, 60)))
    if hi - lo < 10:
        return norm
    levels = (np.arange(256, dtype=np.float32) - lo) * (255.0 / (hi - lo))
    lut = np.clip(levels, 0, 255).astype(np.uint8)
    cv2.LUT(norm, lut, dst=norm)  # pixel by pixel: in place is safe
    _erase_rules(norm)
    return norm


def remove_rules(grey: Image) -> Image:
    """Erase long horizontal and vertical rules (underlines, table borders).

    Values printed on an underline, or inside a table cell, touch the rule; Tesseract then
    takes the line and its text for a picture and drops it. Rules are found as long thin runs of
    ink and painted white; the few pixels where a letter crosses a rule go with it. ``grey`` is
    left as it is (a page without rules comes back as the same array).
    """
    cleaned = grey.copy()
    return cleaned if _erase_rules(cleaned) else grey


def _erase_rules(grey: Image) -> bool:
    """:func:`remove_rules` in place; False when the page has no rules (nothing changed)."""
    h, w = grey.shape[:2]
    ink = np.less(grey, 128).view(np.uint8)  # 0/1, no copy of the mask
    # The columns on the second core while the rows are opened here.
    columns = beside(lambda: _long_runs(ink, max(40, h // 12), axis=0))
    horizontal = _long_runs(ink, max(40, w // 12), axis=1)
    vertical = columns()
    rules = np.asarray(
        cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8)),
        dtype=np.uint8,
    )
    points = cv2.findNonZero(rules)
    if points is None:
        return False
    # Keep rule pixels that a letter's stroke crosses (ink just above and just below a
    # horizontal rule, or left and right of a vertical one): "д", "р", "у" keep their tails.
    # (Keeping the feet of letters that stand on a rule, as the re-reads do, was tried for
    # the page pass too: it lost a plastic card's classification on a 200-dpi scan.)
    # Worked out at the rule pixels only: they are a percent or two of the page.
    xy: npt.NDArray[np.intp] = np.asarray(points).reshape(-1, 2).astype(np.intp)
    xs, ys = xy[:, 0], xy[:, 1]
    k = RULE_FOOT_PX
    up, down = _ink_at(ink, ys - k, xs), _ink_at(ink, ys + k, xs)
    left, right = _ink_at(ink, ys, xs - k), _ink_at(ink, ys, xs + k)
    crossing = (up & down & (horizontal[ys, xs] == 0)) | (left & right & (vertical[ys, xs] == 0))
    grey[ys[~crossing], xs[~crossing]] = 255
    return True


def _ink_at(
    ink: Image, ys: npt.NDArray[np.intp], xs: npt.NDArray[np.intp]
) -> npt.NDArray[np.bool_]:
    """``ink[ys, xs]`` as booleans, False where a point falls outside the mask."""
    h, w = ink.shape[:2]
    inside = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
    out = np.zeros(ys.shape, dtype=bool)
    out[inside] = ink[ys[inside], xs[inside]] != 0
    return out


# A run of ink ``length`` long holds at least (length - 7) // 8 whole blocks of 8 pixels in a
# row: rows (or columns) without such a row of blocks are left out of the exact opening.
_RUN_BLOCK = 8


def _long_runs(ink: Image, length: int, *, axis: int) -> Image:
    """The 0/1 mask ``ink`` opened by a line ``length`` pixels long along ``axis`` (1: rows,
    horizontal rules; 0: columns, vertical ones): ink that lies in such a run.

    The same pixels as ``cv2.morphologyEx(ink, MORPH_OPEN, line)`` over the whole page (the
    opening works row by row, or column by column), but only the rows that can hold a run that
    long are opened: a page's rules are a few dozen rows of thousands.
    """
    size = (length, 1) if axis == 1 else (1, length)
    line = cv2.getStructuringElement(cv2.MORPH_RECT, size)
    blocks_needed = (length - (_RUN_BLOCK - 1)) // _RUN_BLOCK
    if blocks_needed < 2 or ink.shape[axis] < _RUN_BLOCK * blocks_needed:
        return np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, line), dtype=np.uint8)
    # Each pixel: all ink in the block of 8 starting there; every 8th of them is a whole block.
    block = (_RUN_BLOCK, 1) if axis == 1 else (1, _RUN_BLOCK)
    whole = cv2.erode(ink, np.ones(block[::-1], np.uint8), anchor=(0, 0))
    whole = whole[:, ::_RUN_BLOCK] if axis == 1 else whole[::_RUN_BLOCK, :]
    in_a_row = (blocks_needed, 1) if axis == 1 else (1, blocks_needed)
    found = cv2.erode(np.ascontiguousarray(whole), np.ones(in_a_row[::-1], np.uint8))
    lines = np.flatnonzero(np.asarray(found).any(axis=axis))
    out = np.zeros_like(ink)
    if lines.size == 0:
        return out
    if axis == 1:
        out[lines] = np.asarray(cv2.morphologyEx(ink[lines], cv2.MORPH_OPEN, line))
    else:
        out[:, lines] = np.asarray(cv2.morphologyEx(ink[:, lines], cv2.MORPH_OPEN, line))
    return out


RULE_FOOT_PX = 4
"""How far above a rule's pixel a letter's stroke is looked for (more than a printed rule is
thick, at 200-300 dpi)."""


def keep_letter_feet(ink: Image, horizontal: Image, rules: Image) -> Image:
    """Of ``rules`` (0/255), the pixels to paint white: not those a letter stands on.

    ``ink`` is the 0/255 ink mask and ``horizontal`` its long horizontal runs. A rule pixel
    stays where it is ink with a letter's stroke (ink that is not the rule) just above it.
    """
    k = RULE_FOOT_PX
    letters = cv2.bitwise_and(ink, cv2.bitwise_not(horizontal))
    above = np.zeros_like(letters)
    above[k:] = letters[:-k]
    keep = cv2.bitwise_and(above, ink)
    return np.asarray(cv2.bitwise_and(rules, cv2.bitwise_not(keep)), dtype=np.uint8)


def darkest_channel(image: Image) -> Image:
    """Per pixel, the darkest of the three channels (red and black print both stay dark).

    OpenCV's per-channel minimum: numpy's reduction over a 3-wide last axis is several times
    slower on a page-sized image.
    """
    if image.ndim == 2:
        return image
    b, g, r = cv2.split(image)
    return np.asarray(cv2.min(cv2.min(b, g), r))


def _drop_blue_ink(image: Image) -> Image:
    """The darkest channel, with blue and violet ink (seals, signatures) turned pale.

    Russian seals and signatures are blue or violet; the printed values are black or red. The
    darkest channel keeps red print dark, and taking the brightest channel where a pixel is
    clearly blue or violet makes a seal over a value fade instead of hiding it.

    Under tinted light (a photo under a lamp: the paper itself orange) colours are judged
    after balancing the channels to the paper's own white, where a pale seal's violet is
    what sets it apart: left dark, its stroke across a «1» made a «4» at every scale.
    """
    # OpenCV's per-channel operations: numpy's reductions over a 3-wide last axis are several
    # times slower on a full page. Saturating subtraction keeps the comparisons exact because
    # every threshold is positive. Band by band: only the grey result is page-sized.
    # The lower half's bands on the second core, the upper half's here.
    grey: Image = np.empty(image.shape[:2], dtype=np.uint8)
    bands = list(_row_bands(image.shape[0]))
    half = len(bands) // 2
    gains = _white_balance(image)
    lower = beside(lambda: _drop_blue_in_bands(image, grey, bands[half:], gains))
    _drop_blue_in_bands(image, grey, bands[:half], gains)
    lower()
    return grey


_TINT_MIN = 10
"""How far apart (of 255) the paper's channels must be for the page to count as tinted."""

_BLUE = (25, 30, 15)
"""Blue: B over the larger of R and G; violet: B over G, R over G (R and B close)."""

_BLUE_BALANCED = (20, 18, 6)
"""The same on a tinted page balanced to its paper: a pale seal in lamp light (B 109, G 94,
R 112 on paper B 200, G 214, R 223) balances to B 122, G 98, R 112."""


def _white_balance(image: Image) -> tuple[float, float, float] | None:
    """Gains that make the paper's colour grey, or None where the paper is grey already."""
    sample = image[::8, ::8]
    paper = [float(np_percentile_u8(sample[:, :, c], 90)) for c in range(3)]
    if max(paper) - min(paper) < _TINT_MIN:
        return None
    top = max(paper)
    b, g, r = (top / max(p, 1.0) for p in paper)
    return b, g, r


def _drop_blue_in_bands(
    image: Image,
    grey: Image,
    bands: Sequence[tuple[int, int]],
    gains: tuple[float, float, float] | None = None,
) -> None:
    over_rg, over_g, red_over_g = _BLUE if gains is None else _BLUE_BALANCED
    for y0, y1 in bands:
        b, g, r = cv2.split(image[y0:y1])
        band = np.asarray(cv2.min(cv2.min(b, g), r))
        if gains is None:
            cb, cg, cr = b, g, r
        else:
            cb, cg, cr = (
                cv2.convertScaleAbs(c, alpha=k) for c, k in zip((b, g, r), gains, strict=True)
            )
        blue = cv2.subtract(cb, cv2.max(cr, cg)) > over_rg
        blue |= (
            (cv2.subtract(cb, cg) > over_g)
            & (cv2.subtract(cr, cg) > red_over_g)
            & (cv2.subtract(cr, cb) <= 10)
        )
        if blue.any():
            band[blue] = np.asarray(cv2.max(cv2.max(b, g), r))[blue]
        grey[y0:y1] = band


def estimate_text_height(grey: Image) -> float:
    """Median height of letter-sized dark connected components (pixels)."""
    h, w = grey.shape[:2]
    f = min(1.0, 1600 / max(h, w))
    small = grey if f == 1.0 else cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if n <= 1:
        return 0.0
    hs = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    ws = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float64)
    keep = (hs >= 4) & (hs <= small.shape[0] / 20) & (ws <= hs * 3) & (ws >= 2)
    if keep.sum() < 10:
        return 0.0
    return float(np.median(hs[keep])) / float(f)


def group_lines(words: Sequence[Word]) -> list[Line]:
    """Visual lines: Tesseract's own lines, joined when they share a row.

    A label and its value are often separate blocks for Tesseract; they share a row when they
    overlap vertically by most of the smaller one's height and are of comparable size. A small
    caption under a value is not of comparable size, so it stays a line of its own even where
    the two touch.
    """
    by_key: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        by_key.setdefault(w.line_key, []).append(w)
    rows: list[list[Word]] = []
    # Each row's box and median word height, worked out again only when the row grows.
    shapes: list[tuple[Box, float]] = []
    for piece in sorted(by_key.values(), key=lambda ws: min(w.box.x for w in ws)):
        p_box = union_boxes([w.box for w in piece])
        p_h = float(np.median([w.box.height for w in piece]))
        best = None
        best_overlap = 0.0
        for i, (r_box, r_h) in enumerate(shapes):
            if not 0.55 <= p_h / max(r_h, 1.0) <= 1.8:
                continue
            lo = max(p_box.y, r_box.y)
            hi = min(p_box.y + p_box.height, r_box.y + r_box.height)
            overlap = (hi - lo) / max(1, min(p_box.height, r_box.height))
            if overlap > 0.5 and overlap > best_overlap:
                best, best_overlap = i, overlap
        if best is None:
            rows.append(list(piece))
            shapes.append((p_box, p_h))
        else:
            row = rows[best]
            row.extend(piece)
            shapes[best] = (
                union_boxes([w.box for w in row]),
                float(np.median([w.box.height for w in row])),
            )
    out = [Line(tuple(sorted(row, key=lambda w: w.box.x))) for row in rows]
    out.sort(key=lambda ln: (ln.box.y + ln.box.height / 2, ln.box.x))
    return out


def rescale(image: Image, scale: float) -> tuple[Image, float]:
    """``image`` resized by ``scale`` (area averaging down, cubic up) and the scale applied.

    Within 5 % of 1 the image is left as it is and the scale returned is 1.0, so callers map
    word boxes back by the returned scale.
    """
    if abs(scale - 1.0) <= 0.05:
        return image, 1.0
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return np.asarray(cv2.resize(image, None, fx=scale, fy=scale, interpolation=interp)), scale


def page_pass_scale(cleaned: Image) -> float:
    """The scale the page pass reads ``cleaned`` at: its text ~PAGE_TEXT_HEIGHT px tall."""
    return scale_for_text_height(estimate_text_height(cleaned))


def scale_for_text_height(text_height: float) -> float:
    """:func:`page_pass_scale` of a page whose letters are ``text_height`` px tall."""
    if text_height <= 0:
        return 1.0
    return float(np.clip(PAGE_TEXT_HEIGHT / text_height, 0.3, 2.0))


def read_page(
    engine: OcrEngine,
    image: Image,
    *,
    lang: str = "rus",
    psm: int = PSM_AUTO,
    max_scale: float | None = None,
    cleaned: Image | None = None,
    scale: float | None = None,
) -> PageText:
    """One OCR pass over the whole page, scaled so text is ~PAGE_TEXT_HEIGHT px tall.

    ``max_scale`` caps the scale (a page with small print is otherwise enlarged, and the
    pass costs as many times more as it has pixels); ``cleaned`` is ``clean_page(image)``
    and ``scale`` is ``page_pass_scale(cleaned)``, when the caller has them already.
    """
    if cleaned is None:
        cleaned = clean_page(image)
    if scale is None:
        scale = page_pass_scale(cleaned)
    if max_scale is not None:
        scale = min(scale, max_scale)
    work, scale = rescale(cleaned, scale)
    words = _read_in_bands(engine, work, lang=lang, psm=psm)
    if scale != 1.0:
        words = [_scale_word(w, 1.0 / scale) for w in words]
    return PageText(lines=tuple(group_lines(words)), image=cleaned, scale=scale)


PAGE_THREADS_ENV = "OMSDESKTOP_PAGE_THREADS"
"""Set to 1 where the cores are already busy (the batch workers do): the page pass then runs
on the calling thread alone."""

_SIDE_THREAD = "ocr-band"
_band_pool: ThreadPoolExecutor | None = None
_band_pool_lock = threading.Lock()


def page_threads() -> int:
    """How many threads the page pass may use: two on a machine with two cores or more."""
    configured = os.environ.get(PAGE_THREADS_ENV, "").strip()
    if configured.isdigit() and int(configured) >= 1:
        return min(2, int(configured))
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def _second_thread() -> ThreadPoolExecutor:
    global _band_pool
    with _band_pool_lock:
        if _band_pool is None:
            # One long-lived thread, so its Tesseract instance (one per thread) stays loaded.
            _band_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=_SIDE_THREAD)
        return _band_pool


def beside(job: Callable[[], T]) -> Callable[[], T]:
    """Start ``job`` on the OCR side thread, the page pass's second core, while the caller
    goes on; the returned call waits for its result (and raises what it raised).

    For work that only reads what it is given (the quality checks beside the straightening,
    one field's re-reads beside another's). Where the page pass may use one core only (see
    :data:`PAGE_THREADS_ENV`), and on the side thread itself, ``job`` runs at once.
    """
    if page_threads() < 2 or _on_side_thread():
        value = job()
        return lambda: value
    return _second_thread().submit(job).result


_idle = threading.local()


@contextlib.contextmanager
def when_idle(job: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """``job``, run by this thread while it waits for the page pass's other band, if it does.

    The two bands of a page are rarely the same work: the thread that finishes first waits,
    with a core idle. A job queued here (work that only reads what it is given, and does not
    need the page's text) runs in that wait; the call yielded returns its result, running it
    then if no wait came. Leaving the block drops a job that never ran, so it can never run
    in another page's pass.
    """
    state: dict[str, Any] = {}

    def run() -> None:
        if "done" in state:
            return
        state["done"] = True
        try:
            state["value"] = job()
        except Exception as exc:  # handed to whoever asks for the result
            state["error"] = exc

    def result() -> T:
        run()
        if "error" in state:
            raise state["error"]
        return cast(T, state["value"])

    queue: list[Callable[[], None]] = _idle.__dict__.setdefault("jobs", [])
    queue.append(run)
    try:
        yield result
    finally:
        if run in queue:
            queue.remove(run)


def _run_idle_jobs() -> None:
    queue: list[Callable[[], None]] = _idle.__dict__.get("jobs", [])
    while queue:
        queue.pop(0)()


def _on_side_thread() -> bool:
    return threading.current_thread().name.startswith(_SIDE_THREAD)


def band_cut(grey: Image) -> int | None:
    """A row near the middle of the page that no text crosses, or None.

    The page pass reads the two halves on two cores (Tesseract releases the GIL). Cutting
    through blank rows keeps every text line whole; the blank run nearest the middle wins,
    and a page with none (a picture, a dense table without gaps) is read in one piece.
    """
    h = grey.shape[0]
    if h < 200:
        return None
    lo, hi = int(h * 0.3), int(h * 0.7)
    ink = np.asarray(grey[lo:hi]) < 128
    # Columns inked much of the way down (a frame, a dotted border, the paper's edge in a
    # photo) cross every row; they are not text and do not stop a cut.
    upright = ink.mean(axis=0) > 0.3
    blank = np.count_nonzero(ink[:, ~upright], axis=1) == 0
    if not blank.any():
        return None
    best: tuple[float, int] | None = None
    start = None
    for i, b in enumerate([*blank.tolist(), False]):
        if b and start is None:
            start = i
        elif not b and start is not None:
            length = i - start
            if length >= 3:
                mid = lo + (start + i) // 2
                # Prefer wide gaps (between paragraphs) that are near the middle.
                cost = abs(mid - h / 2) / h - 0.01 * min(length, 20)
                if best is None or cost < best[0]:
                    best = (cost, mid)
            start = None
    return None if best is None else best[1]


def _read_in_bands(engine: OcrEngine, image: Image, *, lang: str, psm: int) -> list[Word]:
    # On the side thread itself (a page read again beside other work) the page is one band:
    # a job there must never wait for another job there.
    cut = band_cut(image) if page_threads() >= 2 and not _on_side_thread() else None
    if cut is None:
        return engine.read(image, lang=lang, psm=psm)
    lower = _second_thread().submit(engine.read, image[cut:], lang=lang, psm=psm)
    upper_words = engine.read(image[:cut], lang=lang, psm=psm)
    if not lower.done():
        _run_idle_jobs()  # the lower band is still being read: the queued work, meanwhile
    lower_words = [
        Word(
            text=w.text,
            confidence=w.confidence,
            box=Box(w.box.x, w.box.y + cut, w.box.width, w.box.height),
            # Distinct line keys: Tesseract numbers the blocks of each band from 1.
            line_key=(w.line_key[0] + 100_000, w.line_key[1], w.line_key[2]),
        )
        for w in lower.result()
    ]
    return [*upper_words, *lower_words]


def reread_band(
    engine: OcrEngine,
    page: PageText,
    y0: int,
    y1: int,
    *,
    lang: str = "rus",
    psm: int = PSM_AUTO,
) -> list[Line]:
    """The rows ``y0``..``y1`` of the page read again on their own, at the page pass's scale.

    Tesseract's layout analysis of a whole page can take a line for part of a picture (large
    red print beside a round seal) and drop it; read alone, the band's lines come back. The
    words are in the page's coordinates.
    """
    h = page.image.shape[0]
    y0, y1 = max(0, y0), min(h, y1)
    if y1 - y0 < 8:
        return []
    work, scale = rescale(page.image[y0:y1], page.scale)
    words = engine.read(work, lang=lang, psm=psm)
    if scale != 1.0:
        words = [_scale_word(w, 1.0 / scale) for w in words]
    shifted = [
        Word(
            text=w.text,
            confidence=w.confidence,
            box=Box(w.box.x, w.box.y + y0, w.box.width, w.box.height),
            line_key=w.line_key,
        )
        for w in words
    ]
    return group_lines(shifted)


def _scale_word(w: Word, f: float) -> Word:
    b = w.box
    return Word(
        text=w.text,
        confidence=w.confidence,
        box=Box(int(b.x * f), int(b.y * f), round(b.width * f), round(b.height * f)),
        line_key=w.line_key,
    )


def crop(image: Image, box: Box, pad_x: float = 0.3, pad_y: float = 0.12) -> tuple[Image, Box]:
    """The region of ``box`` with padding relative to its height, clipped to the image."""
    h, w = image.shape[:2]
    px = int(box.height * pad_x) + 4
    py = int(box.height * pad_y) + 2
    x0, y0 = max(0, box.x - px), max(0, box.y - py)
    x1, y1 = min(w, box.x + box.width + px), min(h, box.y + box.height + py)
    return image[y0:y1, x0:x1], Box(x0, y0, x1 - x0, y1 - y0)


def _mask_other_lines(page: PageText, region: Image, where: Box, target: Box) -> Image:
    """White out words of other lines that reach into the crop (a caption under a value)."""
    masked: Image | None = None
    for w in page.words:
        b = w.box
        if b.y + b.height <= where.y or b.y >= where.y + where.height:
            continue
        if b.x + b.width <= where.x or b.x >= where.x + where.width:
            continue
        lo = max(b.y, target.y)
        hi = min(b.y + b.height, target.y + target.height)
        if (hi - lo) > 0.5 * min(b.height, target.height):
            continue  # on the target's own line
        if masked is None:
            masked = region.copy()
        y0 = max(0, b.y - where.y)
        y1 = min(where.height, b.y + b.height - where.y)
        x0 = max(0, b.x - where.x)
        x1 = min(where.width, b.x + b.width - where.x)
        masked[y0:y1, x0:x1] = 255
    return region if masked is None else masked


def read_region(
    engine: OcrEngine,
    page: PageText,
    box: Box,
    *,
    lang: str = "rus",
    whitelist: str | None = None,
    psm: int = PSM_LINE,
    height: float = FIELD_WORD_HEIGHT,
) -> list[Word]:
    """Re-read one region of the page at a good scale; words come back in page coordinates.

    ``height`` is the word-box height (px) the region is scaled to; reading one value at two
    scales gives two fairly independent readings.
    """
    region, where = crop(page.image, box)
    if region.size == 0:
        return []
    region = _mask_other_lines(page, region, where, box)
    scale = float(np.clip(height / max(box.height, 1), 0.3, 3.0))
    work, scale = rescale(region, scale)
    # A white margin helps Tesseract with text touching the crop edge.
    work = np.asarray(cv2.copyMakeBorder(work, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255))
    words = engine.read(work, lang=lang, psm=psm, whitelist=whitelist)
    out: list[Word] = []
    for w in words:
        b = w.box
        out.append(
            Word(
                text=w.text,
                confidence=w.confidence,
                box=Box(
                    where.x + int((b.x - 10) / scale),
                    where.y + int((b.y - 10) / scale),
                    round(b.width / scale),
                    round(b.height / scale),
                ),
                line_key=w.line_key,
            )
        )
    return out

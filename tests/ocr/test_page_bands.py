"""The page pass in two bands (two cores), and classifying a card with one digit misread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import cv2
import numpy as np
import pytest

from omsdesktop.forms import certificate, pipeline, policy, temporary, unified
from omsdesktop.forms.extract import classify, extract_document
from omsdesktop.forms.model import DocumentKind
from omsdesktop.forms.pipeline import process_bytes
from omsdesktop.ocr.engine import OcrEngine, Word, create_engine
from omsdesktop.ocr.layout import (
    PAGE_THREADS_ENV,
    Line,
    PageText,
    band_cut,
    beside,
    read_page,
    when_idle,
)
from omsdesktop.ocr.types import Box
from tests.docgen import degrade, generate_certificate, generate_policy, generate_real

T = TypeVar("T")


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    return create_engine()


def _page(h: int = 1000, w: int = 600) -> np.ndarray:
    return np.full((h, w), 255, dtype=np.uint8)


def test_cut_falls_in_the_blank_gap_nearest_the_middle() -> None:
    grey = _page()
    grey[100:480, 50:550:7] = 0  # text-like ink down to row 480
    grey[540:900, 50:550:7] = 0  # and again from row 540
    cut = band_cut(grey)
    assert cut is not None and 480 <= cut < 540


def test_no_cut_where_text_crosses_every_middle_row() -> None:
    grey = _page()
    for r in range(grey.shape[0]):  # slanting strokes: ink on every row, no column inked long
        x = (r * 3) % 500
        grey[r, x + 20 : x + 26] = 0
    assert band_cut(grey) is None


def test_a_frame_down_the_side_does_not_stop_the_cut() -> None:
    grey = _page()
    grey[:, 5:8] = 0  # the page's frame
    grey[100:480, 50:550:7] = 0
    grey[540:900, 50:550:7] = 0
    cut = band_cut(grey)
    assert cut is not None and 480 <= cut < 540


@pytest.mark.parametrize("kind", ["certificate", "policy"])
def test_two_bands_read_the_fields_one_pass_reads(engine, monkeypatch, kind) -> None:
    doc = (
        generate_certificate(31, layout="labels_left")
        if kind == "certificate"
        else generate_policy(31, form="unified")
    )
    monkeypatch.setenv(PAGE_THREADS_ENV, "1")
    whole = extract_document(doc.image, engine=engine)
    monkeypatch.setenv(PAGE_THREADS_ENV, "2")
    page = read_page(engine, doc.image)
    assert band_cut(page.image) is not None  # these pages do split
    # Line keys of the two bands do not collide, so no line is merged with one of the other.
    keys = [w.line_key for w in page.words]
    lower = [k for k in keys if k[0] >= 100_000]
    assert lower and len(lower) < len(keys)
    banded = extract_document(doc.image, engine=engine)
    assert banded.kind is whole.kind
    right_whole = {n for n, v in doc.truth.items() if whole.fields[n].value == v}
    right_banded = {n for n, v in doc.truth.items() if banded.fields[n].value == v}
    assert len(right_whole) >= len(doc.truth) - 1
    assert right_whole <= right_banded, right_whole - right_banded


def test_a_job_beside_runs_on_the_other_thread_and_hands_back_its_result(monkeypatch) -> None:
    monkeypatch.setenv(PAGE_THREADS_ENV, "2")
    here = threading.current_thread().name
    assert beside(lambda: threading.current_thread().name)() != here

    def fails() -> None:
        raise ValueError("from the side thread")

    waiter = beside(fails)
    with pytest.raises(ValueError, match="from the side thread"):
        waiter()
    monkeypatch.setenv(PAGE_THREADS_ENV, "1")  # the batch workers: one core each
    assert beside(lambda: threading.current_thread().name)() == here


def test_a_job_beside_that_reads_a_page_reads_it_whole_and_does_not_wait_on_itself(
    engine, monkeypatch
) -> None:
    monkeypatch.setenv(PAGE_THREADS_ENV, "2")
    doc = generate_certificate(31, layout="labels_left")
    side = threading.current_thread().name
    nested = beside(lambda: beside(lambda: threading.current_thread().name)())()
    assert nested != side  # ran on the side thread, inline there (a queue of one would hang)
    page = beside(lambda: read_page(engine, doc.image))()
    assert page.words and all(w.line_key[0] < 100_000 for w in page.words)  # one band


def _lower_half_only(image: np.ndarray) -> np.ndarray:
    """The page with its upper half blank: that band reads in no time, the other does not."""
    out = image.copy()
    out[: out.shape[0] // 2] = 255
    return out


def test_a_job_when_idle_runs_while_the_other_band_is_read(engine, monkeypatch) -> None:
    monkeypatch.setenv(PAGE_THREADS_ENV, "2")
    image = _lower_half_only(generate_certificate(31, layout="labels_left").image)
    ran: list[str] = []

    def job() -> int:
        ran.append(threading.current_thread().name)
        return 42

    with when_idle(job) as result:
        page = read_page(engine, image)
        # Ran in the wait for the lower band, on this thread, before anyone asked.
        assert ran == [threading.current_thread().name]
    assert any(w.line_key[0] >= 100_000 for w in page.words)  # two bands were read
    assert result() == 42 and len(ran) == 1


def test_a_job_when_idle_that_never_ran_is_dropped_and_runs_when_asked(engine, monkeypatch) -> None:
    monkeypatch.setenv(PAGE_THREADS_ENV, "2")
    image = _lower_half_only(generate_certificate(31, layout="labels_left").image)
    ran: list[int] = []
    with when_idle(lambda: ran.append(1) or len(ran)) as result:
        pass
    read_page(engine, image)  # a later page's wait: not this job's
    assert ran == []
    assert result() == 1 and result() == 1  # asked: runs once, then the same answer

    def fails() -> None:
        raise ValueError("glare check")

    with when_idle(fails) as failing:
        read_page(engine, image)
    with pytest.raises(ValueError, match="glare check"):
        failing()


@pytest.mark.parametrize("form", ["birth_certificate", "temporary_real", "unified_real"])
def test_fields_read_side_by_side_are_the_fields_read_one_after_another(
    engine, monkeypatch, form
) -> None:
    # The certificate's series, the temporary certificate's dates and insurer, the unified
    # policy's barcode, number and line of birth and the quality checks run on the second
    # core: the same result.
    if form == "birth_certificate":
        doc = generate_certificate(4200, layout="caption_below")
    else:
        doc = generate_real(4200, form, "train")
    image, _ = degrade(doc, "scan300", seed=4200)
    ok, buf = cv2.imencode(".png", image)
    assert ok
    data = buf.tobytes()
    monkeypatch.setenv(PAGE_THREADS_ENV, "2")
    two = process_bytes(data, engine=engine)  # side by side
    for module in (certificate, policy, temporary, unified, pipeline):
        monkeypatch.setattr(module, "beside", _inline)
    one = process_bytes(data, engine=engine)  # one after another, the page pass the same
    for result in (one, two):
        assert result.document is not None and result.quality is not None
    assert two.quality == one.quality
    assert two.document.fields == one.document.fields
    right = [n for n, v in doc.truth.items() if two.document.fields[n].value == v]
    assert len(right) >= len(doc.truth) - 2


def _inline(job: Callable[[], T]) -> Callable[[], T]:
    value = job()
    return lambda: value


def _line(*texts: str, y: int) -> Line:
    words = []
    x = 10
    for t in texts:
        words.append(Word(t, 0.9, Box(x, y, 20 * len(t), 30), (1, 1, y)))
        x += 20 * len(t) + 15
    return Line(tuple(words))


def _page_of(*lines: Line) -> PageText:
    return PageText(lines=tuple(lines), image=_page(), scale=1.0)


def test_a_card_number_with_a_misread_digit_still_says_policy() -> None:
    # "2319 6627 6768 7055" with the first group misread: the check digit fails, the shape
    # (four groups of four digits, nothing of a certificate) still tells a card.
    page = _page_of(
        _line("2519", "6627", "6768", "7055", y=100),
        _line("КИРИЛЛОВ", y=150),
        _line("Дата", "рождения", "Пол", "Дата", "выдачи", y=200),
    )
    assert classify(page) is DocumentKind.OMS_POLICY
    run = _page_of(_line("6314077372244523", y=100), _line("ПОЛЯКОВ", y=150))
    assert classify(run) is DocumentKind.OMS_POLICY


def test_a_record_number_is_not_a_card_number() -> None:
    page = _page_of(_line("120194092738144036915", y=100), _line("БЕЛЕЦКАЯ", y=150))
    assert classify(page) is DocumentKind.UNKNOWN
    short = _page_of(_line("2519", "6627", "6768", y=100))
    assert classify(short) is DocumentKind.UNKNOWN

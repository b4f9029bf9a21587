"""What makes reading faster must not change what is read (issue #12, "Faster reading").

The page is registered to its form once however many readers ask, and the unified policy's
PDF417 is decoded from its registered strip, with the whole page as the fallback.
"""

from __future__ import annotations

import numpy as np
import pytest

from omsdesktop.forms import policy_barcode
from omsdesktop.forms.extract import classify
from omsdesktop.forms.model import DocumentKind
from omsdesktop.forms.unified import ANCHORS, BARCODE_ZONE, register_unified
from omsdesktop.ocr.barcode import read_policy_barcode
from omsdesktop.ocr.engine import Word
from omsdesktop.ocr.layout import PageText, group_lines, read_page
from omsdesktop.ocr.types import Box
from tests.docgen.render_real import generate_real


def _page(scale: float = 10.0, tx: float = 120.0, ty: float = -40.0) -> PageText:
    words = []
    for i, a in enumerate(ANCHORS):
        left, right = int(scale * a.x0 + tx), int(scale * a.x1 + tx)
        box = Box(left, int(scale * a.cy + ty - 15), right - left, 30)
        words.append(Word(a.text, 0.95, box, (0, 0, i)))
    return PageText(
        lines=tuple(group_lines(words)), image=np.full((2200, 1800), 255, np.uint8), scale=1.0
    )


def test_registration_and_kind_are_worked_out_once_per_page() -> None:
    page = _page()
    first = register_unified(page)
    assert first is not None
    assert register_unified(page) is first
    assert classify(page) is DocumentKind.OMS_POLICY
    assert page.memo["kind"] is DocumentKind.OMS_POLICY
    # Another page (other words) is registered afresh, not from the first page's memo.
    other = _page(tx=60.0)
    again = register_unified(other)
    assert again is not None and again is not first
    assert again.px(0.0, 0.0)[0] == pytest.approx(60.0, abs=2.0)


@pytest.mark.slow  # real Tesseract and zxing on a drawn page
def test_barcode_from_its_strip_matches_the_whole_page() -> None:
    from omsdesktop.ocr.engine import create_engine

    doc = generate_real(5001, "unified_real", "train")
    page = read_page(create_engine(), doc.image)
    reg = register_unified(page)
    assert reg is not None
    whole = read_policy_barcode(doc.image)
    strip = policy_barcode.registered_barcode(doc.image, reg)
    assert whole is not None and strip is not None
    # The same payload, and the box in page coordinates, inside the strip searched.
    assert (strip.enp, strip.birth_date, strip.sex) == (whole.enp, whole.birth_date, whole.sex)
    zone = reg.box(BARCODE_ZONE, doc.image.shape)
    assert zone.x <= strip.box.x and strip.box.x + strip.box.width <= zone.x + zone.width
    # zxing places the box a few pixels differently on a smaller image; within a millimetre.
    assert abs(strip.box.x - whole.box.x) <= 12 and abs(strip.box.y - whole.box.y) <= 12


def test_a_strip_without_a_symbol_falls_back_to_the_whole_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[int, ...]] = []

    def fake(image: np.ndarray) -> None:
        calls.append(image.shape)
        return None

    monkeypatch.setattr(policy_barcode, "read_policy_barcode", fake)
    page = _page()
    reg = register_unified(page)
    assert reg is not None
    image = np.full((2200, 1800, 3), 255, np.uint8)
    assert policy_barcode.registered_barcode(image, reg) is None
    assert len(calls) == 2
    assert calls[0][0] < image.shape[0] and calls[1] == image.shape


def test_small_print_is_read_at_its_own_size_when_that_registers_a_real_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from omsdesktop.forms import extract

    calls: list[float | None] = []
    registered = _page()
    unregistered = PageText(lines=(), image=np.full((2200, 1800), 255, np.uint8), scale=1.0)

    def fake_read(engine: object, image: object, **kw: object) -> PageText:
        calls.append(kw.get("max_scale"))  # type: ignore[arg-type]
        return registered if trial_registers else unregistered

    def letters(px: float) -> None:
        monkeypatch.setattr(extract, "estimate_text_height", lambda cleaned: px)

    monkeypatch.setattr(extract, "clean_page", lambda image: image)
    monkeypatch.setattr(extract, "read_page", fake_read)
    image = np.full((2200, 1800), 255, np.uint8)

    # Letters 0.5 % of the page's side (the unified policy's captions), enlarged 1.4 times for
    # the page pass: first read at 0.8.
    letters(16 / 1.4)
    trial_registers = True
    assert extract._read_page(None, image) is registered  # type: ignore[arg-type]
    assert calls == [extract.SMALL_PRINT_TRIAL_SCALE]

    calls.clear()
    trial_registers = False
    extract._read_page(None, image)  # type: ignore[arg-type]
    assert calls == [extract.SMALL_PRINT_TRIAL_SCALE, None]  # not a real form: read as before

    # The same print on a photo, where it needs no enlarging: still tried at 0.8 first.
    calls.clear()
    letters(16 / 1.0)
    trial_registers = True
    extract._read_page(None, np.full((3300, 2400), 255, np.uint8))  # type: ignore[arg-type]
    assert calls == [extract.SMALL_PRINT_TRIAL_SCALE]

    # Print big for its page (a certificate on a 200-dpi scan: letters 0.8 % of its side)
    # read at its scale at once: a trial would not register and cost a second pass.
    calls.clear()
    letters(0.008 * 2200)
    trial_registers = False
    extract._read_page(None, image)  # type: ignore[arg-type]
    assert calls == [None]

    # Small for the page pass but not for its sheet (a 150-dpi scan): tried at 1.0, as before.
    calls.clear()
    letters(16 / 1.4)
    extract._read_page(None, np.full((1100, 800), 255, np.uint8))  # type: ignore[arg-type]
    assert calls == [extract.TRIAL_MAX_SCALE, None]

    calls.clear()
    letters(16 / 0.7)
    extract._read_page(None, image)  # type: ignore[arg-type]
    assert calls == [None]  # print big enough: one pass, as before

"""The in-process engine hands Tesseract the raw pixels, not a BMP file Pillow writes and
Leptonica parses: the same image, so the same reading as before, word for word and box for box.
Real Tesseract."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from omsdesktop.ocr.engine import (
    PSM_AUTO,
    PSM_LINE,
    OcrEngine,
    OcrError,
    TesserocrEngine,
    Word,
    _parse_tsv_text,
    _to_pil,
    create_engine,
)
from omsdesktop.ocr.layout import clean_page
from tests.docgen import generate_certificate
from tests.docgen.fonts import families, font


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    engine = create_engine()
    if not isinstance(engine, TesserocrEngine):
        pytest.fail("the in-process engine is part of the test environment")
    return engine


def _through_pillow(
    engine: Any, image: np.ndarray, psm: int, whitelist: str | None, dpi: int | None
) -> list[Word]:
    """The way every read went before: ``SetImage`` with a Pillow image."""
    api = engine._api("rus")
    api.SetPageSegMode(psm)
    api.SetVariable("tessedit_char_whitelist", whitelist or "")
    api.SetImage(_to_pil(image))
    if dpi:
        api.SetSourceResolution(dpi)
    try:
        return _parse_tsv_text(api.GetTSVText(0))
    finally:
        api.SetVariable("tessedit_char_whitelist", "")
        api.Clear()


def _line(text: str) -> np.ndarray:
    image = Image.new("L", (900, 90), 255)
    ImageDraw.Draw(image).text((20, 15), text, font=font(families("train")[0].regular, 44), fill=0)
    return np.asarray(image)


def test_raw_pixels_read_as_the_pillow_image_did(engine: OcrEngine) -> None:
    grey = clean_page(generate_certificate(5).image)
    h = grey.shape[0]
    line = _line("Дата выдачи 12.03.2019")
    coloured = np.dstack([line, line // 2 + 100, line // 3 + 150])  # BGR, brownish on cream
    cases = [
        (grey[: h // 2], PSM_AUTO, None, None),  # half a page: its layout depends on the dpi
        (grey[h // 2 :], PSM_AUTO, None, 300),
        (line, PSM_LINE, "0123456789.", None),
        (coloured, PSM_LINE, None, None),
    ]
    for image, psm, whitelist, dpi in cases:
        before = _through_pillow(engine, image, psm, whitelist, dpi)
        now = engine.read(image, psm=psm, whitelist=whitelist, dpi=dpi)
        assert now == before
        assert len(now) >= (10 if psm == PSM_AUTO else 1)  # text was read: not two empty lists


def test_an_empty_image_is_the_engines_typed_error(engine: OcrEngine) -> None:
    # A crop cut to nothing (a field box at the page's edge): Tesseract refuses it, and the
    # caller gets the engine's own error, never a crash of the process.
    for shape in [(0, 40), (40, 0), (0, 40, 3)]:
        with pytest.raises(OcrError):
            engine.read(np.zeros(shape, np.uint8), psm=PSM_LINE)

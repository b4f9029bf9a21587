"""The ``tesseract`` program engine: the page goes over a pipe, never through temp files (a killed
app would leave a child's document in the temp folder), and it reads what the in-process
engine reads. Real Tesseract; slow tier."""

from __future__ import annotations

import tempfile

import numpy as np
import pytest
from PIL import Image, ImageDraw

from omsdesktop.ocr.engine import (
    PSM_LINE,
    CliTesseractEngine,
    OcrConfig,
    TesseractMissingError,
    create_engine,
)
from tests.docgen.fonts import families, font

pytestmark = pytest.mark.slow


def _line(text: str) -> np.ndarray:
    face = font(families("train")[0].regular, 44)
    image = Image.new("L", (900, 90), 255)
    ImageDraw.Draw(image).text((20, 15), text, font=face, fill=0)
    return np.asarray(image)


def test_the_page_goes_over_a_pipe_not_through_temp_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = CliTesseractEngine(OcrConfig())
    # No temp folder at all: any temporary file (pytesseract writes the page and its result
    # to two) fails, whichever module made it.
    monkeypatch.setattr(tempfile, "tempdir", "/nonexistent/omsdesktop-no-temp")
    words = engine.read(_line("БЕЛОУСОВА АГЛАЯ"), lang="rus", psm=PSM_LINE)
    assert " ".join(w.text for w in words) == "БЕЛОУСОВА АГЛАЯ"
    assert all(0.0 <= w.confidence <= 1.0 and w.box.width > 0 for w in words)


def test_it_reads_what_the_in_process_engine_reads() -> None:
    page = _line("Дата выдачи 12.03.2019")
    cli = CliTesseractEngine(OcrConfig())
    default = create_engine(OcrConfig())
    cli_words = cli.read(page, lang="rus", psm=PSM_LINE)
    assert [w.text for w in cli_words] == [w.text for w in default.read(page, psm=PSM_LINE)]
    digits = cli.read(page, lang="rus", psm=PSM_LINE, whitelist="0123456789.")
    assert "12.03.2019" in "".join(w.text for w in digits)


def test_a_missing_program_is_the_typed_error() -> None:
    with pytest.raises(TesseractMissingError):
        CliTesseractEngine(OcrConfig(tesseract_cmd="/nonexistent/tesseract"))

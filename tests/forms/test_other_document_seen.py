"""Two sheets photographed one over the other's edge, read as one page (issue #15, #12).

The splitter finds no gutter between them, so the page is read whole and only the document
the reader recognises comes out. The user must be told a second one lies there: the result
carries the ``second_document`` note. Real Tesseract on the generator's photos.
"""

from __future__ import annotations

import pytest

from omsdesktop.forms.extract import other_document_seen
from omsdesktop.forms.model import DocumentKind
from omsdesktop.forms.pipeline import SECOND_DOCUMENT_RU, extract_documents
from omsdesktop.ocr.engine import OcrEngine, create_engine
from omsdesktop.ocr.layout import read_page
from omsdesktop.settings import Settings
from tests.docgen import degrade, generate_certificate, generate_real
from tests.docgen.combine import photo_of

pytestmark = pytest.mark.slow

SEED = 503  # a certificate and a unified policy over its edge: no gutter between them


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    return create_engine(Settings().ocr)


def test_a_sheet_over_the_others_edge_is_named(engine: OcrEngine) -> None:
    cert = generate_certificate(SEED)
    policy = generate_real(SEED, "unified_real", handwritten=False)
    photo = photo_of([cert, policy], "overlap", seed=SEED)
    results = extract_documents(photo.image, engine=engine, settings=Settings())
    read = [r for r in results if r.kind is not DocumentKind.UNKNOWN]
    if len(read) == 2:
        pytest.fail("the splitter now separates this pair: pick a seed it does not")
    assert len(read) == 1
    assert read[0].note_code == "second_document"
    assert read[0].note == SECOND_DOCUMENT_RU


@pytest.mark.parametrize("capture", ["photo", "hand", "scan300"])
def test_one_document_alone_says_nothing(engine: OcrEngine, capture: str) -> None:
    policy = generate_real(SEED, "unified_real", handwritten=False)
    image, _ = degrade(policy, capture, seed=SEED)
    (result,) = extract_documents(image, engine=engine, settings=Settings())
    assert result.kind is DocumentKind.OMS_POLICY
    assert result.note_code is None


def test_a_certificate_alone_shows_no_policy(engine: OcrEngine) -> None:
    # Two printed phrases of the other kind are needed: one can be a value.
    cert = generate_certificate(SEED)
    page = read_page(engine, cert.image)
    assert not other_document_seen(page, DocumentKind.BIRTH_CERTIFICATE)

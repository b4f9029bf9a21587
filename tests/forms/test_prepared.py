"""A page checked once is not assessed and straightened again when it is read (issue #12).

The window checks a page (``process_file(read_fields=False)``: decoded, assessed, straightened,
shown), then reads it with ``extract_documents``. What the check worked out travels with the
page as ``pipeline.Prepared``; the reading must give the same result as reading the page from
scratch, without doing that work a second time. Real Tesseract on a generated photo.
"""

from __future__ import annotations

from typing import Any

import pytest

import omsdesktop.forms.pipeline as pipeline
from omsdesktop.forms.model import DocumentKind
from omsdesktop.forms.pipeline import DocumentResult, Prepared, extract_documents
from omsdesktop.ocr.engine import OcrEngine, create_engine
from omsdesktop.ocr.types import Page
from omsdesktop.settings import Settings
from tests.docgen import degrade, generate_real

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    return create_engine(Settings().ocr)


def _checked(page: Page, kind: DocumentKind, engine: OcrEngine | None) -> DocumentResult:
    """What the window's check gives: the page assessed and straightened, not read."""
    return pipeline._process(
        "checked.png",
        lambda: page,
        kind=kind,
        settings=Settings(),
        engine=engine,
        read_fields=False,
        progress=None,
        cancelled=None,
    )


def _fields(result: DocumentResult) -> dict[str, Any]:
    assert result.document is not None
    return {n: (f.value, f.confidence, f.needs_review) for n, f in result.document.fields.items()}


def test_a_checked_page_is_read_as_from_scratch_without_straightening_again(
    engine: OcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = generate_real(41, "unified_real")
    image, _ = degrade(doc, "photo", seed=41)
    page = Page(image=image, dpi=None)
    settings = Settings()
    prepared = Prepared.of(_checked(page, DocumentKind.OMS_POLICY, engine))
    assert prepared is not None and prepared.straightened.document_found

    [plain] = extract_documents(page, engine=engine, settings=settings)
    calls: list[str] = []
    real_assess, real_straighten = pipeline.assess, pipeline.straighten

    def assess(*args: Any, **kwargs: Any) -> Any:
        calls.append("assess")
        return real_assess(*args, **kwargs)

    def straighten(*args: Any, **kwargs: Any) -> Any:
        calls.append("straighten")
        return real_straighten(*args, **kwargs)

    monkeypatch.setattr(pipeline, "assess", assess)
    monkeypatch.setattr(pipeline, "straighten", straighten)
    [ready] = extract_documents(page, engine=engine, settings=settings, prepared=prepared)
    assert calls == []
    assert ready.kind is plain.kind is DocumentKind.OMS_POLICY
    assert _fields(ready) == _fields(plain)
    assert ready.quality is prepared.quality
    assert plain.quality is not None
    assert (ready.quality.ok, ready.quality.problems) == (plain.quality.ok, plain.quality.problems)
    assert ready.straightened is not None and plain.straightened is not None
    assert (ready.straightened.image == plain.straightened.image).all()


def test_a_check_that_read_the_page_prepares_nothing() -> None:
    # A check that went on to read (its kind unknown) may have turned the page: not reused.
    page = Page(image=generate_real(42, "unified_real").image, dpi=300)
    checked = _checked(page, DocumentKind.UNKNOWN, create_engine(Settings().ocr))
    assert checked.straightened is not None and checked.document is not None
    assert Prepared.of(checked) is None


def test_prepared_is_not_taken_for_a_file() -> None:
    # Only a decoded page can come with what its check worked out; a path or bytes are
    # decoded here, and whatever came with them belongs to some other page.
    doc = generate_real(43, "unified_real")
    other = Page(image=generate_real(44, "unified_real").image, dpi=300)
    prepared = Prepared.of(_checked(other, DocumentKind.OMS_POLICY, None))
    assert prepared is not None
    import cv2

    ok, png = cv2.imencode(".png", doc.image)
    assert ok
    [result] = extract_documents(png.tobytes(), settings=Settings(), prepared=prepared)
    assert result.straightened is not None
    assert (
        result.straightened.image.shape != prepared.straightened.image.shape
        or not (result.straightened.image == prepared.straightened.image).all()
    )

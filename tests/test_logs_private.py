"""No child's data in the logs: a document with a known name is read through the pipeline (from a
file and from memory) and through the CLI in-process, then read again with a bug forced inside
the reading (whose exception message quotes the name); every log record of every logger, at
every level, is searched for the name in its usual spellings."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image as PILImage

from omsdesktop import cli
from omsdesktop.forms import pipeline
from omsdesktop.forms.model import DocumentKind
from tests.docgen import degrade, generate_certificate

pytestmark = pytest.mark.slow  # real Tesseract on a generated document

SEED = 3

_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "_",
            "y",
            "_",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def _ascii(text: str) -> str:
    return "".join(_LATIN.get(c, c) for c in text.lower()).replace("_", "")


def spellings(truth: dict[str, str]) -> set[str]:
    """The child's names as OCR, the portal or a log could write them."""
    out: set[str] = set()
    for key in ("last_name", "first_name", "patronymic"):
        name = truth.get(key) or ""
        if len(name) < 3:
            continue
        for form in (name, name.upper(), name.lower(), name.title(), _ascii(name)):
            out.update({form, form.upper(), form.title()})
    return out


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    doc = generate_certificate(SEED)
    scan, info = degrade(doc, "scan300", 1)
    path = tmp_path_factory.mktemp("logs") / "certificate.png"
    PILImage.fromarray(cv2.cvtColor(scan, cv2.COLOR_BGR2RGB)).save(path, dpi=(info.dpi, info.dpi))
    return path, dict(doc.truth)


def assert_private(caplog: pytest.LogCaptureFixture, truth: dict[str, str]) -> None:
    names = spellings(truth)
    assert names, truth
    texts = [caplog.text]
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.append(str(record.args))
        assert record.exc_info is None, f"a traceback was logged: {record.getMessage()}"
        assert record.exc_text is None
    joined = "\n".join(texts)
    leaked = sorted(n for n in names if n in joined)
    assert not leaked, f"personal data in the logs: {leaked}"


def test_reading_a_document_logs_no_name(
    certificate: tuple[Path, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path, truth = certificate
    monkeypatch.setenv("OMSDESKTOP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OMSDESKTOP_KEYRING", "off")
    with caplog.at_level(logging.DEBUG):
        from_file = pipeline.process_file(path)
        from_memory = pipeline.process_bytes(path.read_bytes(), name="<clipboard>")
        code = cli.main(["extract", "--json", str(path)])
    out = capsys.readouterr().out
    # The document was really read: the name is there, in the results and on stdout ...
    for result in (from_file, from_memory):
        assert result.kind is DocumentKind.BIRTH_CERTIFICATE, result.errors
        assert result.document is not None
        assert result.document.fields["last_name"].value == truth["last_name"]
    assert code == 0 and truth["last_name"] in out
    # ... and nowhere in the logs.
    assert_private(caplog, truth)


@pytest.mark.expect_log(r"unexpected failure while processing a file: ValueError")
def test_a_failure_while_reading_logs_its_type_only(
    certificate: tuple[Path, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path, truth = certificate
    monkeypatch.setenv("OMSDESKTOP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OMSDESKTOP_KEYRING", "off")
    real = pipeline.extract_document

    def failing(image: np.ndarray, **kwargs: object) -> object:
        document = real(image, **kwargs)  # type: ignore[arg-type]
        # A part of the page (the splitter may try halves) can have no surname: still a
        # ValueError that quotes whatever was read.
        field = document.fields.get("last_name")
        name = (field.value if field else None) or ""
        raise ValueError(f"cannot normalise {name!r} ({name.upper()})")

    monkeypatch.setattr(pipeline, "extract_document", failing)
    with caplog.at_level(logging.DEBUG):
        result = pipeline.process_file(path)
        code = cli.main(["extract", str(path)])
    output = capsys.readouterr()
    assert [e.code for e in result.errors] == ["internal_error"]
    assert code == 1 and "Traceback" not in output.err
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("omsdesktop")]
    assert "unexpected failure while processing a file: ValueError" in messages
    assert_private(caplog, truth)
    assert truth["last_name"] not in output.out + output.err

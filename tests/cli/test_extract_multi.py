"""Several documents in one file through the real CLI (issue #15): ``extract --json`` prints
one line per document with its page (and region), ``draft create FILE`` takes one file holding
both documents, a one-document file prints what it always printed plus ``"page": 1``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import json_lines, run_cli, write_image
from tests.docgen import generate_certificate, generate_real
from tests.docgen.combine import bbox_iou, blank_page, combined_pdf, glass_scan, other_page

pytestmark = pytest.mark.slow  # the CLI in a subprocess, with OCR

SEED = 31


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    # run_cli hands os.environ to the subprocess: a fresh home with its own SQLite database.
    monkeypatch.setenv("OMSDESKTOP_KEYRING", "off")
    monkeypatch.delenv("OMSDESKTOP_DATABASE_URL", raising=False)


@pytest.fixture(scope="module")
def docs():  # type: ignore[no-untyped-def]
    return generate_certificate(SEED), generate_real(SEED, "unified_real")


@pytest.fixture(scope="module")
def combined(docs, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    cert, policy = docs
    path = tmp_path_factory.mktemp("pdf") / "документы.pdf"
    path.write_bytes(combined_pdf([policy.image, blank_page(), cert.image, other_page()]))
    return path


@pytest.fixture(scope="module")
def glass(docs, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    cert, policy = docs
    scan = glass_scan([cert, policy], "upside_down", seed=3)
    path = write_image(tmp_path_factory.mktemp("glass") / "стекло.png", scan.image)
    return path, scan


def test_every_page_of_a_pdf_is_a_line(combined: Path, docs, home: Path) -> None:  # type: ignore[no-untyped-def]
    cert, policy = docs
    done = run_cli(["extract", "--json", str(combined)], home)
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert [(x["page"], x["kind"]) for x in lines] == [
        (1, "oms_policy"),
        (2, "unknown"),
        (3, "birth_certificate"),
        (4, "unknown"),
    ]
    assert all(x["file"] == str(combined) for x in lines)
    assert all("region" not in x for x in lines)
    assert lines[1]["note_code"] == "blank_page" and "пустая" in lines[1]["note"]
    assert lines[3]["note_code"] == "not_a_document" and "странице 4" in lines[3]["note"]
    assert lines[0]["fields"]["policy_number"]["value"] == policy.truth["policy_number"]
    assert lines[2]["fields"]["last_name"]["value"] == cert.truth["last_name"]


def test_glass_scan_gives_two_lines_with_regions(glass, home: Path) -> None:  # type: ignore[no-untyped-def]
    path, scan = glass
    done = run_cli(["extract", "--json", str(path)], home)
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert [x["kind"] for x in lines] == ["birth_certificate", "oms_policy"]
    for line, placement, doc in zip(lines, scan.placements, scan.documents, strict=True):
        assert line["page"] == 1
        assert bbox_iou(line["region"], placement.bbox()) > 0.6
        assert line["fields"]["birth_date"]["value"] == doc.truth["birth_date"]


def test_one_document_file_prints_as_before_plus_page(docs, tmp_path: Path, home: Path) -> None:  # type: ignore[no-untyped-def]
    cert, _ = docs
    path = write_image(tmp_path / "cert.png", cert.image)
    done = run_cli(["extract", "--json", str(path)], home)
    assert done.returncode == 0, done.stderr
    (line,) = json_lines(done.stdout)
    assert set(line) == {"file", "kind", "quality", "fields", "errors", "page"}
    assert line["page"] == 1 and line["kind"] == "birth_certificate"


def test_draft_create_from_one_combined_file(combined: Path, docs, home: Path) -> None:  # type: ignore[no-untyped-def]
    cert, policy = docs
    done = run_cli(["draft", "create", str(combined), "--json"], home)
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert sorted(a["document"] for a in created["attachments"]) == [
        "birth_certificate",
        "oms_policy",
    ]
    assert "пустая" in done.stderr  # the pages with neither document are said
    shown = run_cli(["draft", "show", created["id"], "--json"], home)
    fields = json.loads(shown.stdout)["fields"]
    assert fields["child.birth_date"]["value"] == cert.truth["birth_date"]
    assert fields["policy.number"]["value"] == policy.truth["policy_number"]


def test_draft_create_from_a_glass_scan(glass, home: Path) -> None:  # type: ignore[no-untyped-def]
    path, scan = glass
    done = run_cli(["draft", "create", str(path), "--json"], home)
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    sizes = {a["document"]: (a["width"], a["height"]) for a in created["attachments"]}
    # Each attachment is its document's cut-out, not the whole glass.
    assert all(w < scan.image.shape[1] * 0.7 for w, _ in sizes.values())


def test_draft_create_says_what_is_missing(docs, tmp_path: Path, home: Path) -> None:  # type: ignore[no-untyped-def]
    cert, _ = docs
    path = tmp_path / "only-cert.pdf"
    path.write_bytes(combined_pdf([cert.image, blank_page()]))
    done = run_cli(["draft", "create", str(path)], home)
    assert done.returncode == 2
    assert "полис ОМС" in done.stderr and "Traceback" not in done.stderr

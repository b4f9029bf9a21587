"""Issue #15 in the window: one file holding both documents fills both slots and says so.

A two-page PDF (certificate, policy, plus a blank page) dropped into the POLICY slot, and a glass
scan with both documents side by side loaded into the certificate slot; through the testers'
driver, so what a tester sees is what is checked."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from tests.docgen import degrade, generate_certificate, generate_policy
from tests.docgen.combine import blank_page, combined_pdf, glass_scan

SEED = 3  # the same child as tests/ui/conftest.py's documents


@pytest.fixture(scope="module")
def combined(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("combined")
    cert, policy = generate_certificate(SEED), generate_policy(SEED)
    cert_scan, _ = degrade(cert, "scan300", 1)
    policy_scan, _ = degrade(policy, "scan300", 1)
    pdf = folder / "документы.pdf"
    pdf.write_bytes(combined_pdf([cert_scan, policy_scan, blank_page()], dpi=300))
    glass = folder / "стекло.png"
    scan = glass_scan([cert, policy], "side_by_side", seed=1)
    cv2.imwrite(str(glass), scan.image)
    return {
        "pdf": pdf,
        "glass": glass,
        "last_name": cert.truth["last_name"],
        "policy_number": policy.truth["policy_number"],
    }  # type: ignore[dict-item]


def test_a_two_page_pdf_in_the_policy_slot_fills_both(omsdesktop_app, combined) -> None:
    app = omsdesktop_app
    window = app.window
    window.policy_slot.load_path(str(combined["pdf"]))
    app.wait_until_read(timeout=240)
    assert window.certificate_slot.document is not None, "the certificate was not routed"
    assert window.policy_slot.document is not None
    assert app.field("child.last_name") == combined["last_name"]
    assert app.field("policy.number") == combined["policy_number"]
    said = window.policy_slot.banner_text.text()
    assert "На странице 1" in said and "Свидетельство о рождении" in said
    assert "Страница 3: пустая страница" in said  # the blank page is named, not dropped


def test_a_glass_scan_with_both_documents_fills_both(omsdesktop_app, combined) -> None:
    app = omsdesktop_app
    window = app.window
    window.certificate_slot.load_path(str(combined["glass"]))
    app.wait_until_read(timeout=240)
    assert window.policy_slot.document is not None, "the policy was not routed"
    assert app.field("child.last_name") == combined["last_name"]
    assert app.field("policy.number") == combined["policy_number"]
    assert "На этом же снимке" in window.certificate_slot.banner_text.text()


def test_a_second_document_seen_but_not_read_is_said(omsdesktop_app, documents) -> None:
    """When the reading says a second document was seen on the image but could not be cut
    out (``note_code == "second_document"``), the slot says so instead of staying silent.

    The certificate is read for real; the note is put on its result, as the pipeline does
    when the cut does not hold (an image that makes the splitter fail on demand is not
    something the generator can promise)."""
    import dataclasses

    app = omsdesktop_app
    slot = app.window.certificate_slot
    slot.load_path(str(documents.certificate))
    app.wait_until_read(timeout=240)
    read = slot.document
    assert read is not None
    noted = dataclasses.replace(
        read,
        result=dataclasses.replace(
            read.result, note="второй документ", note_code="second_document"
        ),
    )
    slot._read_done([noted])
    said = slot.banner_text.text()
    assert "второй документ" in said and "по отдельности" in said
    assert app.field("child.last_name") == documents.certificate_truth["last_name"]

"""Scanning into a slot (against the eSCL simulator over real HTTP on loopback) and the batch
dialog (real run_batch with worker processes and Tesseract on a small generated folder)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog

from omsdesktop.scan import EsclBackend
from omsdesktop.scan.escl_sim import EsclSimulator
from omsdesktop.ui.scan_button import ScannerChooser
from tests.docgen import degrade, generate_certificate, generate_policy
from tests.ui.conftest import SEED

OCR_TIMEOUT = 120_000


@pytest.fixture(scope="module")
def certificate_on_glass() -> tuple[np.ndarray, dict]:
    """The certificate lying in a corner of an A4 glass under a white lid (300 dpi)."""
    doc = generate_certificate(SEED)
    scan, _ = degrade(doc, "scan300", 1)
    glass = np.full((3508, 2550, 3), 246, np.uint8)
    h, w = scan.shape[:2]
    glass[90 : 90 + h, 70 : 70 + w] = scan
    return glass, dict(doc.truth)


def _escl_only(settings: object) -> list[EsclBackend]:
    return [EsclBackend(discover=False, timeout_s=10, page_wait_s=10)]


def _with_scanner(services, device_id: str | None):
    services.settings = dataclasses.replace(services.settings, default_scanner=device_id)
    services.scanner_backends = _escl_only
    return services


def test_scan_button_fills_the_slot_and_the_form(
    qtbot, make_window, make_services, certificate_on_glass
):
    glass, truth = certificate_on_glass
    with EsclSimulator(platen=[(glass, 300.0)]) as sim:
        window = make_window(_with_scanner(make_services(), sim.device_id))
        slot = window.certificate_slot
        qtbot.waitUntil(lambda: slot.isEnabled(), timeout=30_000)
        assert slot.scan_button.accessibleName()
        slot.scan_button.click()
        qtbot.waitUntil(lambda: slot.document is not None, timeout=OCR_TIMEOUT)
        job = next(iter(sim.jobs.values()))
    assert (job.dpi, job.source) == (300, "Platen")
    # Auto-cropped: the page read is the certificate, not the whole glass.
    image = slot.document.image
    assert image is not None and image.shape[0] < 3300
    assert window.form.value("cert.number") == truth["birth_certificate_number"]
    assert window.form.value("child.last_name") == truth["last_name"]
    assert window.form.state("child.last_name").source == "ocr"


@pytest.mark.parametrize(("fault", "words"), [("busy", "занят"), ("disconnect", "прервалась")])
def test_scanner_fault_shows_the_russian_message(
    qtbot, make_window, make_services, certificate_on_glass, fault, words
):
    glass, _ = certificate_on_glass
    with EsclSimulator(platen=[(glass, 300.0)]) as sim:
        sim.fault = fault
        window = make_window(_with_scanner(make_services(), sim.device_id))
        slot = window.certificate_slot
        qtbot.waitUntil(lambda: slot.isEnabled(), timeout=30_000)
        slot.scan_button.click()
        qtbot.waitUntil(lambda: slot.banner.isVisible() and not slot.busy, timeout=30_000)
    text = slot.banner_text.text()
    assert words in text.lower(), text
    assert "Traceback" not in text and "Error" not in text
    assert slot.document is None
    # The window is still alive and usable.
    assert slot.scan_button.isEnabled() and slot.open_button.isEnabled()


def test_without_a_default_scanner_the_user_picks_one(
    qtbot, make_window, make_services, certificate_on_glass, monkeypatch
):
    glass, truth = certificate_on_glass
    with EsclSimulator() as first, EsclSimulator(platen=[(glass, 300.0)]) as second:
        services = make_services()
        services.scanner_backends = lambda settings: [
            EsclBackend([first.url, second.url], discover=False, timeout_s=10, page_wait_s=10)
        ]
        offered: list[list[str]] = []

        def pick_second(dialog: ScannerChooser) -> int:
            offered.append([dialog.list.item(i).toolTip() for i in range(dialog.list.count())])
            dialog.list.setCurrentRow(1)
            return int(QDialog.DialogCode.Accepted.value)

        monkeypatch.setattr(ScannerChooser, "exec", pick_second)
        window = make_window(services)
        slot = window.policy_slot
        qtbot.waitUntil(lambda: slot.isEnabled(), timeout=30_000)
        slot.scan_button.click()
        # A certificate scanned into the policy slot moves to its own slot, as a file would.
        qtbot.waitUntil(lambda: window.certificate_slot.document is not None, timeout=OCR_TIMEOUT)
        assert first.jobs == {} and len(second.jobs) == 1
    assert offered == [[first.device_id, second.device_id]]
    assert window.form.value("cert.number") == truth["birth_certificate_number"]


def test_no_scanners_found_is_explained(qtbot, make_window, make_services):
    services = make_services()
    services.scanner_backends = _escl_only  # no addresses, no discovery: nothing to find
    window = make_window(services)
    slot = window.certificate_slot
    qtbot.waitUntil(lambda: slot.isEnabled(), timeout=30_000)
    slot.scan_button.click()
    qtbot.waitUntil(lambda: slot.banner.isVisible() and not slot.busy, timeout=30_000)
    assert "сканер" in slot.banner_text.text().lower()
    assert slot.document is None


def _family_folder(path: Path, seeds: tuple[int, ...]) -> Path:
    """Certificate + unified-form policy of each child as 300 dpi scans, and a text file
    named .jpg."""
    path.mkdir(parents=True)
    for n, seed in enumerate(seeds):
        for kind, doc in (
            ("a", generate_certificate(seed)),
            ("b", generate_policy(seed, form="unified")),
        ):
            image, _ = degrade(doc, "scan300", 1)
            ok, data = cv2.imencode(".png", image)
            assert ok
            (path / f"IMG_{n}{kind}.png").write_bytes(data.tobytes())
    (path / "IMG_junk.jpg").write_text("это не картинка, а текстовый файл\n", encoding="utf-8")
    return path


def test_batch_dialog_processes_a_folder(qtbot, make_window, make_services, tmp_path, monkeypatch):
    folder = _family_folder(tmp_path / "сканы", (SEED, 11))
    window = make_window(make_services())
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder))
    )
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()))
    )
    assert window.batch_action in window.menuBar().actions()[0].menu().actions()
    window.batch_action.trigger()
    dialog = window.batch_dialog
    assert dialog.isVisible() and not dialog.report_button.isEnabled()
    dialog.choose_button.click()
    assert dialog.busy and dialog.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=240_000)
    outcome = dialog.outcome
    assert outcome is not None, dialog.status.text()
    result = outcome.result
    text = dialog.summary_text()
    assert f"Заявлений создано: {len(result.applications)}" in text
    assert len(result.applications) == 2
    assert all(a.draft_id for a in result.applications)
    assert [u.document.name for u in result.unusable] == ["IMG_junk.jpg"]
    assert result.unpaired == ()
    assert "IMG_junk.jpg" in text and result.unusable[0].issue.message_ru in text
    # The report is written and opened on request; it is not read as a scan next time.
    assert outcome.html_path.is_file() and outcome.csv_path.is_file()
    assert outcome.html_path.parent == folder
    dialog.report_button.click()
    assert opened == [str(outcome.html_path)]
    dialog.close()


def test_batch_dialog_cancel_stops_the_job(qtbot, make_window, make_services, tmp_path):
    folder = _family_folder(tmp_path / "scans", (SEED, 11))
    window = make_window(make_services())
    window.open_batch()
    dialog = window.batch_dialog
    dialog.start(str(folder))
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=120_000)
    assert dialog.outcome is None
    assert "остановлена" in dialog.status.text()
    assert dialog.choose_button.isEnabled()
    assert not list(folder.glob("omsdesktop-batch-*"))

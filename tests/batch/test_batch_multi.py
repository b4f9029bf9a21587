"""Batch intake with files holding several documents (issue #15): each document found is its
own input, so a two-page PDF and a glass scan of both documents each make an application."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from tests.batch.folder import run_batch_cli
from tests.docgen import generate_certificate, generate_real
from tests.docgen.combine import blank_page, combined_pdf, glass_scan

pytestmark = pytest.mark.slow  # the batch CLI in a subprocess, with OCR


def test_combined_files_make_applications(tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    a_cert, a_policy = generate_certificate(41), generate_real(41, "unified_real")
    (folder / "семья-1.pdf").write_bytes(combined_pdf([a_cert.image, a_policy.image, blank_page()]))
    b_cert, b_policy = generate_certificate(42), generate_real(42, "unified_real")
    scan = glass_scan([b_policy, b_cert], "side_by_side", seed=5)
    ok, buf = cv2.imencode(".png", scan.image)
    assert ok
    (folder / "стекло.png").write_bytes(buf.tobytes())

    home = tmp_path / "home"
    home.mkdir()
    done = run_batch_cli(folder, tmp_path / "отчёт", home)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    apps = summary["applications"]
    assert len(apps) == 2, summary
    labels = sorted(app["certificate"] for app in apps) + sorted(app["policy"] for app in apps)
    assert any("стр. 1" in x for x in labels) and any("документ" in x for x in labels)
    assert all(app["draft_id"] for app in apps)
    (blank,) = summary["unusable"]
    assert "стр. 3" in blank["file"] and blank["code"] == "blank_page"

"""``omsdesktop scan`` as a user runs it: a real subprocess, real SANE, the eSCL simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from omsdesktop.ocr.intake import count_pages, load_page
from omsdesktop.scan.escl_sim import EsclSimulator
from tests.docgen import generate_certificate
from tests.scan.conftest import SANE_REQUIRED_ENV, require_sane
from tests.scan.test_autocrop import on_glass, scanner_noise

pytestmark = pytest.mark.slow  # runs the CLI in subprocesses (SANE, eSCL simulator)

REPO = Path(__file__).resolve().parents[2]


def omsdesktop(
    *args: str, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update({"OMSDESKTOP_HOME": str(home), "PYTHONPATH": str(REPO)})
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "omsdesktop", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=full_env,
        cwd=REPO,
        timeout=300,
    )


def test_list_finds_sane_test_device_and_a_network_scanner(
    tmp_path: Path, sane_config_dir: Path
) -> None:
    with EsclSimulator() as sim:
        done = omsdesktop(
            "scan",
            "--list",
            "--json",
            "--no-discovery",
            "--escl",
            sim.url,
            home=tmp_path,
            env={"SANE_CONFIG_DIR": str(sane_config_dir)},
        )
    assert done.returncode == 0, done.stderr
    ids = [d["id"] for d in json.loads(done.stdout)["devices"]]
    assert "sane:test:0" in ids and sim.device_id in ids


@pytest.mark.skipif(
    os.environ.get(SANE_REQUIRED_ENV) != "1",
    reason="checks the machine's own SANE set-up made by scripts/ci_sane.sh",
)
def test_list_with_the_system_sane_configuration(tmp_path: Path) -> None:
    require_sane()
    done = omsdesktop("scan", "--list", "--backend", "sane", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "sane:test:0" in done.stdout


def test_scan_to_png_through_real_sane(tmp_path: Path, sane_config_dir: Path) -> None:
    out = tmp_path / "скан 1.png"
    done = omsdesktop(
        "scan",
        "--device",
        "sane:test:0",
        "--dpi",
        "300",
        "--mode",
        "gray",
        "--out",
        str(out),
        "--option",
        "test-picture=Grid",
        "--json",
        home=tmp_path,
        env={"SANE_CONFIG_DIR": str(sane_config_dir)},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["pages"] == 1 and report["dpi"] == 300.0
    page = load_page(out)
    assert page.dpi == 300.0  # written into the file, read back by the intake
    assert page.image.shape[:2] == (2362, 2362)


def test_feeder_to_a_multipage_pdf_over_escl(tmp_path: Path) -> None:
    sheet = np.full((1200, 900, 3), 250, np.uint8)
    cv2.putText(sheet, "PAGE", (100, 600), cv2.FONT_HERSHEY_SIMPLEX, 5, (0, 0, 0), 12)
    with EsclSimulator(feeder=[(sheet, 300.0)] * 3) as sim:
        out = tmp_path / "batch.pdf"
        done = omsdesktop(
            "scan",
            "--device",
            sim.device_id,
            "--source",
            "feeder",
            "--dpi",
            "150",
            "--no-crop",
            "--backend",
            "escl",
            "--no-discovery",
            "--out",
            str(out),
            home=tmp_path,
        )
    assert done.returncode == 0, done.stderr
    assert count_pages(out) == 3


def test_busy_network_scanner_message(tmp_path: Path) -> None:
    with EsclSimulator() as sim:
        sim.fault = "busy"
        done = omsdesktop(
            "scan",
            "--device",
            sim.device_id,
            "--out",
            str(tmp_path / "x.png"),
            "--backend",
            "escl",
            "--no-discovery",
            home=tmp_path,
        )
    assert done.returncode == 1
    assert "Сканер занят" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_bad_device_id(tmp_path: Path) -> None:
    done = omsdesktop("scan", "--device", "usb:1", "--out", str(tmp_path / "x.png"), home=tmp_path)
    assert done.returncode == 2
    assert "scan --list" in done.stderr


def test_card_on_the_glass_is_cropped_and_reads(tmp_path: Path) -> None:
    """Scan a certificate lying turned on an A4 glass, auto-crop it, then read it."""
    doc = generate_certificate(21, layout="labels_left")
    glass = scanner_noise(on_glass(doc.image, 4.0, (1300, 1850)), 9)
    with EsclSimulator(platen=[(glass, 300.0)]) as sim:
        out = tmp_path / "cert.png"
        done = omsdesktop(
            "scan",
            "--device",
            sim.device_id,
            "--out",
            str(out),
            "--json",
            "--backend",
            "escl",
            "--no-discovery",
            home=tmp_path,
        )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["cropped"] == 1
    _width, height = report["sizes"][0]
    assert height == pytest.approx(doc.image.shape[0], rel=0.05)
    extracted = omsdesktop("extract", "--json", str(out), home=tmp_path)
    assert extracted.returncode == 0, extracted.stderr
    fields = json.loads(extracted.stdout.splitlines()[0])["fields"]
    for name in ("last_name", "first_name", "birth_date"):
        assert fields[name]["value"] == doc.truth[name], name

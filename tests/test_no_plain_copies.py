"""No plain copy of a document survives the app: the real window, in its own process with TMPDIR
(and the cache and runtime folders) pointed at fresh folders, pastes an image, scans a page
(SANE's ``test`` device) and opens a PDF, and is killed with SIGKILL, once idle and once in the
middle of reading. No image (PNG, JPEG, TIFF, BMP, PPM, WebP, PDF) may be left in those folders,
and the drafts database holds the pages only encrypted."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest
from PIL import Image as PILImage

from omsdesktop.scan.sane_backend import python_sane_installed
from tests.docgen import degrade, generate_certificate, generate_policy

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL")]

REPO = Path(__file__).resolve().parents[1]
SEED = 3

MAGIC_AT_START = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"%PDF-": "PDF",
    b"P6\n": "PPM",
    b"P5\n": "PGM",
    b"P6 ": "PPM",
    b"BM": "BMP",
}
SIGNATURES_ANYWHERE = {b"\x89PNG\r\n\x1a\n": "PNG", b"JFIF\x00": "JPEG", b"%PDF-1.": "PDF"}
"""Long enough not to turn up by chance in encrypted bytes."""


def image_files(folder: Path, *, anywhere: bool = False) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for magic, kind in MAGIC_AT_START.items():
            if data.startswith(magic) and (kind != "BMP" or len(data) > 26):
                found.append(f"{path} ({kind})")
        if data[4:12] == b"ftypheic" or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
            found.append(f"{path} (HEIF/WebP)")
        if anywhere:
            found += [
                f"{path} ({kind} inside)" for s, kind in SIGNATURES_ANYWHERE.items() if s in data
            ]
    return found


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    cert_scan, info = degrade(generate_certificate(SEED), "scan300", 1)
    policy_scan, _ = degrade(generate_policy(SEED), "scan300", 1)
    certificate = folder / "certificate.png"
    PILImage.fromarray(cv2.cvtColor(cert_scan, cv2.COLOR_BGR2RGB)).save(
        certificate, dpi=(info.dpi, info.dpi)
    )
    policy = folder / "policy.pdf"
    PILImage.fromarray(cv2.cvtColor(policy_scan, cv2.COLOR_BGR2RGB)).save(
        policy, "PDF", resolution=300.0
    )
    return certificate, policy


def _sane_dir(folder: Path) -> str:
    import ctypes.util

    if not python_sane_installed() or ctypes.util.find_library("sane") is None:
        return ""  # the scan step is left out where SANE is not installed
    folder.mkdir()
    (folder / "dll.conf").write_text("test\n", encoding="ascii")
    system = Path("/etc/sane.d/test.conf")
    if system.is_file():
        shutil.copyfile(system, folder / "test.conf")
    return str(folder)


def run_and_kill(tmp_path: Path, mode: str, inputs: tuple[Path, Path]) -> dict[str, Path]:
    folders = {name: tmp_path / name for name in ("tmp", "cache", "runtime", "home")}
    for folder in folders.values():
        folder.mkdir(mode=0o700)
    env = dict(os.environ)
    env.update(
        {
            "TMPDIR": str(folders["tmp"]),
            "TEMP": str(folders["tmp"]),
            "TMP": str(folders["tmp"]),
            "XDG_CACHE_HOME": str(folders["cache"]),
            "XDG_RUNTIME_DIR": str(folders["runtime"]),
            "OMSDESKTOP_HOME": str(folders["home"]),
            "OMSDESKTOP_KEYRING": "off",
            "QT_QPA_PLATFORM": "offscreen",
            "OMP_THREAD_LIMIT": "1",
            "PYTHONPATH": str(REPO),
        }
    )
    certificate, policy = inputs
    args = [mode, str(certificate), str(policy)]
    if mode == "idle":
        args.append(_sane_dir(tmp_path / "sane.d"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.no_plain_copies_app", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        word = proc.stdout.readline().decode().strip()
        expected = "READY" if mode == "idle" else "BUSY"
        if word != expected:
            proc.kill()
            _, err = proc.communicate(timeout=30)
            pytest.fail(f"the app said {word!r}: {err.decode(errors='replace')[-3000:]}")
        time.sleep(0.3 if mode == "busy" else 0.0)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL
    return folders


@pytest.mark.parametrize("mode", ["idle", "busy"])
def test_a_killed_app_leaves_no_document_image(
    tmp_path: Path, inputs: tuple[Path, Path], mode: str
) -> None:
    folders = run_and_kill(tmp_path, mode, inputs)
    left = []
    for name in ("tmp", "cache", "runtime"):
        left += image_files(folders[name], anywhere=True)
    assert left == [], left
    # The drafts database and its key: the pages are in there only encrypted.
    assert image_files(folders["home"], anywhere=True) == []

"""`omsdesktop check`: the quality verdict contract, for good, bad and unreadable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import json_lines, run_cli, write_image
from tests.docgen import degrade, generate_certificate

pytestmark = pytest.mark.slow  # runs the CLI in subprocesses


@pytest.fixture(scope="module")
def certificate():
    return generate_certificate(11, layout="labels_left")


def test_good_scan_is_ok_and_blurred_photo_is_blocked(tmp_path: Path, home: Path, certificate):
    good_img, _ = degrade(certificate, "scan300", seed=1)
    blur_img, _ = degrade(certificate, "blur", seed=1)
    good = write_image(tmp_path / "скан свидетельства.png", good_img)
    blurry = write_image(tmp_path / "blurry.jpg", blur_img)
    proc = run_cli(["check", "--json", str(good), str(blurry)], home)
    assert proc.returncode == 0, proc.stderr
    first, second = json_lines(proc.stdout)
    assert first["file"] == str(good)
    assert first["quality"]["ok"] is True
    assert first["errors"] == []
    assert second["quality"]["ok"] is False
    codes = {p["code"] for p in second["quality"]["problems"]}
    assert "blurry" in codes
    blocking = [p for p in second["quality"]["problems"] if p["severity"] == "blocking"]
    assert blocking and all(any("а" <= c <= "я" for c in p["message"]) for p in blocking)
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "empty.jpg", "empty_file"),
        (b"this is not an image at all", "fake.jpg", "not_an_image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "truncated.png", "truncated_file"),
    ],
)
def test_unreadable_files_give_a_code_and_exit_1(tmp_path, home, content, name, code):
    path = tmp_path / name
    path.write_bytes(content)
    proc = run_cli(["check", "--json", str(path)], home)
    assert proc.returncode == 1
    (line,) = json_lines(proc.stdout)
    assert line["quality"] is None
    assert [e["code"] for e in line["errors"]] == [code]
    assert "Traceback" not in proc.stderr


def test_missing_file_and_directory(tmp_path, home):
    proc = run_cli(["check", "--json", str(tmp_path / "нет такого.png"), str(tmp_path)], home)
    assert proc.returncode == 1
    missing, directory = json_lines(proc.stdout)
    assert missing["errors"][0]["code"] == "file_not_found"
    assert directory["errors"][0]["code"] == "is_directory"


def test_usage_error_exits_2(home):
    proc = run_cli(["check"], home)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_human_output_is_russian(tmp_path, home, certificate):
    img, _ = degrade(certificate, "lowres", seed=2)
    path = write_image(tmp_path / "low.png", img)
    proc = run_cli(["check", str(path)], home)
    assert proc.returncode == 0
    assert "качество" in proc.stdout

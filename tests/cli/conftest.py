"""Helpers for driving the real CLI: in-process through ``main`` and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


def run_cli(args: Sequence[str], tmp_home: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m omsdesktop ARGS`` in a fresh process, as a script would."""
    env = dict(os.environ)
    env["OMSDESKTOP_HOME"] = str(tmp_home)
    env["PYTHONPATH"] = str(REPO)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run(
        [sys.executable, "-m", "omsdesktop", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=300,
    )


def json_lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def write_image(path: Path, image: np.ndarray) -> Path:
    ok, buf = cv2.imencode(path.suffix or ".png", image)
    assert ok
    path.write_bytes(buf.tobytes())
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h

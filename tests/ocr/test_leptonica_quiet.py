"""Tesseract's image library (Leptonica) prints nothing on stderr once the engine is made.

Leptonica reports boxes it clips itself («Error in boxClipToRectangle: box outside
rectangle») on stderr, which a CLI user or a script reads as our failure. Each check runs in
a child process: the setting is per process, and stderr is read at the file-descriptor level.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow(reason="each check runs in a child process")

# Calls a Leptonica function with no box, which makes Leptonica print its error message.
_SCRIPT = """
import ctypes, glob, os, sys
import tesserocr
from omsdesktop.ocr.engine import create_engine
from omsdesktop.settings import Settings
if sys.argv[1] == "engine":
    create_engine(Settings().ocr)
here = os.path.dirname(tesserocr.__file__)
libs = [p for f in (here, here + ".libs") for p in glob.glob(os.path.join(f, "*lept*"))]
assert libs, "no Leptonica next to tesserocr"
lept = ctypes.CDLL(libs[0])
lept.boxClipToRectangle.restype = ctypes.c_void_p
lept.boxClipToRectangle(None, 10, 10)
"""


def _stderr(mode: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, mode], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


def test_leptonica_prints_its_errors_when_left_alone() -> None:
    # The control: the call really makes Leptonica print (else the next test proves nothing).
    assert "Error in boxClipToRectangle" in _stderr("plain")


def test_the_engine_quietens_leptonica() -> None:
    assert "Error in" not in _stderr("engine")

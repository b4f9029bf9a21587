"""Page orientation by Tesseract's orientation and script detection (OSD, ``--psm 0``).

Slower than the built-in heuristic of :mod:`omsdesktop.ocr.straighten` (a ``tesseract``
process per page), but it reads the shapes of the letters, so it also tells upside-down
pages apart. Plug it into :func:`omsdesktop.ocr.straighten.straighten` as ``orientation=``.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from omsdesktop.ocr.engine import OcrTimeoutError, TesseractMissingError, find_tesseract
from omsdesktop.ocr.geometry import resize, scale_for, to_gray
from omsdesktop.ocr.types import Image

OSD_MAX_PIXELS = 1_500_000
"""OSD time grows with the page; a megapixel and a half keeps letters readable."""

_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.MULTILINE)
_CONFIDENCE = re.compile(r"^Orientation confidence:\s*([0-9.]+)", re.MULTILINE)


@dataclass(frozen=True)
class OsdResult:
    """What OSD said: the clockwise turn that makes the page upright, and its confidence."""

    rotation: int
    confidence: float


def osd(
    image: Image, *, tesseract_cmd: str | None = None, timeout: float = 10.0
) -> OsdResult | None:
    """Run Tesseract OSD on ``image``; None when it finds too little text to decide.

    Raises:
        TesseractMissingError: the ``tesseract`` program is not installed.
        OcrTimeoutError: OSD took longer than ``timeout`` seconds.
    """
    cmd = find_tesseract(tesseract_cmd)
    if cmd is None:
        raise TesseractMissingError()
    gray = to_gray(image)
    gray = resize(gray, scale_for(gray.shape, max_pixels=OSD_MAX_PIXELS))
    ok, buf = cv2.imencode(".png", gray)
    if not ok:
        return None
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run(
            [cmd, "stdin", "stdout", "--psm", "0", "--dpi", "150", "-l", "osd"],
            input=np.asarray(buf).tobytes(),
            capture_output=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrTimeoutError(f"osd after {timeout}s", seconds=timeout) from exc
    except FileNotFoundError as exc:
        raise TesseractMissingError() from exc
    out = done.stdout.decode("utf-8", "replace")
    rotate = _ROTATE.search(out)
    conf = _CONFIDENCE.search(out)
    if done.returncode != 0 or rotate is None:
        return None
    return OsdResult(int(rotate.group(1)) % 360, float(conf.group(1)) if conf else 0.0)


def osd_orientation(
    *,
    fallback: Callable[[Image], int] | None = None,
    min_confidence: float = 1.0,
    tesseract_cmd: str | None = None,
    timeout: float = 10.0,
) -> Callable[[Image], int]:
    """An ``orientation`` callback for straighten() backed by OSD.

    When OSD cannot decide (too little text, confidence below ``min_confidence``) the
    ``fallback`` decides, or the page is left as it is.
    """

    def decide(image: Image) -> int:
        result = osd(image, tesseract_cmd=tesseract_cmd, timeout=timeout)
        if result is not None and result.confidence >= min_confidence:
            return result.rotation
        return fallback(image) if fallback is not None else 0

    return decide

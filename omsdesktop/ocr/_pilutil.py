"""Small Pillow helpers shared by the intake modules: quiet decoding and PIL -> numpy."""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

# Copy a decoded PIL image to numpy in bands of about this many bytes: ``np.asarray(im)`` goes
# through ``tobytes()``, which holds the chunks and the joined bytes at once (two extra copies of
# a 100 MB page); bands keep the extra memory small.
_BAND_BYTES = 4 << 20

_BOMB_PIXELS_RE = re.compile(r"\((\d+) pixels\)")


@contextlib.contextmanager
def quiet_decoder_warnings() -> Iterator[None]:
    """Silence warnings that decoders raise about untrusted input.

    Pillow warns (``DecompressionBombWarning``, "Corrupt EXIF data", "Invalid APNG" ...) instead
    of failing; our own checks decide what is acceptable, so these must neither reach the user
    nor become exceptions under ``-W error``. Only Pillow's and pillow_heif's own warnings are
    silenced.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
        warnings.filterwarnings("ignore", module=r"PIL(\.|$)")
        warnings.filterwarnings("ignore", module=r"pillow_heif(\.|$)")
        yield


def bomb_megapixels(exc: BaseException) -> float | None:
    """Pixel count (in megapixels) named in Pillow's DecompressionBombError, if any."""
    match = _BOMB_PIXELS_RE.search(str(exc))
    return int(match.group(1)) / 1e6 if match else None


def to_numpy(im: Image.Image, *, reverse_channels: bool = False) -> npt.NDArray[Any]:
    """Copy a loaded image into a fresh C-contiguous numpy array, band by band.

    With ``reverse_channels`` the last axis is reversed on the way (RGB -> BGR) at no extra
    memory; OpenCV's "in-place" ``cvtColor`` allocates a temporary of the whole page.
    """
    width, height = im.size
    rows = max(1, _BAND_BYTES // max(1, width * 4))
    out: npt.NDArray[Any] | None = None
    for top in range(0, height, rows):
        band = np.asarray(im.crop((0, top, width, min(height, top + rows))))
        if reverse_channels and band.ndim == 3:
            band = band[..., ::-1]
        if out is None:
            out = np.empty((height, *band.shape[1:]), dtype=band.dtype)
        out[top : top + band.shape[0]] = band
    if out is None:
        raise ValueError("empty image")
    return out


def as_uint8(arr: Any) -> npt.NDArray[np.uint8]:
    """Type an array (e.g. an OpenCV result) as uint8; converts only if it is not already."""
    return np.asarray(arr, dtype=np.uint8)

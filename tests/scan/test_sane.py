"""SANE through the real libsane, python-sane and worker process, on SANE's ``test`` backend.

The test backend draws known pictures ("Grid": 10 mm black and white squares, "Color pattern")
at any resolution, emulates a document feeder that runs out after 10 sheets, and can make
``sane_read`` return any SANE status — so busy, jammed, out of paper, cover open and I/O errors
come from the real library, not from a fake.
"""

from __future__ import annotations

import numpy as np
import pytest

from omsdesktop.scan.errors import (
    ScanCancelledError,
    ScannerBusyError,
    ScannerCoverOpenError,
    ScannerDisconnectedError,
    ScannerJammedError,
    ScannerNotFoundError,
    ScannerOutOfPaperError,
    ScanOptionUnsupportedError,
)
from omsdesktop.scan.types import ColourMode, ScanOptions, Source
from omsdesktop.scan.worker import OutOfProcessBackend

GRID = (("test-picture", "Grid"),)


def grid_period(image: np.ndarray) -> float:
    """Median length of the black/white runs along the middle row of a Grid scan."""
    row = image[image.shape[0] // 2, :, 1] > 127
    edges = np.flatnonzero(row[1:] != row[:-1])
    runs = np.diff(edges)
    assert len(runs) >= 3, "no grid found"
    return float(np.median(runs))


def test_lists_the_test_devices(sane: OutOfProcessBackend) -> None:
    ids = {d.id for d in sane.list_devices()}
    assert {"sane:test:0", "sane:test:1"} <= ids
    device = next(d for d in sane.list_devices() if d.id == "sane:test:0")
    assert device.local_id == "test:0"
    assert device.kind == "virtual device"


def test_capabilities(sane: OutOfProcessBackend) -> None:
    caps = sane.capabilities("test:0")
    assert set(caps.modes) == {ColourMode.COLOR, ColourMode.GRAY}
    assert set(caps.sources) == {Source.FLATBED, Source.FEEDER}
    assert caps.resolution_range == (1, 1200)
    assert 300 in caps.resolutions
    assert caps.max_width_mm == 200.0


@pytest.mark.parametrize("dpi", [300, 150])
def test_scan_whole_glass_at_dpi(sane: OutOfProcessBackend, dpi: int) -> None:
    seen: list[float] = []
    pages = list(
        sane.scan("test:0", ScanOptions(dpi=dpi, backend_options=GRID), progress=seen.append)
    )
    assert len(pages) == 1
    page = pages[0]
    side = round(200 / 25.4 * dpi)  # the test backend's glass is 200 x 200 mm
    assert abs(page.image.shape[0] - side) <= 1 and abs(page.image.shape[1] - side) <= 1
    assert page.image.shape[2] == 3 and page.image.dtype == np.uint8
    assert page.dpi == dpi
    assert page.device_id == "sane:test:0"
    # 10 mm squares: the picture really was drawn at the resolution asked for.
    assert grid_period(page.image) == pytest.approx(10 / 25.4 * dpi, abs=2)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)


def test_gray_and_colour_modes(sane: OutOfProcessBackend) -> None:
    pattern = (("test-picture", "Color pattern"),)
    area = (0.0, 0.0, 60.0, 40.0)
    colour = next(
        sane.scan("test:0", ScanOptions(dpi=75, area_mm=area, backend_options=pattern))
    ).image
    gray = next(
        sane.scan(
            "test:0",
            ScanOptions(dpi=75, mode=ColourMode.GRAY, area_mm=area, backend_options=pattern),
        )
    ).image
    assert colour.shape == gray.shape == (round(40 / 25.4 * 75), round(60 / 25.4 * 75), 3)
    assert np.array_equal(gray[..., 0], gray[..., 1]) and np.array_equal(gray[..., 1], gray[..., 2])
    assert not np.array_equal(colour[..., 0], colour[..., 2])  # real colour arrived


def test_feeder_scans_until_empty(sane: OutOfProcessBackend) -> None:
    pages = list(sane.scan("test:0", ScanOptions(dpi=50, source=Source.FEEDER)))
    # The test backend's feeder holds 10 sheets; the empty feeder ends the batch, no error.
    assert len(pages) == 10
    assert [p.index for p in pages] == list(range(10))


def test_feeder_page_limit(sane: OutOfProcessBackend) -> None:
    pages = list(sane.scan("test:0", ScanOptions(dpi=50, source=Source.FEEDER, max_pages=3)))
    assert len(pages) == 3


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        ("SANE_STATUS_DEVICE_BUSY", ScannerBusyError, "занят"),
        ("SANE_STATUS_JAMMED", ScannerJammedError, "застряла бумага"),
        ("SANE_STATUS_NO_DOCS", ScannerOutOfPaperError, "нет документов"),
        ("SANE_STATUS_COVER_OPEN", ScannerCoverOpenError, "открыта"),
        ("SANE_STATUS_IO_ERROR", ScannerDisconnectedError, "Связь со сканером прервалась"),
    ],
)
def test_device_states_become_typed_errors(
    sane: OutOfProcessBackend, status: str, error: type[Exception], words: str
) -> None:
    options = ScanOptions(dpi=50, backend_options=(("read-return-value", status),))
    with pytest.raises(error) as caught:
        list(sane.scan("test:0", options))
    message = caught.value.message("ru")  # type: ignore[attr-defined]
    assert words in message
    assert "SANE" not in message  # no driver jargon for the operator


def test_unknown_device(sane: OutOfProcessBackend) -> None:
    with pytest.raises(ScannerNotFoundError):
        list(sane.scan("test:99", ScanOptions()))


def test_bad_option_value(sane: OutOfProcessBackend) -> None:
    with pytest.raises(ScanOptionUnsupportedError) as caught:
        list(sane.scan("test:0", ScanOptions(backend_options=(("test-picture", "Kittens"),))))
    assert "Grid" in caught.value.message("ru")


def test_cancel_during_a_slow_scan(sane: OutOfProcessBackend) -> None:
    slow = (
        ("read-limit", True),
        ("read-limit-size", 1000),
        ("read-delay", True),
        ("read-delay-duration", 20000),
    )
    seen: list[float] = []
    with pytest.raises(ScanCancelledError):
        list(
            sane.scan(
                "test:0",
                ScanOptions(dpi=200, backend_options=slow),
                progress=seen.append,
                cancelled=lambda: len(seen) >= 2,
            )
        )
    assert seen and seen[-1] < 1.0

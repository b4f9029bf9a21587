"""WIA driver logic against a fake of the WIA automation objects (CI has no Windows)."""

from __future__ import annotations

import numpy as np
import pytest

from omsdesktop.scan.errors import (
    FeederUnavailableError,
    ScannerBusyError,
    ScannerCoverOpenError,
    ScannerDisconnectedError,
    ScannerJammedError,
    ScannerNotFoundError,
    ScannerOutOfPaperError,
)
from omsdesktop.scan.types import ColourMode, ScanOptions, Source
from omsdesktop.scan.wia import FORMAT_PNG, WiaDriver, hresult_of
from omsdesktop.scan.worker import OutOfProcessBackend
from tests.scan.fake_wia import ComError, FakeDevice, FakeManager

SCANNER = "{6BDD1FC6-810F-11D0-BEC7-08002BE2092F}\\0000"


def driver(device: FakeDevice | None = None) -> tuple[WiaDriver, FakeManager]:
    manager = FakeManager(device)
    return WiaDriver(manager_factory=lambda: manager), manager


def run(drv: WiaDriver, options: ScanOptions) -> list:  # type: ignore[type-arg]
    return list(drv.scan(SCANNER, options, lambda v: None, lambda: False))


def test_lists_only_scanners() -> None:
    drv, _ = driver()
    devices = drv.list_devices()
    assert [(d.id, d.name, d.vendor) for d in devices] == [
        (f"wia:{SCANNER}", "Fake Scan 3000", "Fake Corp")
    ]


def test_flatbed_scan_sets_resolution_and_intent() -> None:
    drv, manager = driver()
    pages = run(drv, ScanOptions(dpi=300, mode=ColourMode.GRAY))
    item = manager.scanner.Items.Item(1)
    assert item.prop(6147) == 300 and item.prop(6148) == 300 and item.prop(6146) == 2
    assert manager.scanner.prop(3088) == 2  # flatbed selected
    assert manager.scanner.transfers == [FORMAT_PNG]
    assert len(pages) == 1 and pages[0].dpi == 300
    assert pages[0].image.shape == (450, 600, 3)
    assert np.array_equal(pages[0].image[..., 0], pages[0].image[..., 2])


def test_feeder_until_empty() -> None:
    drv, manager = driver(FakeDevice(sheets=3))
    pages = run(drv, ScanOptions(dpi=75, source=Source.FEEDER))
    assert [p.index for p in pages] == [0, 1, 2]
    assert manager.scanner.prop(3088) == 1
    assert tuple(pages[0].image[0, 0]) == (40, 0, 200)  # BGR of the red-ish RGB test image


def test_empty_feeder_at_the_start() -> None:
    drv, _ = driver(FakeDevice(sheets=0))
    with pytest.raises(ScannerOutOfPaperError):
        run(drv, ScanOptions(source=Source.FEEDER))


def test_no_feeder() -> None:
    drv, _ = driver(FakeDevice(feeder=False))
    with pytest.raises(FeederUnavailableError):
        run(drv, ScanOptions(source=Source.FEEDER))


@pytest.mark.parametrize(
    ("hresult", "error"),
    [
        (0x80210006, ScannerBusyError),
        (0x80210002, ScannerJammedError),
        (0x80210016, ScannerCoverOpenError),
        (0x8021000A, ScannerDisconnectedError),
        (0x80210005, ScannerDisconnectedError),
    ],
)
def test_com_errors_become_typed_errors(hresult: int, error: type[Exception]) -> None:
    device = FakeDevice()
    device.fail_on = hresult
    drv, _ = driver(device)
    with pytest.raises(error):
        run(drv, ScanOptions())


def test_hresult_extraction() -> None:
    assert hresult_of(ComError(0x80210006)) == 0x80210006

    class ComtypesLike(Exception):
        hresult = -2145320958  # 0x80210002 as comtypes gives it (signed)

    assert hresult_of(ComtypesLike()) == 0x80210002


def test_unknown_device() -> None:
    drv, _ = driver()
    with pytest.raises(ScannerNotFoundError):
        run_device = drv.scan("{nope}\\0000", ScanOptions(), lambda v: None, lambda: False)
        list(run_device)


@pytest.mark.slow  # the out-of-process worker
def test_wia_driver_through_the_worker_process() -> None:
    backend = OutOfProcessBackend("wia", "tests.scan.fake_wia:FakeWiaDriver")
    assert [d.id for d in backend.list_devices()] == [f"wia:{SCANNER}"]
    pages = list(backend.scan(SCANNER, ScanOptions(dpi=150, source=Source.FEEDER)))
    assert len(pages) == 3 and pages[2].image.shape == (225, 300, 3)

"""The worker process boundary: a driver that crashes, exits, hangs or misbehaves must give the
app a typed error while the app itself carries on."""

from __future__ import annotations

import os

import pytest

from omsdesktop.scan.errors import (
    ScannerDriverCrashedError,
    ScannerError,
    ScannerNotRespondingError,
)
from omsdesktop.scan.types import ScanOptions
from omsdesktop.scan.worker import OutOfProcessBackend

pytestmark = pytest.mark.slow  # drivers in the out-of-process scanner worker

FAKES = "tests.scan.fake_drivers"


def backend(driver: str, **kwargs: float) -> OutOfProcessBackend:
    return OutOfProcessBackend("fake", f"{FAKES}:{driver}", **kwargs)  # type: ignore[arg-type]


@pytest.mark.expect_log("scanner worker died")  # the driver crashes on purpose
def test_segfault_in_the_driver_is_a_typed_error() -> None:
    seen: list[float] = []
    with pytest.raises(ScannerDriverCrashedError) as caught:
        list(backend("SegfaultDriver").scan("x", ScanOptions(), progress=seen.append))
    assert "SIGSEGV" in caught.value.detail
    assert "аварийно" in caught.value.message("ru")
    assert seen == [0.3]  # progress before the crash still arrived
    # The app is alive and the next operation works.
    assert [d.id for d in backend("SegfaultDriver").list_devices()] == ["fake:x"]


@pytest.mark.expect_log("scanner worker died")  # the driver crashes on purpose
def test_pages_before_the_crash_are_kept() -> None:
    pages = []
    with pytest.raises(ScannerDriverCrashedError) as caught:
        for page in backend("ExitAfterPagesDriver").scan("x", ScanOptions(dpi=200)):
            pages.append(page)
    assert "exited with code 7" in caught.value.detail
    assert [p.index for p in pages] == [0, 1]
    assert pages[1].image.shape == (40, 30, 3) and int(pages[1].image[0, 0, 0]) == 201
    assert pages[0].dpi == 200


@pytest.mark.expect_log("scanner worker died")  # the driver crashes on purpose
def test_crash_while_listing() -> None:
    with pytest.raises(ScannerDriverCrashedError):
        backend("CrashOnListDriver").list_devices()


def test_hanging_driver_is_killed() -> None:
    with pytest.raises(ScannerNotRespondingError):
        list(backend("HangingDriver", idle_timeout_s=1.5).scan("x", ScanOptions()))


def test_hanging_driver_can_be_cancelled() -> None:
    from omsdesktop.scan.errors import ScanCancelledError

    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 5

    with pytest.raises(ScanCancelledError):
        list(
            backend("HangingDriver", cancel_grace_s=1.0).scan(
                "x", ScanOptions(), cancelled=cancelled
            )
        )


def test_driver_bug_is_a_generic_scanner_error() -> None:
    with pytest.raises(ScannerError) as caught:
        list(backend("BuggyDriver").scan("x", ScanOptions()))
    assert type(caught.value) is ScannerError
    assert caught.value.detail == "KeyError"


def test_stdout_noise_does_not_corrupt_the_protocol() -> None:
    pages = list(backend("NoisyDriver").scan("x", ScanOptions()))
    assert len(pages) == 1 and pages[0].image.shape == (40, 30, 3)


def test_missing_driver_module_is_reported_not_raised_raw() -> None:
    with pytest.raises(ScannerError):
        OutOfProcessBackend("fake", "tests.scan.no_such_module:Driver").list_devices()


@pytest.mark.expect_log("scanner worker died")  # the driver crashes on purpose
def test_no_worker_left_behind() -> None:
    before = _children()
    with pytest.raises(ScannerDriverCrashedError):
        list(backend("ExitAfterPagesDriver").scan("x", ScanOptions()))
    with pytest.raises(ScannerNotRespondingError):
        list(backend("HangingDriver", idle_timeout_s=1.0).scan("x", ScanOptions()))
    assert _children() == before


def _children() -> set[int]:
    """Our live (non-zombie) child processes, from /proc (Linux)."""
    me = os.getpid()
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me and fields[0] != "Z":
            out.add(int(entry))
    return out

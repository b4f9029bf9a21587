"""Drivers that fail the way real ones can but real parts cannot be made to on demand.

They run inside the real scanner worker process (``python -m omsdesktop.scan.worker``), so the
app side under test is the real one: a worker that segfaults, exits, hangs or scribbles on
stdout.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from collections.abc import Iterator

import numpy as np

from omsdesktop.scan.types import (
    Cancelled,
    DeviceCapabilities,
    DeviceInfo,
    Progress,
    ScannedPage,
    ScanOptions,
)


def _page(index: int, dpi: int) -> ScannedPage:
    image = np.full((40, 30, 3), 200 + index, np.uint8)
    return ScannedPage(image=image, dpi=float(dpi), index=index, device_id="fake:x")


class _Base:
    def list_devices(self) -> list[DeviceInfo]:
        return [DeviceInfo(id="fake:x", backend="fake", name="Fake")]

    def capabilities(self, device: str) -> DeviceCapabilities:
        return DeviceCapabilities()


class SegfaultDriver(_Base):
    """Dies of a real SIGSEGV (a NULL read in native code) in the middle of a scan."""

    def scan(
        self, device: str, options: ScanOptions, progress: Progress, cancelled: Cancelled
    ) -> Iterator[ScannedPage]:
        progress(0.3)
        ctypes.string_at(0)  # reads address 0: the kernel kills the process
        yield _page(0, options.dpi)


class ExitAfterPagesDriver(_Base):
    """Delivers two feeder pages, then the process vanishes (``os._exit``, as abort() would)."""

    def scan(
        self, device: str, options: ScanOptions, progress: Progress, cancelled: Cancelled
    ) -> Iterator[ScannedPage]:
        yield _page(0, options.dpi)
        yield _page(1, options.dpi)
        sys.stderr.flush()
        os._exit(7)


class CrashOnListDriver(_Base):
    def list_devices(self) -> list[DeviceInfo]:
        os._exit(3)


class HangingDriver(_Base):
    """Never answers (a driver stuck in a USB read)."""

    def scan(
        self, device: str, options: ScanOptions, progress: Progress, cancelled: Cancelled
    ) -> Iterator[ScannedPage]:
        time.sleep(3600)
        yield _page(0, options.dpi)


class BuggyDriver(_Base):
    """Raises an ordinary Python exception (a driver bug, not a scanner state)."""

    def scan(
        self, device: str, options: ScanOptions, progress: Progress, cancelled: Cancelled
    ) -> Iterator[ScannedPage]:
        raise KeyError("internal table")
        yield _page(0, options.dpi)


class NoisyDriver(_Base):
    """Prints on stdout from Python and from C, as some vendor backends do."""

    def scan(
        self, device: str, options: ScanOptions, progress: Progress, cancelled: Cancelled
    ) -> Iterator[ScannedPage]:
        print("debug: warming up lamp")
        libc = ctypes.CDLL(None)
        libc.puts(b"native debug line")
        libc.fflush(None)
        os.write(1, b"raw write to fd 1\n")
        yield _page(0, options.dpi)

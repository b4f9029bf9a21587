"""Run a scanner driver in its own process, so a crashing driver cannot take the app down.

Scanner drivers are native code of uneven quality (SANE backends, vendor WIA drivers); a bad
one can segfault, abort or hang. :class:`OutOfProcessBackend` starts
``python -m omsdesktop.scan.worker MODULE:CLASS`` for each operation and talks to it over its
stdin/stdout with the frames of :mod:`omsdesktop.scan._protocol`:

* app -> worker: one request ``{"op": "list" | "caps" | "scan", ...}``, later maybe
  ``{"op": "cancel"}``; closing stdin also cancels (so a worker never outlives the app);
* worker -> app: ``progress`` frames, ``devices``/``caps`` answers, ``page`` frames (header
  with the size, payload the raw BGR pixels), then ``done`` or ``error`` (a stable code).

If the worker dies without ``done``/``error`` (a signal, ``os._exit``, a broken pipe) the caller
gets :class:`ScannerDriverCrashedError`; if it says nothing for ``idle_timeout_s`` it is killed
and the caller gets :class:`ScannerNotRespondingError`. Pages already delivered stay delivered.

The worker prints nothing on stdout itself: at start it moves file descriptor 1 to stderr, so
a driver that writes to stdout cannot corrupt the frames.
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import numpy as np

from omsdesktop.scan._protocol import ProtocolError, read_frame, write_frame
from omsdesktop.scan.errors import (
    ScanCancelledError,
    ScannerDriverCrashedError,
    ScannerError,
    ScannerNotRespondingError,
    error_from_code,
)
from omsdesktop.scan.types import (
    Cancelled,
    DeviceCapabilities,
    DeviceInfo,
    Progress,
    ScannedPage,
    ScanOptions,
)

log = logging.getLogger(__name__)

CANCEL_GRACE_S = 10.0
"""How long a cancelled worker may take to stop by itself before it is killed."""


class Driver(Protocol):
    """What runs inside the worker: a backend's direct, in-process implementation."""

    def list_devices(self) -> list[DeviceInfo]: ...

    def capabilities(self, device: str) -> DeviceCapabilities: ...

    def scan(
        self, device: str, options: ScanOptions, progress: Progress, cancelled: Cancelled
    ) -> Iterator[ScannedPage]: ...


# ------------------------------------------------------------------------------ app side


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The worker's environment: ours, with this package importable and our overrides."""
    env = dict(os.environ)
    root = _package_root()
    current = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = root + (os.pathsep + current if current else "")
    env.update(extra or {})
    return env


class _Worker:
    """One running worker process and the threads that read its pipes."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            creationflags=flags,
        )
        self.frames: queue.Queue[tuple[dict[str, Any], bytes] | BaseException | None] = (
            queue.Queue()
        )
        self.stderr_tail: collections.deque[bytes] = collections.deque(maxlen=64)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._reader = threading.Thread(
            target=self._read_frames, args=(self.proc.stdout,), daemon=True
        )
        self._drain = threading.Thread(
            target=self._read_stderr, args=(self.proc.stderr,), daemon=True
        )
        self._reader.start()
        self._drain.start()

    def _read_frames(self, stream: BinaryIO) -> None:
        try:
            while True:
                frame = read_frame(stream)
                self.frames.put(frame)
                if frame is None:
                    return
        except (ProtocolError, OSError, ValueError) as exc:
            self.frames.put(exc)

    def _read_stderr(self, stream: BinaryIO) -> None:
        with contextlib.suppress(OSError, ValueError):
            for line in iter(stream.readline, b""):
                self.stderr_tail.append(line[-500:])

    def send(self, header: dict[str, Any]) -> bool:
        stdin = self.proc.stdin
        if stdin is None:
            return False
        try:
            write_frame(stdin, header)  # type: ignore[arg-type]
            return True
        except (OSError, ValueError):
            return False

    def close_stdin(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()

    def exit_description(self, wait_s: float = 5.0) -> str:
        try:
            code = self.proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            self.kill()
            return "worker stopped talking but did not exit"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            return f"worker killed by signal {name}"
        return f"worker exited with code {code}"

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired, OSError):
            self.proc.wait(timeout=5)

    def finish(self) -> None:
        self.close_stdin()
        try:
            self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.kill()
        for stream in (self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()
        self._reader.join(timeout=2)
        self._drain.join(timeout=2)

    def stderr_text(self) -> str:
        return b"".join(self.stderr_tail).decode("utf-8", "replace")[-2000:]


class OutOfProcessBackend:
    """A :class:`~omsdesktop.scan.types.ScannerBackend` whose driver runs in a worker process.

    Args:
        name: the backend's name (device ids start with ``name:``).
        driver: ``"package.module:Class"`` of the in-worker :class:`Driver`; the class is
            built with no arguments.
        is_available: tells (cheaply, in this process) whether the driver can work here.
        command: the command that starts a worker, the driver spec is appended; default
            ``[sys.executable, "-m", "omsdesktop.scan.worker"]`` (a frozen build passes its own).
        env: extra environment for the worker (e.g. ``SANE_CONFIG_DIR``).
        idle_timeout_s: a worker silent for this long is killed (scanners warming their lamp
            can take half a minute, so the default is generous).
        cancel_grace_s: how long a cancelled worker may take to stop before it is killed.
    """

    def __init__(
        self,
        name: str,
        driver: str,
        *,
        is_available: Callable[[], bool] | None = None,
        command: list[str] | None = None,
        env: dict[str, str] | None = None,
        idle_timeout_s: float = 120.0,
        cancel_grace_s: float = CANCEL_GRACE_S,
    ) -> None:
        self.name = name
        self.driver = driver
        self._is_available = is_available
        self.command = list(command) if command else [sys.executable, "-m", __name__]
        self.env = dict(env or {})
        self.idle_timeout_s = idle_timeout_s
        self.cancel_grace_s = cancel_grace_s

    def available(self) -> bool:
        return self._is_available() if self._is_available is not None else True

    # The three operations -----------------------------------------------------------------

    def list_devices(self, *, cancelled: Cancelled | None = None) -> list[DeviceInfo]:
        for header, _ in self._run({"op": "list"}, cancelled=cancelled):
            if header.get("t") == "devices":
                return [DeviceInfo.from_json(d) for d in header.get("devices", [])]
        return []

    def capabilities(self, device: str) -> DeviceCapabilities:
        for header, _ in self._run({"op": "caps", "device": device}):
            if header.get("t") == "caps":
                return DeviceCapabilities.from_json(header.get("caps", {}))
        raise ScannerDriverCrashedError("no capabilities answer")

    def scan(
        self,
        device: str,
        options: ScanOptions,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> Iterator[ScannedPage]:
        request = {"op": "scan", "device": device, "options": options.to_json()}
        for header, payload in self._run(request, progress=progress, cancelled=cancelled):
            if header.get("t") != "page":
                continue
            h, w = int(header["h"]), int(header["w"])
            if len(payload) != h * w * 3:
                raise ScannerDriverCrashedError("page payload size mismatch")
            image = np.frombuffer(payload, dtype=np.uint8).reshape(h, w, 3)
            yield ScannedPage(
                image=image.copy() if not image.flags.writeable else image,
                dpi=float(header["dpi"]),
                index=int(header.get("index", 0)),
                device_id=str(header.get("device_id", f"{self.name}:{device}")),
            )

    # The conversation ---------------------------------------------------------------------

    def _run(
        self,
        request: dict[str, Any],
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> Iterator[tuple[dict[str, Any], bytes]]:
        worker = _Worker([*self.command, self.driver], worker_env(self.env))
        try:
            if not worker.send(request):
                raise ScannerDriverCrashedError(worker.exit_description())
            yield from self._converse(worker, progress, cancelled)
        finally:
            worker.finish()

    def _converse(
        self,
        worker: _Worker,
        progress: Progress | None,
        cancelled: Cancelled | None,
    ) -> Iterator[tuple[dict[str, Any], bytes]]:
        last_heard = time.monotonic()
        cancel_sent_at: float | None = None
        while True:
            if cancel_sent_at is None and cancelled is not None and cancelled():
                worker.send({"op": "cancel"})
                worker.close_stdin()
                cancel_sent_at = time.monotonic()
            now = time.monotonic()
            if cancel_sent_at is not None and now - cancel_sent_at > self.cancel_grace_s:
                worker.kill()
                raise ScanCancelledError("worker did not stop in time; killed")
            if now - last_heard > self.idle_timeout_s:
                worker.kill()
                raise ScannerNotRespondingError(f"no answer for {self.idle_timeout_s:.0f} s")
            try:
                item = worker.frames.get(timeout=0.1)
            except queue.Empty:
                continue
            last_heard = time.monotonic()
            if item is None or isinstance(item, BaseException):
                if cancel_sent_at is not None:
                    raise ScanCancelledError("worker stopped after cancel")
                description = worker.exit_description()
                # How it ended only: a driver's stderr is free text, never logged.
                log.warning("scanner worker died: %s", description)
                raise ScannerDriverCrashedError(description)
            header, payload = item
            kind = header.get("t")
            if kind == "progress":
                if progress is not None:
                    progress(float(header.get("v", 0.0)))
                continue
            if kind == "error":
                raise error_from_code(
                    str(header.get("code", "scanner_error")),
                    str(header.get("detail", "")),
                    dict(header.get("params") or {}),
                )
            if kind == "done":
                return
            yield header, payload


# --------------------------------------------------------------------------- worker side


def _load_driver(spec: str) -> Driver:
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"driver spec must be module:Class, not {spec!r}")
    module = importlib.import_module(module_name)
    factory = getattr(module, attr)
    driver: Driver = factory()
    return driver


def _serve(driver_spec: str, inp: BinaryIO, out: BinaryIO) -> int:
    frame = read_frame(inp)
    if frame is None:
        return 0
    request, _ = frame
    cancel = threading.Event()

    def watch_stdin() -> None:
        # Any further frame is a cancel; end of stream means the app is gone: stop too.
        with contextlib.suppress(ProtocolError, OSError, ValueError):
            while read_frame(inp) is not None:
                cancel.set()
        cancel.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    last_sent = [-1.0]

    def progress(value: float) -> None:
        value = max(0.0, min(1.0, float(value)))
        if value >= 1.0 or value - last_sent[0] >= 0.02:
            last_sent[0] = value
            write_frame(out, {"t": "progress", "v": round(value, 4)})

    try:
        driver = _load_driver(driver_spec)
        op = request.get("op")
        if op == "list":
            devices = driver.list_devices()
            write_frame(out, {"t": "devices", "devices": [d.to_json() for d in devices]})
        elif op == "caps":
            caps = driver.capabilities(str(request["device"]))
            write_frame(out, {"t": "caps", "caps": caps.to_json()})
        elif op == "scan":
            options = ScanOptions.from_json(request.get("options", {}))
            for page in driver.scan(str(request["device"]), options, progress, cancel.is_set):
                image = np.ascontiguousarray(page.image, dtype=np.uint8)
                if image.ndim != 3 or image.shape[2] != 3:
                    raise ScannerError("driver returned a page that is not H x W x 3")
                header = {
                    "t": "page",
                    "h": image.shape[0],
                    "w": image.shape[1],
                    "dpi": page.dpi,
                    "index": page.index,
                    "device_id": page.device_id,
                }
                write_frame(
                    out,
                    header,
                    image.tobytes() if not image.flags.c_contiguous else image.data.cast("B"),
                )
                del image, page
                if cancel.is_set():
                    raise ScanCancelledError("cancelled between pages")
        else:
            raise ValueError(f"unknown op {op!r}")
        write_frame(out, {"t": "done"})
    except ScannerError as exc:
        params = {k: str(v) for k, v in exc.params.items()}
        write_frame(out, {"t": "error", "code": exc.code, "detail": exc.detail, "params": params})
    except BrokenPipeError:
        return 1
    except Exception as exc:  # a driver bug: still a clean, typed answer
        traceback_text = f"{type(exc).__name__}: {exc}"
        sys.stderr.write(traceback_text[:500] + "\n")
        write_frame(out, {"t": "error", "code": ScannerError.code, "detail": type(exc).__name__})
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m omsdesktop.scan.worker MODULE:CLASS\n")
        return 2
    # The app decides about cancelling (Ctrl+C in a terminal reaches us too).
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Keep our frames on a private descriptor; fd 1 now goes to stderr.
    out_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    with os.fdopen(out_fd, "wb") as out:
        try:
            return _serve(args[0], sys.stdin.buffer, out)
        except BrokenPipeError:
            return 1


if __name__ == "__main__":
    raise SystemExit(main())

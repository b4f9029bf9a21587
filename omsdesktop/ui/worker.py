"""The one place where long work leaves the GUI thread (house style: Anki's QueryOp).

A job is a plain function ``fn(progress, cancelled) -> result`` (the same callbacks the core's
long functions take). :class:`WorkerPool` runs it on its own ``QThreadPool`` and reports back
through Qt signals, which Qt delivers in the GUI thread (queued connection). The job's code never
touches a widget: it only calls ``progress(fraction)`` and returns or raises.

    handle = pool.run(lambda progress, cancelled: process_file(path, progress=progress,
                                                               cancelled=cancelled),
                      on_result=self._show, on_error=self._fail, on_progress=bar.setFraction)
    handle.cancel()

Jobs started with the same ``lane`` run one at a time, in order, on a thread of their own
(the document slots' checking and reading: however many documents arrive at once, only one is
decoded and read at a time, so the memory a document needs is needed once, issue #12); the
other jobs (saving, the portal) go on beside them.

Errors: an :class:`~omsdesktop.errors.OmsError` reaches ``on_error`` as it is; anything else is
logged (type only, never data) and wrapped into :class:`~omsdesktop.errors.InternalError`, so the
window always has a message to show, never a traceback.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from omsdesktop.errors import InternalError, OmsError
from omsdesktop.ocr.heap import share_arenas

log = logging.getLogger(__name__)

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]
JobFn = Callable[[Progress, Cancelled], Any]


MALLOC_ARENAS = 2
"""How many glibc malloc arenas the window's threads share (see :func:`share_malloc_arenas`)."""


def share_malloc_arenas(count: int = MALLOC_ARENAS) -> bool:
    """Let at most ``count`` malloc arenas serve all threads (glibc); True when set.

    glibc gives each new thread an arena of its own (up to eight per core). The window reads
    on its pool's threads, Tesseract's band thread, the saver's: each kept a document's freed
    temporaries in its own arena, where the next document, read on another thread, could not
    reuse them. Measured with ``benchmarks/memory.py`` over 200 documents (issue #12),
    capping the arenas at two (as ``MALLOC_ARENA_MAX=2`` does) took 85-97 MB off the window's
    resident set at every mark and 58 MB off its peak. Elsewhere (Windows, macOS, musl)
    nothing is done.
    """
    return share_arenas(count)


class _JobSignals(QObject):
    """Lives in the GUI thread; emitted from the worker thread (so delivered queued)."""

    progress = Signal(float)
    result = Signal(object)
    error = Signal(object)
    done = Signal()


class JobHandle:
    """A running (or finished) job: cancel it, or ask whether it is still running."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._cancel = threading.Event()
        self._running = True

    def cancel(self) -> None:
        """Ask the job to stop at its next ``cancelled()`` check; its result is then dropped."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        return self._running

    def _is_cancelled(self) -> bool:
        return self._cancel.is_set()


class _Job(QRunnable):
    def __init__(self, fn: JobFn, handle: JobHandle, signals: _JobSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._handle = handle
        self._signals = signals

    def run(self) -> None:  # worker thread: no widgets here
        signals = self._signals
        if self._handle._is_cancelled():  # cancelled while it waited for its turn
            signals.done.emit()
            return
        try:
            result = self._fn(signals.progress.emit, self._handle._is_cancelled)
        except OmsError as exc:
            signals.error.emit(exc)
        except Exception as exc:  # a bug: the user still gets a message, the log gets the type
            # The type only: a message or a traceback may quote OCR text (a child's name).
            log.error("background job %s failed: %s", self._handle.name, type(exc).__name__)
            signals.error.emit(InternalError(type(exc).__name__))
        else:
            signals.result.emit(result)
        finally:
            signals.done.emit()


class WorkerPool(QObject):
    """Runs jobs off the GUI thread and tracks them so the window can cancel and wait.

    Signals:
        busyChanged(bool): True when the first job starts, False when the last one ends.
    """

    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        share_malloc_arenas()  # before any of the pool's threads allocates
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._lanes: dict[str, QThreadPool] = {}
        self._active: dict[JobHandle, _JobSignals] = {}

    def _lane(self, name: str) -> QThreadPool:
        lane = self._lanes.get(name)
        if lane is None:
            lane = QThreadPool(self)
            lane.setMaxThreadCount(1)
            # The thread stays: it keeps what it loaded for the next job (the OCR engine's
            # models are per thread) and its allocator arena is reused, not a new one.
            lane.setExpiryTimeout(-1)
            self._lanes[name] = lane
        return lane

    def _pools(self) -> list[QThreadPool]:
        return [self._pool, *self._lanes.values()]

    @property
    def active_count(self) -> int:
        """Jobs started and not yet finished (their result not yet delivered)."""
        return len(self._active)

    def active_names(self) -> list[str]:
        return [h.name for h in self._active]

    def run(
        self,
        fn: JobFn,
        *,
        name: str = "job",
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[OmsError], None] | None = None,
        on_progress: Callable[[float], None] | None = None,
        on_done: Callable[[], None] | None = None,
        lane: str | None = None,
    ) -> JobHandle:
        """Start ``fn`` on a worker thread; the callbacks run in the GUI thread.

        After :meth:`JobHandle.cancel`, ``on_result`` and ``on_error`` are not called (the
        caller has moved on); ``on_done`` always is. A job cancelled before its turn never
        starts.

        Args:
            lane: jobs with the same lane run one after another on that lane's own thread
                (default: the shared threads, beside the others).
        """
        handle = JobHandle(name)
        signals = _JobSignals(self)
        if on_progress is not None:
            signals.progress.connect(on_progress)

        def deliver_result(value: Any) -> None:
            if not handle.cancel_requested and on_result is not None:
                on_result(value)

        def deliver_error(exc: OmsError) -> None:
            if not handle.cancel_requested and on_error is not None:
                on_error(exc)

        def finish() -> None:
            handle._running = False
            self._active.pop(handle, None)
            signals.deleteLater()
            if on_done is not None:
                on_done()
            if not self._active:
                self.busyChanged.emit(False)

        signals.result.connect(deliver_result)
        signals.error.connect(deliver_error)
        signals.done.connect(finish)
        was_idle = not self._active
        self._active[handle] = signals
        if was_idle:
            self.busyChanged.emit(True)
        pool = self._pool if lane is None else self._lane(lane)
        pool.start(_Job(fn, handle, signals))
        return handle

    def cancel_all(self) -> None:
        for handle in list(self._active):
            handle.cancel()

    def wait_threads(self, msecs: int = -1) -> bool:
        """Block until the worker threads are idle (for shutdown; results are not delivered)."""
        return all([bool(pool.waitForDone(msecs)) for pool in self._pools()])

    def threads_busy(self) -> int:
        return sum(int(pool.activeThreadCount()) for pool in self._pools())

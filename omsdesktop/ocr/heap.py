"""The C heap between documents: reused while documents keep coming, handed back when idle.

A document's page-sized temporaries (the decoded photo, its cleaned, scaled and thresholded
copies, Tesseract's images) are freed when it is done. What becomes of that memory decides two
things (issue #12):

* **Speed.** Memory the process has handed back to the system comes back as fresh pages,
  and each fresh page is a page fault: on the 2-core machine (a virtual one) a megabyte of
  fresh pages costs about 2 ms the first time it is touched, 0.1 ms reused. glibc maps every
  block over its (sliding, at most 32 MB) threshold afresh and unmaps it when freed, and a
  ``malloc_trim`` after every document handed the rest back: 0.07-0.10 s of system time per
  document went to faulting the same memory in again. Measured on 18 documents read one
  after another with a ``tesseract`` process between them (``benchmarks/speed.py``'s
  conditions), two runs each: trimmed after every document and mapped afresh, 0.61 / 0.59 s
  median; the heap kept and no block mapped afresh, 0.56 / 0.58 s (mean 0.63 / 0.61 ->
  0.56 / 0.57 s); system time 0.07-0.10 -> 0.016 s a document; the peak resident set the
  same (306-316 against 315-323 MB).
* **Memory.** Kept, the freed memory stays resident: the process sits at its peak between
  documents instead of 100 MB below it. So it is handed back (``malloc_trim(0)``, every
  arena) once no document has been read for :data:`IDLE_TRIM_S` seconds, as jemalloc's
  decay does: a desk reading documents back to back keeps its memory warm, a window left
  open between families gives it back. A document read after such a pause pays the faults
  once more.

:func:`document_started` / :func:`document_finished` bracket every document
(``forms.pipeline``); the first call tunes the allocator (:func:`keep_freed_memory`).

Elsewhere all of this is a no-op: Windows' and macOS's allocators manage large blocks their
own way, and musl has neither ``mallopt`` nor ``malloc_trim``.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import threading
import time
from collections.abc import Callable

IDLE_TRIM_S = 10.0
"""Seconds without a document after which the freed memory is handed back to the system."""

# mallopt's parameter numbers, from glibc's malloc.h.
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_M_ARENA_MAX = -8

_NEVER_TRIM_TOP = 1 << 30  # bytes: glibc trims the heap's top on its own above this


@functools.cache  # no arguments: one entry, the C library or None
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)  # the C library this process already uses
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc_trim.restype = ctypes.c_int
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
    except (OSError, AttributeError):  # musl: no malloc_trim
        return None
    return libc


def _mallopt(param: int, value: int) -> bool:
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(param, value))


@functools.cache  # once per process
def keep_freed_memory() -> bool:
    """Keep freed memory in the process for the next document (glibc); True when set.

    Every block comes from the heap (``M_MMAP_MAX`` 0: none is mapped afresh and unmapped
    when freed, a 36 MB photo included) and the heap's top is not trimmed on its own (only
    :func:`release_free_memory` hands memory back). A block too big for a thread's arena is
    then served from the main one.
    """
    return _mallopt(_M_MMAP_MAX, 0) and _mallopt(_M_TRIM_THRESHOLD, _NEVER_TRIM_TOP)


def share_arenas(count: int) -> bool:
    """Let at most ``count`` malloc arenas serve all threads (glibc); True when set.

    Set it before the threads it is for first allocate; setting it again changes nothing.

    glibc gives each new thread an arena of its own (up to eight per core), and memory freed
    in one arena is not reused by threads of another (see ``ui.worker``).
    """
    return _mallopt(_M_ARENA_MAX, count)


def release_free_memory() -> None:
    """Return the C heap's free pages to the system now (glibc); nothing elsewhere.

    Thread-safe, and safe while another thread allocates.
    """
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


class _IdleTrim:
    """Hands the free memory back once no document has been read for ``idle_s`` seconds.

    One daemon thread, started with the first finished document, sleeps until then.
    """

    def __init__(self, idle_s: float, trim: Callable[[], None]) -> None:
        self.idle_s = idle_s
        self._trim = trim
        self._cond = threading.Condition()
        self._busy = 0
        self._due: float | None = None
        self._thread: threading.Thread | None = None

    def started(self) -> None:
        with self._cond:
            self._busy += 1
            self._due = None

    def finished(self) -> None:
        with self._cond:
            self._busy = max(0, self._busy - 1)
            if self._busy:
                return
            self._due = time.monotonic() + self.idle_s
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="heap-trim", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._due is None or self._due > time.monotonic():
                    timeout = None if self._due is None else self._due - time.monotonic()
                    self._cond.wait(timeout)
                self._due = None
            self._trim()  # outside the lock: a document may start meanwhile


_idle = _IdleTrim(IDLE_TRIM_S, release_free_memory)


def _forked() -> None:
    # A forked child has none of its parent's threads (nor, maybe, a free lock): start afresh.
    global _idle
    _idle = _IdleTrim(IDLE_TRIM_S, release_free_memory)


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forked)


def document_started() -> None:
    """A document is being read: its memory comes from what the last one freed."""
    keep_freed_memory()
    _idle.started()


def document_finished() -> None:
    """The document is done; its memory goes back to the system after :data:`IDLE_TRIM_S`
    seconds unless another document starts first."""
    _idle.finished()


__all__ = [
    "IDLE_TRIM_S",
    "document_finished",
    "document_started",
    "keep_freed_memory",
    "release_free_memory",
    "share_arenas",
]

"""The C heap between documents (issue #12): kept while documents come, handed back when idle."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from omsdesktop.ocr import heap

GLIBC = sys.platform.startswith("linux") and heap._glibc() is not None


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not GLIBC, reason="glibc's allocator only")
def test_a_freed_page_sized_block_stays_in_the_process_until_released() -> None:
    assert heap.keep_freed_memory()
    heap.release_free_memory()
    before = _rss_mb()
    block = np.ones(64 * 2**20, dtype=np.uint8)  # bigger than glibc's largest mmap threshold
    assert _rss_mb() - before > 50
    del block
    kept = _rss_mb()
    assert kept - before > 50, "the freed block was handed back at once"
    again = np.ones(64 * 2**20, dtype=np.uint8)  # reuses it: no new memory
    assert _rss_mb() - kept < 10
    del again
    heap.release_free_memory()
    assert _rss_mb() - before < 20, "release_free_memory kept the freed block"


class _Trims:
    def __init__(self) -> None:
        self.count = 0
        self.event = threading.Event()

    def __call__(self) -> None:
        self.count += 1
        self.event.set()


def test_memory_is_handed_back_once_documents_stop() -> None:
    trims = _Trims()
    idle = heap._IdleTrim(0.05, trims)
    idle.started()
    idle.finished()
    assert trims.event.wait(5.0)
    time.sleep(0.2)
    assert trims.count == 1, "one pause, one hand-back"


def test_nothing_is_handed_back_while_a_document_is_read() -> None:
    trims = _Trims()
    idle = heap._IdleTrim(0.05, trims)
    idle.started()
    idle.started()  # a file's pages: one document inside another
    idle.finished()
    time.sleep(0.3)
    assert trims.count == 0
    idle.finished()
    assert trims.event.wait(5.0)


def test_a_document_started_in_time_postpones_the_hand_back() -> None:
    trims = _Trims()
    idle = heap._IdleTrim(0.4, trims)
    idle.started()
    idle.finished()
    time.sleep(0.2)
    idle.started()  # the next document, before the pause is long enough
    time.sleep(0.4)
    assert trims.count == 0
    idle.finished()
    assert trims.event.wait(5.0)
    assert trims.count == 1


def test_the_pipeline_brackets_every_document(monkeypatch: pytest.MonkeyPatch) -> None:
    from omsdesktop.forms import pipeline

    calls: list[str] = []
    monkeypatch.setattr(pipeline, "document_started", lambda: calls.append("started"))
    monkeypatch.setattr(pipeline, "document_finished", lambda: calls.append("finished"))
    result = pipeline.process_bytes(b"not an image", name="x")
    assert result.errors, "the bytes are not an image"
    assert calls == ["started", "finished"]


@pytest.mark.slow  # it forks a process
@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="POSIX fork")
def test_a_forked_child_hands_memory_back_on_its_own() -> None:
    import os

    heap.document_started()
    heap.document_finished()  # the parent's trim thread now exists
    parent_idle = heap._idle
    pid = os.fork()
    if pid == 0:  # the child: a fresh scheduler, whose own thread does the work
        ok = heap._idle is not parent_idle and heap._idle._thread is None
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0

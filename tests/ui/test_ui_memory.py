"""Memory over a working day in the window (issue #12): what a slot keeps and how the reading
jobs share the machine. No RSS or timing is asserted here (``benchmarks/memory.py`` measures
them); these tests pin the behaviour the numbers rest on:

* the OCR engine is built once for the window, not once per document;
* a document's file is decoded once, and its page assessed and straightened once (the check
  hands its page, quality and straightened copy to the reading), and neither the slot's
  document nor a page waiting for «Использовать всё равно» keeps the decoded page;
* documents are checked and read one at a time, whichever slot they are for, and a job
  cancelled before its turn never starts;
* the worker threads share two malloc arenas instead of one each (glibc).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from omsdesktop.ocr.engine import OcrConfig, TesseractMissingError, create_engine
from omsdesktop.settings import Settings
from omsdesktop.ui.services import Services

OCR_TIMEOUT = 120_000
REPO = Path(__file__).resolve().parents[2]


class CountingFactory:
    """The real engine factory, counting how often it builds an engine."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, settings: Settings) -> Any:
        self.calls += 1
        return create_engine(settings.ocr)


# ---------------------------------------------------------------------- the engine, built once


def test_services_build_the_engine_once_and_again_when_the_ocr_settings_change() -> None:
    built: list[object] = []

    def factory(settings: Settings) -> object:
        engine = object()
        built.append(engine)
        return engine

    services = Services(settings=Settings(), engine_factory=factory)  # type: ignore[arg-type]
    first = services.engine()
    assert services.engine() is first
    # The settings dialog replaces the services: the engine goes with them ...
    same_ocr = services.with_settings(Settings(language="en"))
    assert same_ocr.engine() is first
    # ... until the OCR settings change.
    other_ocr = services.with_settings(Settings(ocr=OcrConfig(engine="tesseract-cli")))
    second = other_ocr.engine()
    assert second is not first
    assert len(built) == 2


def test_a_failed_engine_build_is_not_kept() -> None:
    attempts: list[int] = []

    def factory(settings: Settings) -> object:
        attempts.append(1)
        if len(attempts) == 1:
            raise TesseractMissingError("not on PATH")
        return object()

    services = Services(settings=Settings(), engine_factory=factory)  # type: ignore[arg-type]
    with pytest.raises(TesseractMissingError):
        services.engine()
    engine = services.engine()  # the user fixed the settings: the next document tries again
    assert services.engine() is engine
    assert len(attempts) == 2


# -------------------------------------------------------------------- the lane, one at a time


def test_jobs_in_a_lane_run_one_at_a_time_beside_the_others(qtbot, leak_check) -> None:
    from omsdesktop.ui.worker import WorkerPool

    pool = WorkerPool()
    leak_check.pools.append(pool)
    lock = threading.Lock()
    running = 0
    most = 0
    release = threading.Event()
    other_done: list[bool] = []

    def document_job(progress: Any, cancelled: Any) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(10)
        with lock:
            running -= 1

    for n in range(3):
        pool.run(document_job, name=f"document-{n}", lane="documents")
    # A job outside the lane (saving a draft) is not held up by the documents waiting.
    pool.run(lambda p, c: None, name="save", on_done=lambda: other_done.append(True))
    qtbot.waitUntil(lambda: bool(other_done), timeout=10_000)
    assert pool.active_count == 3
    release.set()
    qtbot.waitUntil(lambda: pool.active_count == 0, timeout=10_000)
    assert most == 1


def test_a_job_cancelled_before_its_turn_never_starts(qtbot, leak_check) -> None:
    from omsdesktop.ui.worker import WorkerPool

    pool = WorkerPool()
    leak_check.pools.append(pool)
    release = threading.Event()
    started: list[str] = []
    finished: list[str] = []
    results: list[object] = []

    def job(name: str) -> Any:
        def run(progress: Any, cancelled: Any) -> str:
            started.append(name)
            release.wait(10)
            return name

        return run

    pool.run(job("first"), name="first", lane="documents", on_result=results.append)
    waiting = pool.run(
        job("second"),
        name="second",
        lane="documents",
        on_result=results.append,
        on_done=lambda: finished.append("second"),
    )
    qtbot.waitUntil(lambda: started == ["first"], timeout=10_000)
    waiting.cancel()
    release.set()
    qtbot.waitUntil(lambda: pool.active_count == 0, timeout=10_000)
    assert started == ["first"]
    assert finished == ["second"]  # on_done still comes: the caller's bookkeeping ends
    assert results == ["first"]
    assert pool.wait_threads(10_000)


# ------------------------------------------------------------------- what a slot keeps, the file


def test_a_document_is_decoded_once_read_with_one_engine_and_its_page_not_kept(
    qtbot, make_window, make_services, documents, monkeypatch
) -> None:
    import omsdesktop.forms.pipeline as pipeline

    decoded: list[int] = []
    real_load_page = pipeline.load_page
    checked: list[str] = []
    real_assess, real_straighten = pipeline.assess, pipeline.straighten

    def counting_load_page(*args: Any, **kwargs: Any) -> Any:
        decoded.append(1)
        return real_load_page(*args, **kwargs)

    def counting_assess(*args: Any, **kwargs: Any) -> Any:
        checked.append("assess")
        return real_assess(*args, **kwargs)

    def counting_straighten(*args: Any, **kwargs: Any) -> Any:
        checked.append("straighten")
        return real_straighten(*args, **kwargs)

    monkeypatch.setattr(pipeline, "load_page", counting_load_page)
    monkeypatch.setattr(pipeline, "assess", counting_assess)
    monkeypatch.setattr(pipeline, "straighten", counting_straighten)
    factory = CountingFactory()
    window = make_window(make_services(engine_factory=factory))

    certificate = window.certificate_slot
    with qtbot.waitSignal(certificate.documentReady, timeout=OCR_TIMEOUT):
        certificate.load_path(str(documents.certificate))
    assert certificate.document is not None and certificate.document.fields
    # Checked and read from one decoding of the file, assessed and straightened once: the
    # reading takes both from the check.
    assert len(decoded) == 1
    assert sorted(checked) == ["assess", "straighten"]
    # Kept: the straightened page (boxes, crops, attachment) and the dpi; not the decoded one.
    assert certificate.document.result.page is None
    assert certificate.document.image is not None
    assert certificate.document.dpi == pytest.approx(300, abs=1)

    policy = window.policy_slot
    with qtbot.waitSignal(policy.documentReady, timeout=OCR_TIMEOUT):
        policy.load_path(str(documents.policy))
    assert policy.document is not None and policy.document.fields
    assert factory.calls == 1  # one engine for both documents
    assert len(decoded) == 2
    assert sorted(checked) == ["assess", "assess", "straighten", "straighten"]


def test_a_page_waiting_for_use_anyway_keeps_no_decoded_page(
    qtbot, make_window, make_services, documents
) -> None:
    window = make_window(make_services())
    slot = window.certificate_slot
    slot.load_path(str(documents.blurry_certificate))
    qtbot.waitUntil(lambda: slot.use_anyway_button.isVisible() and not slot.busy, timeout=60_000)
    waiting = slot._pending  # what the slot holds while the user decides
    assert waiting is not None
    assert waiting.result.page is None
    assert waiting.result.straightened is None
    assert not waiting.preview.isNull()  # the page is still on screen
    with qtbot.waitSignal(slot.documentReady, timeout=OCR_TIMEOUT):
        slot.use_anyway_button.click()  # decoded again from the file, then read
    assert slot.document is not None
    assert slot.document.result.page is None


# -------------------------------------------------------------- the allocator's arenas, shared

ARENA_PROBE = """
import ctypes, sys, threading
if sys.argv[1] == "pool":
    from omsdesktop.ui.worker import WorkerPool
    WorkerPool()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
start = threading.Barrier(6)
def allocate():
    start.wait()  # all at once: each thread asks for an arena while the others hold theirs
    for _ in range(2000):
        libc.malloc(1000)
threads = [threading.Thread(target=allocate) for _ in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
libc.malloc_stats()  # one "Arena N:" block per arena, on stderr
"""


@pytest.mark.slow(reason="a subprocess")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas")
def test_the_pools_threads_share_two_malloc_arenas() -> None:
    def arenas(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", ARENA_PROBE, mode],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        return sum(1 for line in done.stderr.splitlines() if line.startswith("Arena "))

    if arenas("plain") <= 2:
        pytest.skip("this C library gave six threads no arenas of their own")
    assert arenas("pool") <= 2

"""Never frozen: the GUI thread keeps ticking while a real OCR runs, and closing the window
in the middle of work stops it cleanly."""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import QTimer

OCR_TIMEOUT = 120_000
MAX_GAP_S = 0.100  # the limit for any block of the GUI thread


def test_gui_thread_never_blocks_while_ocr_runs(qtbot, make_window, make_services, documents):
    window = make_window(make_services())
    slot = window.certificate_slot
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start()
    try:
        with qtbot.waitSignal(slot.documentReady, timeout=OCR_TIMEOUT):
            slot.load_path(str(documents.certificate))
        # Include showing the result (pixmaps, boxes, form) in the measured span.
        qtbot.wait(100)
    finally:
        heartbeat.stop()
    assert slot.document is not None and slot.document.fields
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 50
    worst = max(gaps)
    assert worst < MAX_GAP_S, f"the GUI thread was blocked for {worst * 1000:.0f} ms"


def test_closing_during_ocr_cancels_and_waits(qtbot, make_window, make_services, documents):
    window = make_window(make_services())
    slot = window.certificate_slot
    slot.load_path(str(documents.certificate))
    qtbot.waitUntil(lambda: "Распознаю" in slot.status.text(), timeout=60_000)
    qtbot.wait(300)  # OCR is under way now
    assert window.pool.active_count >= 1
    window.close()
    qtbot.waitUntil(lambda: window.closed, timeout=60_000)
    assert window.pool.active_count == 0
    assert window.store is None  # the database was closed after the work stopped
    assert slot.document is None  # the cancelled result was dropped, not shown


def test_leak_check_fails_a_test_that_leaves_a_job_running(qtbot, leak_check):
    """The conftest's check itself: a job left running is reported."""
    import threading

    from omsdesktop.ui.worker import WorkerPool

    pool = WorkerPool()
    release = threading.Event()
    pool.run(lambda progress, cancelled: release.wait(10), name="stuck")
    checker = type(leak_check)([pool])
    try:
        problems = checker.check()
        assert problems and "stuck" in problems[0]
    finally:
        release.set()
        qtbot.waitUntil(lambda: pool.active_count == 0, timeout=10_000)
    assert checker.check() == []

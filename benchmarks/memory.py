"""Memory over a working day: RSS while one process reads document after document.

    python benchmarks/memory.py                  # the README's numbers: CLI 100, window 200
    python benchmarks/memory.py --quick          # CLI 20, window 20 (a few minutes)
    python benchmarks/memory.py --only cli --docs 50 --tracemalloc

Two measurements, each in a fresh interpreter so neither sees the other's memory (nor the
memory used to draw the documents):

* **cli** — ``omsdesktop extract --json FILE FILE …`` in-process (``omsdesktop.cli.main``), the
  same documents repeated to ``--docs`` files in one call, as an operator's script would run it.
  The resident set (``VmRSS``) and its peak (``VmHWM``) are read from ``/proc/self/status`` each
  time a document's JSON line is written.
* **window** — the real main window (``QT_QPA_PLATFORM=offscreen``, a throw-away profile and
  SQLite drafts) loading ``--window-docs`` documents one after another through the slots' public
  loading path (:class:`omsdesktop.ui.driver.AppDriver`): certificates into the certificate
  slot, policies into the policy slot, each waited for until its fields are in the form.

The documents come from the test generator (``tests.docgen``): drawn certificates and
policies, and policies on the real blank forms (``generate_real``), as 300/200-dpi scans (PNG)
and phone photos (JPEG). Targets (issue #12): peak ≤ 600 MB over 100 documents and growth
from the 10th to the 100th document ≤ 50 MB; the window likewise over 200 documents.

``--trace-peak`` (window only) samples the resident set every few milliseconds on a thread of
its own and, each time it reaches a new high, notes which document was loading, the window's
running jobs and where every thread stood (its innermost ``omsdesktop`` frames): what the peak
is made of, not only how high it is.

``--tracemalloc`` (cli only) also prints the Python allocations that grew most between the
10th document and the last: Python objects left behind show there; RSS growing while they do
not points at native memory (Tesseract, OpenCV, numpy buffers held from C).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PEAK_TARGET_MB = 600.0
GROWTH_TARGET_MB = 50.0

# (generator, kind or form, capture): a mix of certificates and policies, scans and photos.
CORPUS: tuple[tuple[str, str, str], ...] = (
    ("certificate", "", "scan300"),
    ("policy", "", "scan300"),
    ("real", "unified_real", "scan300"),
    ("certificate", "", "photo"),
    ("real", "temporary_real", "scan200"),
    ("policy", "", "photo"),
    ("real", "unified_real", "photo"),
    ("certificate", "", "scan200"),
    ("real", "temporary_real", "photo"),
    ("policy", "", "scan200"),
)
# Ten documents: the 10th, 50th, 100th and 200th reading each hold the same two documents in
# the window's slots, so the readings compare like with like.
PHOTO_CAPTURES = frozenset({"photo", "glare", "hand", "lamp"})


# ------------------------------------------------------------------------------ readings


def status_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB, from /proc/self/status."""
    rss = hwm = 0.0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return rss, hwm


def end_peak_mb() -> float:
    """This process's peak RSS so far (VmHWM).

    Not ``getrusage(RUSAGE_SELF).ru_maxrss``: on Linux that survives ``exec`` and so starts at
    the parent's peak (here the parent that drew the documents, ~600 MB).
    """
    return status_mb()[1]


# ------------------------------------------------------------------------------ documents


def make_corpus(folder: Path, distinct: int) -> list[tuple[str, Path]]:
    """Draw ``distinct`` documents into ``folder``; returns (kind, path) pairs."""
    import cv2
    from PIL import Image as PILImage

    from tests.docgen import degrade, generate_certificate, generate_policy
    from tests.docgen.render_real import generate_real

    out: list[tuple[str, Path]] = []
    for i in range(distinct):
        generator, form, capture = CORPUS[i % len(CORPUS)]
        seed = 11 + i
        if generator == "certificate":
            doc, kind = generate_certificate(seed), "birth_certificate"
        elif generator == "policy":
            doc, kind = generate_policy(seed), "oms_policy"
        else:
            doc, kind = generate_real(seed, form), "oms_policy"
        image, info = degrade(doc, capture, seed=seed)
        stem = f"{i:02d}_{generator}{'_' + form if form else ''}_{capture}"
        if capture in PHOTO_CAPTURES:
            path = folder / f"{stem}.jpg"
            ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
            assert ok
            path.write_bytes(buf.tobytes())
        else:
            path = folder / f"{stem}.png"
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
            dpi = {"dpi": (info.dpi, info.dpi)} if info.dpi else {}
            PILImage.fromarray(rgb).save(path, **dpi)
        out.append((kind, path))
    return out


def repeated(corpus: list[tuple[str, Path]], count: int) -> list[tuple[str, Path]]:
    return [corpus[i % len(corpus)] for i in range(count)]


# ------------------------------------------------------------------------------ the CLI


class _Sampler:
    """A stdout that reads the memory after every JSON line the CLI writes."""

    def __init__(self, marks: set[int], on_mark: Callable[[int], None]) -> None:
        self.count = 0
        self.samples: list[dict[str, float]] = []
        self._marks = marks
        self._on_mark = on_mark
        self._buffer = ""

    def write(self, text: str) -> int:
        self._buffer += text
        while "\n" in self._buffer:
            _, self._buffer = self._buffer.split("\n", 1)
            self.count += 1
            rss, hwm = status_mb()
            self.samples.append({"docs": self.count, "rss_mb": rss, "peak_mb": hwm})
            if self.count in self._marks:
                self._on_mark(self.count)
        return len(text)

    def flush(self) -> None:
        pass


def child_cli(files: list[str], marks: set[int], trace: bool) -> dict[str, Any]:
    from omsdesktop.cli import main as cli_main

    snapshots: dict[int, Any] = {}
    if trace:
        import tracemalloc

        tracemalloc.start(12)

    def on_mark(n: int) -> None:
        if trace:
            import gc
            import tracemalloc

            gc.collect()
            snapshots[n] = tracemalloc.take_snapshot()

    start_rss, _ = status_mb()
    sampler = _Sampler(marks, on_mark)
    real_stdout = sys.stdout
    sys.stdout = sampler  # type: ignore[assignment]
    t0 = time.perf_counter()
    try:
        rc = cli_main(["extract", "--json", *files])
    finally:
        sys.stdout = real_stdout
    elapsed = time.perf_counter() - t0
    growth: list[str] = []
    if trace and len(snapshots) >= 2:
        first, last = min(snapshots), max(snapshots)
        diff = snapshots[last].compare_to(snapshots[first], "traceback")
        for stat in diff[:12]:
            growth.append(f"{stat.size_diff / 1e6:+.1f} MB in {stat.count_diff:+d} blocks")
            growth += [f"    {line}" for line in stat.traceback.format()[-6:]]
        growth.insert(0, f"Python allocations grown from document {first} to {last}:")
    return {
        "exit_code": rc,
        "start_rss_mb": start_rss,
        "samples": sampler.samples,
        "end_peak_mb": end_peak_mb(),
        "seconds": elapsed,
        "tracemalloc": growth,
    }


# ------------------------------------------------------------------------------ the window


class _Bot:
    """The few ``qtbot`` calls :class:`AppDriver` makes, outside pytest."""

    class TimeoutError(Exception):
        pass

    def __init__(self, app: Any) -> None:
        self._app = app

    def waitUntil(self, condition: Callable[[], Any], timeout: int = 5000) -> None:
        from PySide6.QtTest import QTest

        deadline = time.monotonic() + timeout / 1000
        while True:
            self._app.processEvents()
            if condition():
                return
            if time.monotonic() > deadline:
                raise self.TimeoutError()
            QTest.qWait(10)

    @contextmanager
    def waitSignal(self, signal: Any, timeout: int = 5000) -> Iterator[None]:
        fired: list[bool] = []
        signal.connect(lambda *_: fired.append(True))
        yield
        self.waitUntil(lambda: bool(fired), timeout)

    def mouseClick(self, widget: Any, button: Any, *args: Any) -> None:
        from PySide6.QtTest import QTest

        QTest.mouseClick(widget, button, *args)


class _PeakTracer:
    """Samples VmRSS every ``interval`` s; at each new high, what every thread was doing."""

    def __init__(self, active_jobs: Callable[[], list[str]], interval: float = 0.003) -> None:
        import threading

        self.doc = 0
        self.records: list[dict[str, Any]] = []
        self._active_jobs = active_jobs
        self._interval = interval
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-tracer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _rss_mb(self) -> float:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * self._page / 2**20

    def _run(self) -> None:
        import threading
        import traceback

        best = 0.0
        own = threading.get_ident()
        while not self._stop.wait(self._interval):
            rss = self._rss_mb()
            if rss < best + 2.0:
                continue
            best = rss
            names = {t.ident: t.name for t in threading.enumerate()}
            stacks: dict[str, list[str]] = {}
            for ident, frame in sys._current_frames().items():
                if ident == own:
                    continue
                # Without reading the source lines: linecache would keep them (memory).
                summary = traceback.StackSummary.extract(
                    traceback.walk_stack(frame), lookup_lines=False
                )
                ours = [
                    f"{Path(f.filename).name}:{f.lineno} {f.name}"
                    for f in reversed(summary)
                    if "omsdesktop" in f.filename and "benchmarks" not in f.filename
                ]
                if ours:
                    stacks[names.get(ident, str(ident))] = ours[-5:]
            self.records.append(
                {"doc": self.doc, "rss_mb": rss, "jobs": self._active_jobs(), "stacks": stacks}
            )

    def report(self, top: int = 8) -> list[str]:
        lines = [f"The resident set's last {top} new highs (document, MB, jobs, threads):"]
        for record in self.records[-top:]:
            lines.append(
                f"  document {record['doc']}: {record['rss_mb']:.0f} MB, jobs {record['jobs']}"
            )
            for name, stack in record["stacks"].items():
                lines.append(f"    {name}: " + " > ".join(stack))
        return lines


def child_window(
    docs: list[tuple[str, str]], marks: set[int], trace_peak: bool = False
) -> dict[str, Any]:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from omsdesktop.storage.config import sqlite_url
    from omsdesktop.ui.driver import AppDriver, build_services, isolate_qsettings

    app = QApplication.instance() or QApplication(["omsdesktop-memory"])
    home = Path(os.environ["OMSDESKTOP_HOME"])
    isolate_qsettings(str(home / "qsettings"))
    start_rss, _ = status_mb()
    services = build_services(sqlite_url(home / "drafts.sqlite3"), operator="desk-1")
    driver = AppDriver.start(_Bot(app), services)
    tracer = _PeakTracer(lambda: list(driver.window.pool.active_names())) if trace_peak else None
    if tracer is not None:
        tracer.start()
    samples: list[dict[str, float]] = []
    failures = 0
    t0 = time.perf_counter()
    for n, (kind, path) in enumerate(docs, 1):
        if tracer is not None:
            tracer.doc = n
        if kind == "birth_certificate":
            driver.load_certificate(path)
        else:
            driver.load_policy(path)
        try:
            driver.wait_until_read(use_anyway=True)
        except AssertionError:  # a document not read still went through the slot
            failures += 1
        rss, hwm = status_mb()
        samples.append({"docs": n, "rss_mb": rss, "peak_mb": hwm})
        if n in marks:
            print(f"window: {n} documents, RSS {rss:.0f} MB", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - t0
    if tracer is not None:
        tracer.stop()
    driver.close()
    return {
        "exit_code": 0,
        "start_rss_mb": start_rss,
        "samples": samples,
        "end_peak_mb": end_peak_mb(),
        "seconds": elapsed,
        "not_read": failures,
        "tracemalloc": tracer.report() if tracer is not None else [],
    }


# ------------------------------------------------------------------------------ the parent


def run_child(mode: str, docs: list[tuple[str, Path]], marks: list[int], args: Any) -> Any:
    with tempfile.TemporaryDirectory(prefix="omsdesktop-memory-") as tmp:
        spec = Path(tmp) / "job.json"
        result = Path(tmp) / "result.json"
        spec.write_text(
            json.dumps(
                {
                    "mode": mode,
                    "docs": [(kind, str(path)) for kind, path in docs],
                    "marks": marks,
                    "trace": bool(args.tracemalloc),
                    "trace_peak": bool(args.trace_peak),
                    "out": str(result),
                }
            ),
            encoding="utf-8",
        )
        env = dict(os.environ)
        env.update(
            OMSDESKTOP_HOME=str(Path(tmp) / "home"),
            OMSDESKTOP_KEYRING="off",
            QT_QPA_PLATFORM="offscreen",
        )
        for name in ("OMSDESKTOP_DATABASE_URL", "OMSDESKTOP_PORTAL_URL"):
            env.pop(name, None)
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(spec)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            check=False,
        )
        if not result.exists():
            raise SystemExit(f"the {mode} run failed (exit {proc.returncode})")
        return json.loads(result.read_text(encoding="utf-8"))


def child_main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    marks = set(spec["marks"])
    if spec["mode"] == "cli":
        out = child_cli([path for _, path in spec["docs"]], marks, spec["trace"])
    else:
        docs = [(kind, path) for kind, path in spec["docs"]]
        out = child_window(docs, marks, spec.get("trace_peak", False))
    Path(spec["out"]).write_text(json.dumps(out), encoding="utf-8")
    return 0


def at(samples: list[dict[str, float]], n: int) -> dict[str, float]:
    return next(s for s in samples if s["docs"] == n)


def report(name: str, out: dict[str, Any], marks: list[int]) -> list[str]:
    samples = out["samples"]
    marks = [m for m in marks if m <= len(samples)]
    reading_peak = samples[-1]["peak_mb"]  # VmHWM after the last document
    lines = [
        f"| {name}, documents read | start | "
        + " | ".join(str(m) for m in marks)
        + " | peak while reading | peak in all |"
    ]
    lines.append("|---|---:|" + "---:|" * (len(marks) + 2))
    lines.append(
        f"| RSS, MB | {out['start_rss_mb']:.0f} | "
        + " | ".join(f"{at(samples, m)['rss_mb']:.0f}" for m in marks)
        + f" | {reading_peak:.0f} | {out['end_peak_mb']:.0f} |"
    )
    first, last = at(samples, marks[0]), at(samples, marks[-1])
    growth = last["rss_mb"] - first["rss_mb"]
    per_doc = growth / max(1, marks[-1] - marks[0])
    lines.append("")
    lines.append(
        f"{name}: {len(samples)} documents in {out['seconds']:.0f} s; growth from document "
        f"{marks[0]} to {marks[-1]}: {growth:+.0f} MB ({per_doc:+.2f} MB per document); peak "
        f"{reading_peak:.0f} MB while reading, {out['end_peak_mb']:.0f} MB in all (the window's "
        f"includes closing it) (targets: peak ≤ {PEAK_TARGET_MB:.0f} MB, growth ≤ "
        f"{GROWTH_TARGET_MB:.0f} MB)"
        + (f"; not read: {out['not_read']}" if out.get("not_read") else "")
    )
    if out.get("exit_code"):
        lines.append(f"(exit code {out['exit_code']}: some documents reported an error)")
    return [*lines, "", *out.get("tracemalloc", [])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 documents each (iterating)")
    parser.add_argument("--only", choices=("cli", "window"), help="one measurement only")
    parser.add_argument("--docs", type=int, help="documents for the CLI run (default 100)")
    parser.add_argument("--window-docs", type=int, help="documents for the window (default 200)")
    parser.add_argument("--distinct", type=int, default=len(CORPUS), help="distinct documents")
    parser.add_argument("--tracemalloc", action="store_true", help="Python allocations (cli)")
    parser.add_argument("--trace-peak", action="store_true", help="what the peak is (window)")
    parser.add_argument("--json", metavar="FILE", help="write the raw samples here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_main(args.child)

    cli_docs = args.docs or (20 if args.quick else 100)
    window_docs = args.window_docs or (20 if args.quick else 200)
    results: dict[str, Any] = {}
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="omsdesktop-memory-docs-") as tmp:
        corpus = make_corpus(Path(tmp), args.distinct)
        if args.only in (None, "cli"):
            marks = sorted({m for m in (10, 50, 100, cli_docs) if m <= cli_docs})
            out = run_child("cli", repeated(corpus, cli_docs), marks, args)
            results["cli"] = out
            lines += report("extract --json", out, marks)
        if args.only in (None, "window"):
            marks = sorted({m for m in (10, 50, 100, 200, window_docs) if m <= window_docs})
            out = run_child("window", repeated(corpus, window_docs), marks, args)
            results["window"] = out
            lines += report("window", out, marks)
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

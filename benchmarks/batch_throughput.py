"""Batch intake throughput and memory: documents per minute on 300-dpi scans, peak RSS.

    python benchmarks/batch_throughput.py --counts 50 500 --jobs 2

For each count it generates a folder of 300-dpi scans (certificate + policy pairs of generated
children, every policy form; generation is not timed), runs :func:`omsdesktop.batch.run_batch`
with drafts and attachments in a temporary SQLite store, and measures the wall time, documents
per minute, the peak RSS of the main process and the peak of main + workers together (sampled
from /proc every 0.2 s; Linux). The machine's load average is recorded: on a shared machine the
numbers are lower bounds. Results go to benchmarks/results/batch.md (``--out``).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return out


class RssSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop_event = threading.Event()
        self.peak_main = 0
        self.peak_total = 0
        self.peak_worker = 0

    def run(self) -> None:
        me = os.getpid()
        while not self.stop_event.is_set():
            main = _rss_kb(me)
            workers = [_rss_kb(c) for c in _children(me)]
            self.peak_main = max(self.peak_main, main)
            self.peak_total = max(self.peak_total, main + sum(workers))
            self.peak_worker = max([self.peak_worker, *workers])
            self.stop_event.wait(0.2)


def build(count: int, seed: int, cache: Path) -> Path:
    """Generate the folder in a child process: rendering leaves this process's heap big, which
    would then be counted as the batch's memory."""
    import multiprocessing

    folder = cache / f"batch-{count}-{seed}"
    if not (folder / ".complete").exists():
        child = multiprocessing.get_context("spawn").Process(
            target=_build, args=(count, seed, folder)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"generating the folder failed ({child.exitcode})")
    return folder


def _build(count: int, seed: int, folder: Path) -> None:
    from tests.batch.folder import build_folder

    marker = folder / ".complete"
    import json

    families = count // 2
    made = build_folder(
        folder,
        families=families,
        stray_policies=count - 2 * families,
        blurry=0,
        junk=0,
        seed=seed,
        first_seed=10_000,
    )
    truth = {name: child for name, (_, child) in made.documents.items()}
    (folder / ".truth.json").write_text(json.dumps(truth), encoding="utf-8")
    marker.write_text("ok", encoding="ascii")


def pairing_by_form(result: object, folder: Path, count: int, seed: int) -> dict[str, list[int]]:
    """Per policy form: [families, paired right, paired wrong] (truth from the generator)."""
    from tests.batch.folder import build_folder  # noqa: F401 - same truth as build()
    from tests.docgen import POLICY_FORMS

    children = list(range(10_000, 10_000 + count // 2))
    form_of = {child: POLICY_FORMS[child % len(POLICY_FORMS)] for child in children}
    truth = _truth(folder)
    out: dict[str, list[int]] = {form: [0, 0, 0] for form in POLICY_FORMS}
    for child in children:
        out[form_of[child]][0] += 1
    for app in result.applications:  # type: ignore[attr-defined]
        cert, policy = truth.get(app.certificate.name), truth.get(app.policy.name)
        if cert is None or policy is None or cert != policy or cert not in form_of:
            out[form_of.get(policy or -1, POLICY_FORMS[0])][2] += 1
        else:
            out[form_of[cert]][1] += 1
    return out


def _truth(folder: Path) -> dict[str, int]:
    import json

    path = folder / ".truth.json"
    return {k: int(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}


def measure(folder: Path, jobs: int, drafts: bool) -> dict[str, float]:
    from omsdesktop.batch import run_batch
    from omsdesktop.storage.config import sqlite_url
    from omsdesktop.storage.crypto import StaticKeyProvider, new_key
    from omsdesktop.storage.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = (
            Store.open(sqlite_url(Path(tmp) / "bench.sqlite3"), keys=StaticKeyProvider(new_key()))
            if drafts
            else None
        )
        sampler = RssSampler()
        sampler.start()
        load_before = os.getloadavg()
        started = time.perf_counter()
        try:
            result = run_batch(folder, jobs=jobs, store=store)
            measure.last_result = result  # type: ignore[attr-defined]
        finally:
            seconds = time.perf_counter() - started
            sampler.stop_event.set()
            sampler.join()
            if store is not None:
                store.close()
        load_after = os.getloadavg()
    return {
        "documents": result.documents,
        "applications": len(result.applications),
        "unpaired": len(result.unpaired),
        "unusable": len(result.unusable),
        "seconds": seconds,
        "per_minute": result.documents / seconds * 60,
        "peak_main_mb": sampler.peak_main / 1024,
        "peak_total_mb": sampler.peak_total / 1024,
        "peak_worker_mb": sampler.peak_worker / 1024,
        "ru_maxrss_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "load_before": load_before[0],
        "load_after": load_after[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-drafts", action="store_true")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "omsdesktop-bench"
    )
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "batch.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    rows = []
    by_form: list[tuple[int, dict[str, list[int]]]] = []
    for count in args.counts:
        t0 = time.perf_counter()
        folder = build(count, args.seed, args.cache)
        print(f"{count} documents generated in {time.perf_counter() - t0:.0f} s", flush=True)
        row = measure(folder, args.jobs, not args.no_drafts)
        row["count"] = count
        rows.append(row)
        print(row, flush=True)
        if (folder / ".truth.json").exists():
            last = measure.last_result  # type: ignore[attr-defined]
            forms = pairing_by_form(last, folder, count, args.seed)
            by_form.append((count, forms))
            print(forms, flush=True)
    lines = [
        "# Batch intake throughput",
        "",
        f"`python benchmarks/batch_throughput.py --counts {' '.join(map(str, args.counts))} "
        f"--jobs {args.jobs}` — {time.strftime('%Y-%m-%d %H:%M %Z')}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, drafts "
        f"{'off' if args.no_drafts else 'on (SQLite, with attachments)'}.",
        "",
        "| documents | time | **documents/min** | applications | unpaired | unusable "
        "| peak RSS main | peak RSS main+workers | peak RSS one worker | load avg before → after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {int(r['count'])} | {r['seconds']:.0f} s | **{r['per_minute']:.1f}** | "
            f"{int(r['applications'])} | {int(r['unpaired'])} | {int(r['unusable'])} | "
            f"{r['peak_main_mb']:.0f} MB | {r['peak_total_mb']:.0f} MB | "
            f"{r['peak_worker_mb']:.0f} MB | {r['load_before']:.1f} → {r['load_after']:.1f} |"
        )
    lines += [
        "",
        "Scans: 300 dpi, clean flatbed scans of generated documents (docgen `scan300`), half "
        "certificates, half policies of every form (a folder's files are named IMG_nnnn, in no "
        "order). The load average is of the whole machine "
        "(shared with other engineers' test runs during the measurement): with a load above the "
        "2 cores, the batch got only part of the CPU, so these are lower bounds.",
        "",
    ]
    for count, forms in by_form:
        lines += [
            f"Pairing by policy form ({count} documents; a family is the certificate and the "
            "policy of one generated child):",
            "",
            "| policy form | families | paired right | paired wrong |",
            "|---|---|---|---|",
        ]
        for form, (total, right, wrong) in forms.items():
            lines.append(f"| {form} | {total} | {right} | {wrong} |")
        lines.append("")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Imaging speed and memory: decode, quality assessment and straightening.

Measures, on generated documents (tests.docgen, fixed seeds):

* a 12 MP phone photo (4032 x 3024 JPEG, the certificate in perspective on a table),
* a 300-dpi A4 scan (2480 x 3508 PNG: the electronic policy extract, or a certificate page
  placed on an A4 sheet),

the median time of decode (omsdesktop.ocr.intake.load_bytes), assess() and straighten(), and
the peak RSS of a fresh process that decodes, assesses and straightens a 600-dpi A4 scan.

Run:  python benchmarks/imaging.py [--repeat 15] [--out benchmarks/results/imaging.md]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from omsdesktop.ocr.intake import load_bytes  # noqa: E402
from omsdesktop.ocr.quality import assess  # noqa: E402
from omsdesktop.ocr.straighten import straighten  # noqa: E402

A4_300 = (2480, 3508)


def _certificate() -> np.ndarray:
    from tests.docgen import generate_certificate

    return generate_certificate(1).image  # an A5 certificate at 300 dpi


def phone_photo(doc: np.ndarray, seed: int = 7) -> np.ndarray:
    """The document in perspective on a wooden-ish table, 4032 x 3024 (12.2 MP)."""
    rng = np.random.default_rng(seed)
    fw, fh = 3024, 4032
    base = np.array([70, 95, 125], np.float32)
    grain = cv2.GaussianBlur(rng.normal(0, 12, (fh // 4, fw // 4)).astype(np.float32), (0, 0), 3)
    grain = cv2.resize(grain, (fw, fh), interpolation=cv2.INTER_LINEAR)[..., None]
    frame = np.clip(base + grain, 0, 255).astype(np.uint8)
    h, w = doc.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[420, 520], [2650, 610], [2760, 3600], [300, 3480]])
    m = cv2.getPerspectiveTransform(src, dst)
    cv2.warpPerspective(doc, m, (fw, fh), dst=frame, borderMode=cv2.BORDER_TRANSPARENT)
    light = np.linspace(0.8, 1.0, fw, dtype=np.float32)[None, :, None]
    noisy = frame.astype(np.float32) * light + rng.normal(0, 3, frame.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def a4_scan(doc: np.ndarray, dpi: int = 300) -> np.ndarray:
    """The document on a white A4 sheet as a flatbed scanner returns it."""
    w, h = A4_300
    page = np.full((h, w, 3), 250, np.uint8)
    dh, dw = doc.shape[:2]
    y0, x0 = 120, (w - dw) // 2
    page[y0 : y0 + dh, x0 : x0 + dw] = doc[: h - y0, : w - x0]
    if dpi != 300:
        k = dpi / 300.0
        page = cv2.resize(page, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)
    return page


def encode(image: np.ndarray, ext: str) -> bytes:
    params = [cv2.IMWRITE_JPEG_QUALITY, 90] if ext == ".jpg" else []
    ok, buf = cv2.imencode(ext, image, params)
    assert ok
    return bytes(buf)


CPU_MS: dict[int, float] = {}


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time; the median process CPU time is kept in CPU_MS[id(fn)]."""
    fn()  # warm-up
    times = []
    cpu = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t) * 1000.0)
        cpu.append((time.process_time() - c) * 1000.0)
    CPU_MS[id(fn)] = statistics.median(cpu)
    return statistics.median(times)


RSS_CHILD = r"""
import resource, sys
sys.path.insert(0, sys.argv[2])
from omsdesktop.ocr.intake import load_bytes
from omsdesktop.ocr.quality import assess
from omsdesktop.ocr.heap import document_started
from omsdesktop.ocr.straighten import straighten


def hwm_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return -1


base = hwm_mb()
document_started()  # the allocator as the pipeline sets it: freed memory kept for reuse
data = open(sys.argv[1], "rb").read()
page = load_bytes(data)[0]
del data
report = assess(page)
result = straighten(page)
peak_rusage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(page.image.shape[1], page.image.shape[0], base, hwm_mb(), peak_rusage, report.ok)
"""

MAKE_600 = r"""
import sys
sys.path.insert(0, sys.argv[2])
sys.path.insert(0, sys.argv[2] + "/benchmarks")
import imaging
from tests.docgen import generate_certificate
scan = imaging.a4_scan(generate_certificate(1).image, dpi=600)
open(sys.argv[1], "wb").write(imaging.encode(scan, ".png"))
"""


def peak_rss_600dpi() -> tuple[str, float, float, float]:
    """Peak RSS of a fresh process (started from this still-small one) on a 600-dpi scan."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scan600.png"
        subprocess.run([sys.executable, "-c", MAKE_600, str(path), str(ROOT)], check=True)
        out = subprocess.run(
            [sys.executable, "-c", RSS_CHILD, str(path), str(ROOT)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    return f"{out[0]} x {out[1]}", float(out[2]), float(out[3]), float(out[4])


def orientation_accuracy(seeds: range) -> list[str]:
    """Quarter-turn decisions (built-in vs Tesseract OSD), skew error, photo outline error."""
    from omsdesktop.ocr.orientation import osd_orientation
    from omsdesktop.ocr.straighten import find_document_quad
    from tests.docgen import degrade, generate

    names = {"scan300": 0, "rotate90": 90, "rotate180": 180, "rotate270": 270}
    builtin: dict[int, list[bool]] = {r: [] for r in names.values()}
    osd: dict[int, list[bool]] = {r: [] for r in names.values()}
    t_builtin: list[float] = []
    t_osd: list[float] = []
    skew_err: list[float] = []
    quad_err: list[float] = []
    missed = 0
    osd_fn = osd_orientation(timeout=120.0)
    for seed in seeds:
        for kind in ("birth_certificate", "oms_policy"):
            try:
                doc = generate(seed, kind)
            except RuntimeError:  # docgen layout overflow on some seeds
                continue
            for name, rot in names.items():
                img, info = degrade(doc, name, seed)
                expected = (360 - info.rotation) % 360
                t = time.perf_counter()
                res = straighten(img)
                t_builtin.append(time.perf_counter() - t)
                builtin[rot].append(res.rotation == expected)
                skew_err.append(abs(res.skew_deg - info.skew_degrees))
                t = time.perf_counter()
                res_osd = straighten(img, orientation=osd_fn)
                t_osd.append(time.perf_counter() - t)
                osd[rot].append(res_osd.rotation == expected)
            img, info = degrade(doc, "photo", seed)
            quad = find_document_quad(img)
            if quad is None:
                missed += 1
                continue
            truth = np.asarray(info.quad, np.float64)
            size = float(np.sqrt(abs(cv2.contourArea(truth.astype(np.float32)))))
            quad_err.append(float(np.linalg.norm(quad - truth, axis=1).max()) / size)
    lines = [
        "## Orientation, skew and outline accuracy",
        "",
        f"docgen seeds {seeds.start}..{seeds.stop - 1}, certificate and policy each, scans turned "
        "by docgen (plus its ±2° scanner skew). Built-in = straighten()'s default up/down "
        "cues; OSD = straighten(orientation=osd_orientation()) (Tesseract `--psm 0`, "
        "OMP_THREAD_LIMIT=1).",
        "",
        "| content turned by | built-in correct | OSD correct |",
        "|---|---:|---:|",
    ]
    for rot in names.values():
        b, o = builtin[rot], osd[rot]
        lines.append(f"| {rot}° | {sum(b)}/{len(b)} | {sum(o)}/{len(o)} |")
    lines += [
        "",
        "Median straighten() time on these scans: built-in "
        f"{statistics.median(t_builtin) * 1000:.0f} ms, with OSD "
        f"{statistics.median(t_osd) * 1000:.0f} ms.",
        f"Skew error after straighten(): median {statistics.median(skew_err):.2f}°, "
        f"max {max(skew_err):.2f}° (n={len(skew_err)}).",
        f"Photo outline (docgen `photo`): found in {len(quad_err)}/{len(quad_err) + missed}; "
        f"worst-corner error median {statistics.median(quad_err):.1%}, max {max(quad_err):.1%} "
        "of the document size"
        + (f", {sum(e > 0.03 for e in quad_err)} above 3 %." if quad_err else "."),
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--accuracy-seeds", type=int, default=6)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/imaging.md")
    args = parser.parse_args()

    # Memory first, while this process is still small (a child inherits its peak on exec).
    size600, base_mb, peak_mb, rusage_mb = peak_rss_600dpi()
    print("600 dpi", size600, base_mb, peak_mb, rusage_mb, flush=True)

    cv2.setNumThreads(2)
    doc = _certificate()
    cases = {
        "12 MP phone photo (JPEG)": encode(phone_photo(doc), ".jpg"),
        "300-dpi A4 scan (PNG)": encode(a4_scan(doc), ".png"),
        "300-dpi A4 scan (JPEG)": encode(a4_scan(doc), ".jpg"),
    }
    rows = []
    for name, data in cases.items():
        page = load_bytes(data)[0]
        t_decode = median_ms(lambda data=data: load_bytes(data), args.repeat)
        q_fn = lambda page=page: assess(page)  # noqa: E731
        s_fn = lambda page=page: straighten(page)  # noqa: E731
        t_quality = median_ms(q_fn, args.repeat)
        t_straight = median_ms(s_fn, args.repeat)
        cpu_q, cpu_s = CPU_MS[id(q_fn)], CPU_MS[id(s_fn)]
        report = assess(page)
        result = straighten(page)
        h, w = page.image.shape[:2]
        rows.append(
            (
                name,
                f"{w} x {h}",
                t_decode,
                t_quality,
                t_straight,
                t_decode + t_straight,
                f"{cpu_q:.0f} / {cpu_s:.0f}",
                f"ok={report.ok} {sorted(report.codes)}; found={result.document_found}",
            )
        )
        print(rows[-1], flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    lines = [
        "# Imaging benchmark",
        "",
        f"`python benchmarks/imaging.py --repeat {args.repeat}`; {os.cpu_count()} cores, "
        f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} OpenCV threads; load average "
        f"{load:.1f} when the timings ended (the machine is shared). Median milliseconds.",
        "",
        "| input | pixels | decode | quality | straighten | decode + straighten "
        "| CPU ms quality / straighten | result |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, px, td, tq, ts, tds, cpu, note in rows:
        lines.append(
            f"| {name} | {px} | {td:.0f} | {tq:.0f} | {ts:.0f} | {tds:.0f} | {cpu} | {note} |"
        )
    lines += [
        "",
        "Targets: quality ≤ 80 ms median after decode; decode + straighten ≤ 400 ms.",
        "",
        f"Peak RSS of a fresh process decoding, assessing and straightening a 600-dpi A4 PNG "
        f"({size600}): **{peak_mb:.0f} MB** (VmHWM; getrusage ru_maxrss {rusage_mb:.0f} MB; "
        f"the interpreter with numpy/OpenCV/Pillow loaded: {base_mb:.0f} MB). Target ≤ 400 MB.",
        "",
    ]
    if args.accuracy_seeds > 0:
        lines += orientation_accuracy(range(200, 200 + args.accuracy_seeds))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

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

    return generate_certificate(1).image


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


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(times)


RSS_CHILD = r"""
import resource, sys
sys.path.insert(0, sys.argv[2])
from omsdesktop.ocr.intake import load_bytes
from omsdesktop.ocr.quality import assess
from omsdesktop.ocr.straighten import straighten
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data = open(sys.argv[1], "rb").read()
page = load_bytes(data)[0]
report = assess(page)
result = straighten(page)
del data
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(page.image.shape[1], page.image.shape[0], base // 1024, peak // 1024, report.ok,
      result.image.shape[1], result.image.shape[0])
"""


def peak_rss_600dpi(doc: np.ndarray) -> tuple[str, float, float]:
    scan = a4_scan(doc, dpi=600)
    data = encode(scan, ".png")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scan600.png"
        path.write_bytes(data)
        out = subprocess.run(
            [sys.executable, "-c", RSS_CHILD, str(path), str(ROOT)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    size = f"{out[0]} x {out[1]}"
    return size, float(out[2]), float(out[3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/imaging.md")
    args = parser.parse_args()

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
        t_quality = median_ms(lambda page=page: assess(page), args.repeat)
        t_straight = median_ms(lambda page=page: straighten(page), args.repeat)
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
                f"ok={report.ok} {sorted(report.codes)}; found={result.document_found}",
            )
        )
        print(rows[-1], flush=True)
    size600, base_mb, peak_mb = peak_rss_600dpi(doc)
    print("600 dpi", size600, base_mb, peak_mb)

    lines = [
        "# Imaging benchmark",
        "",
        f"`python benchmarks/imaging.py --repeat {args.repeat}`; {os.cpu_count()} cores, "
        f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} OpenCV threads. Median milliseconds.",
        "",
        "| input | pixels | decode | quality | straighten | decode + straighten | result |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for name, px, td, tq, ts, tds, note in rows:
        lines.append(f"| {name} | {px} | {td:.0f} | {tq:.0f} | {ts:.0f} | {tds:.0f} | {note} |")
    lines += [
        "",
        "Targets: quality ≤ 80 ms median after decode; decode + straighten ≤ 400 ms.",
        "",
        f"Peak RSS of a fresh process decoding, assessing and straightening a 600-dpi A4 PNG "
        f"({size600}): **{peak_mb:.0f} MB** (the interpreter with numpy/OpenCV/Pillow loaded: "
        f"{base_mb:.0f} MB). Target ≤ 400 MB.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

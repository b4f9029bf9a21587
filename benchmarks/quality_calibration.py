"""Calibrate and evaluate the image-quality checker on generated documents.

Builds a labelled corpus with tests.docgen (deterministic seeds; every degradation, both
document kinds), measures each image once with omsdesktop.ocr.quality.measure(), then

1. chooses the decision thresholds on the *train* seeds (coordinate search over a grid),
2. reports per-code precision/recall and the two headline numbers on the *test* seeds:
   * share of blurry + low-resolution images caught (target ≥ 95 %),
   * share of good images (scan300, scan200, photo, rotate*, skew) rejected, i.e. given a
     blocking problem (target ≤ 2 %).

Run:  python benchmarks/quality_calibration.py [--seeds 7] [--jobs 2]
      [--out benchmarks/results/quality.md] [--cache DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from omsdesktop.ocr.quality import QualityThresholds, decide, measure  # noqa: E402

KINDS = ("birth_certificate", "oms_policy")
GOOD = ("scan300", "scan200", "photo", "rotate90", "rotate180", "rotate270", "skew")
CODES = (
    "blurry",
    "low_resolution",
    "too_dark",
    "too_bright",
    "low_contrast",
    "glare",
    "cut_off",
    "too_small",
)
TRAIN_BASE = 0
TEST_BASE = 5000

# Decision thresholds searched on the train split, with their candidate values.
GRID: dict[str, Sequence[float]] = {
    "blur_rel": [0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12, 0.14, 0.16],
    "blur_min_px": [1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 3.0],
    "min_text_px": [7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0, 11.0],
    "min_declared_dpi": [100.0, 120.0, 150.0],
    "declared_text_factor": [1.0, 1.2, 1.4, 1.6],
    "dark_paper": [70.0, 80.0, 90.0, 100.0, 110.0],
    "bright_paper": [235.0, 240.0, 245.0, 248.0, 250.0],
    "bright_ink": [130.0, 140.0, 150.0, 160.0, 170.0, 180.0],
    "min_contrast": [40.0, 45.0, 50.0, 55.0, 60.0, 70.0],
    "glare_min_share": [0.002, 0.005, 0.01, 0.02],
    "cut_min_touch": [0.1, 0.2, 0.3, 0.5],
    "cut_min_margin": [0.05, 0.1, 0.2, 0.3, 0.5, 0.8],
    "min_document_share": [0.15, 0.2, 0.25, 0.3],
}


def _degraded(seed: int, kind: str, name: str, cache: str | None) -> tuple[Any, dict[str, Any]]:
    """The degraded image and what docgen says about it; cached as PNG when ``cache`` is set."""
    import cv2
    import numpy as np

    from tests.docgen import degrade, generate

    key = f"{seed}_{kind}_{name}"
    if cache:
        png, meta = Path(cache) / f"{key}.png", Path(cache) / f"{key}.json"
        if png.exists() and meta.exists():
            img = cv2.imdecode(np.frombuffer(png.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
            return img, dict(json.loads(meta.read_text()))
    doc = None
    for attempt in range(5):
        # Some seeds' certificates overflow their layout in docgen: take a neighbouring seed.
        try:
            doc = generate(seed + 100_000 * attempt, kind)
            break
        except RuntimeError:
            continue
    if doc is None:
        raise RuntimeError(f"docgen could not render {kind} for seed {seed}")
    img, info = degrade(doc, name, seed)
    meta_d = {
        "expected": sorted(info.expected_problems),
        "dpi": info.dpi,
        "quad": np.asarray(info.quad, float).tolist(),
        "doc_area_fraction": info.doc_area_fraction,
        "rotation": info.rotation,
        "skew": info.skew_degrees,
        "photo": info.photo,
        "doc_shape": list(doc.image.shape[:2]),
    }
    if cache:
        Path(cache).mkdir(parents=True, exist_ok=True)
        ok, buf = cv2.imencode(".png", img, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        assert ok
        (Path(cache) / f"{key}.png").write_bytes(bytes(buf))
        (Path(cache) / f"{key}.json").write_text(json.dumps(meta_d))
    return img, meta_d


def _one(job: tuple[int, str, str, str | None]) -> dict[str, Any]:
    """Generate, degrade and measure one image (runs in a worker process)."""
    import cv2
    import numpy as np

    seed, kind, name, cache = job
    img, meta = _degraded(seed, kind, name, cache)
    t = time.perf_counter()
    metrics, quad = measure(img, dpi=meta["dpi"])
    elapsed = time.perf_counter() - t
    found_err = None
    if quad is not None:
        # Corner error relative to the document's size (only meaningful for whole documents).
        truth = np.asarray(meta["quad"], np.float64)
        size = float(np.sqrt(abs(cv2.contourArea(truth.astype(np.float32)))))
        ordered = _match_corners(np.asarray(quad, np.float64), truth)
        found_err = float(np.max(np.linalg.norm(ordered - truth, axis=1)) / max(size, 1.0))
    return {
        "seed": seed,
        "kind": kind,
        "degradation": name,
        "expected": meta["expected"],
        "metrics": metrics,
        "seconds": elapsed,
        "quad_error": found_err,
    }


def _match_corners(found: Any, truth: Any) -> Any:
    """Reorder found corners to the truth's order (truth may be rotated)."""
    import numpy as np

    best = found
    best_err = float("inf")
    for shift in range(4):
        cand = np.roll(found, -shift, axis=0)
        err = float(np.max(np.linalg.norm(cand - truth, axis=1)))
        if err < best_err:
            best, best_err = cand, err
    return best


def build(
    seeds: Iterable[int], degradations: Sequence[str], jobs: int, cache: str | None
) -> list[dict[str, Any]]:
    work = [(s, k, d, cache) for s in seeds for k in KINDS for d in degradations]
    if jobs <= 1:
        return [_one(w) for w in work]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_one, work, chunksize=2))


# --------------------------------------------------------------------------------------------
# Scoring.


@dataclasses.dataclass
class Score:
    caught: float  # blurry + low-resolution images with a blocking blurry/low_resolution
    good_rejected: float  # good images with any blocking problem
    per_code: dict[str, tuple[float, float, int, int]]  # precision, recall, tp+fn, tp+fp
    objective: float


def score(records: Sequence[Mapping[str, Any]], th: QualityThresholds) -> Score:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    caught = total_bad = rejected = total_good = 0
    for r in records:
        problems = decide(r["metrics"], th)
        found = {p.code for p in problems}
        blocking = {p.code for p in problems if p.severity == "blocking"}
        expected = set(r["expected"])
        for code in CODES:
            if code in found and code in expected:
                tp[code] += 1
            elif code in found:
                fp[code] += 1
            elif code in expected:
                fn[code] += 1
        if r["degradation"] in ("blur", "motion_blur", "lowres"):
            total_bad += 1
            caught += bool(blocking & {"blurry", "low_resolution"})
        if r["degradation"] in GOOD:
            total_good += 1
            rejected += bool(blocking)
    per_code = {}
    f1s = []
    for code in CODES:
        p = tp[code] / max(1, tp[code] + fp[code])
        rc = tp[code] / max(1, tp[code] + fn[code])
        per_code[code] = (p, rc, tp[code] + fn[code], tp[code] + fp[code])
        f1s.append(2 * p * rc / max(1e-9, p + rc))
    c = caught / max(1, total_bad)
    g = rejected / max(1, total_good)
    objective = sum(f1s) / len(f1s) + c - 4.0 * max(0.0, g - 0.01) - 0.5 * g
    return Score(c, g, per_code, objective)


def calibrate(records: Sequence[Mapping[str, Any]], base: QualityThresholds) -> QualityThresholds:
    """Coordinate search over GRID maximising the objective on ``records``.

    Where several values of a threshold score the same, the middle one of that plateau is
    taken: it leaves the most room on both sides for images unlike the training set.
    """
    th = base
    for _ in range(2):
        for name, values in GRID.items():
            kind = type(getattr(th, name))
            scored = [
                (score(records, dataclasses.replace(th, **{name: kind(v)})).objective, v)
                for v in values
            ]
            best = max(s for s, _ in scored)
            plateau = [v for s, v in scored if s >= best - 1e-9]
            th = dataclasses.replace(th, **{name: kind(plateau[len(plateau) // 2])})
    return th


def per_degradation(
    records: Sequence[Mapping[str, Any]], th: QualityThresholds
) -> list[tuple[str, int, float, float, str]]:
    rows = []
    names = sorted({r["degradation"] for r in records}, key=_order)
    for name in names:
        rs = [r for r in records if r["degradation"] == name]
        hit = rejected = 0
        extra: Counter[str] = Counter()
        for r in rs:
            problems = decide(r["metrics"], th)
            found = {p.code for p in problems}
            rejected += any(p.severity == "blocking" for p in problems)
            hit += set(r["expected"]) <= found
            extra.update(found - set(r["expected"]))
        extras = ", ".join(f"{c} ×{n}" for c, n in extra.most_common(4))
        rows.append((name, len(rs), hit / len(rs), rejected / len(rs), extras))
    return rows


def _order(name: str) -> int:
    from tests.docgen import DEGRADATIONS

    return DEGRADATIONS.index(name) if name in DEGRADATIONS else 99


def report(
    train: Sequence[Mapping[str, Any]],
    test: Sequence[Mapping[str, Any]],
    th: QualityThresholds,
    seeds: int,
) -> str:
    s_train = score(train, th)
    s_test = score(test, th)
    default_changes = {
        f.name: getattr(th, f.name)
        for f in dataclasses.fields(th)
        if getattr(th, f.name) != getattr(QualityThresholds(), f.name)
    }
    times = sorted(r["seconds"] for r in test)
    quad_errs = [r["quad_error"] for r in test if r["degradation"] == "photo"]
    found = [e for e in quad_errs if e is not None]
    lines = [
        "# Image quality checker: calibration",
        "",
        f"`python benchmarks/quality_calibration.py --seeds {seeds}`: {len(train)} train images "
        f"(seeds {TRAIN_BASE}..{TRAIN_BASE + seeds - 1}) and {len(test)} test images (seeds "
        f"{TEST_BASE}..{TEST_BASE + seeds - 1}); each seed gives a certificate and a policy, "
        "each under every degradation of tests.docgen. Thresholds were chosen on train only; "
        "the numbers below are on test.",
        "",
        "## Headline (test split)",
        "",
        "| measure | test | train | target |",
        "|---|---:|---:|---:|",
        f"| blurry + low-resolution images caught | {s_test.caught:.1%} | {s_train.caught:.1%} "
        "| ≥ 95 % |",
        f"| good images rejected (blocking problem) | {s_test.good_rejected:.1%} | "
        f"{s_train.good_rejected:.1%} | ≤ 2 % |",
        "",
        "## Per problem code (test split)",
        "",
        "| code | precision | recall | expected | reported |",
        "|---|---:|---:|---:|---:|",
    ]
    for code, (p, rc, n_exp, n_rep) in s_test.per_code.items():
        lines.append(f"| {code} | {p:.1%} | {rc:.1%} | {n_exp} | {n_rep} |")
    lines += [
        "",
        "## Per degradation (test split)",
        "",
        "| degradation | images | expected codes found | rejected | other codes reported |",
        "|---|---:|---:|---:|---|",
    ]
    for name, n, hit, rej, extras in per_degradation(test, th):
        lines.append(f"| {name} | {n} | {hit:.0%} | {rej:.0%} | {extras} |")
    lines += [
        "",
        "## Thresholds",
        "",
        "Chosen on the train split (coordinate search, middle of each best plateau); "
        "QualityThresholds' defaults in omsdesktop/ocr/quality.py differ from them in: "
        + (json.dumps(default_changes) if default_changes else "nothing")
        + ".",
        "",
        "```json",
        json.dumps(th.to_json(), indent=1),
        "```",
        "",
        f"Measurement time per image (single process, while other jobs ran): median "
        f"{times[len(times) // 2] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms.",
        f"Document outline found in {len(found)}/{len(quad_errs)} test photos; worst corner "
        f"error {max(found) if found else float('nan'):.1%} of the document size.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    from tests.docgen import DEGRADATIONS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=7, help="seeds per split")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", default=None, help="directory to keep degraded images in")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/quality.md")
    parser.add_argument("--no-calibrate", action="store_true", help="report current defaults")
    parser.add_argument("--dump", type=Path, default=None, help="write all measurements (JSON)")
    args = parser.parse_args()

    t = time.time()
    train = build(range(TRAIN_BASE, TRAIN_BASE + args.seeds), DEGRADATIONS, args.jobs, args.cache)
    test = build(range(TEST_BASE, TEST_BASE + args.seeds), DEGRADATIONS, args.jobs, args.cache)
    print(f"measured {len(train) + len(test)} images in {time.time() - t:.0f} s", flush=True)
    if args.dump:
        args.dump.write_text(json.dumps({"train": train, "test": test}))
    base = QualityThresholds()
    th = base if args.no_calibrate else calibrate(train, base)
    text = report(train, test, th, args.seeds)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

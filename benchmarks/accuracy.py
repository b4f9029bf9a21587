"""Field accuracy, silent errors and time per document, on a generated corpus with ground truth.

    python benchmarks/accuracy.py                    # the README's numbers (both font sets)
    python benchmarks/accuracy.py --per-cell 10 --conditions scan300 --font-sets train
    python benchmarks/accuracy.py --calibrate        # review-threshold table

Each document is generated (tests/docgen), degraded (a 300- or 200-dpi scan, or a 12 MP phone
photo), written to a file, and run through the same pipeline as ``omsdesktop extract`` — from the
file to the JSON — so the time includes decoding, quality checks, straightening and OCR.

Accuracy is exact match on normalised values, per field. Two fields are compared loosely, and
only these: ``birth_place`` ignoring letter case (a document printed in capitals keeps its case),
and ``insurer`` by the entry of the shipped insurer list both values match. A *silent error* is a
wrong value with ``needs_review`` false: the number the product must keep near zero.

The "holdout" font set is never used while tuning the reader; its rows show how the reader does
on type it was not tuned on.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2

from omsdesktop.forms.insurers import match_insurer
from omsdesktop.forms.pipeline import process_file
from omsdesktop.ocr.engine import create_engine
from omsdesktop.settings import Settings
from tests.docgen import degrade, generate_certificate, generate_policy

CONDITIONS = ("scan300", "scan200", "photo")
CERT_LAYOUTS = ("labels_left", "caption_below")
POLICY_FORMS = ("unified", "card", "electronic", "old", "temporary")


@dataclass
class Tally:
    fields: int = 0
    correct: int = 0
    silent: int = 0
    flagged: int = 0
    times: list[float] = field(default_factory=list)
    per_field: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    kind_errors: int = 0
    internal_errors: int = 0
    docs: int = 0


def same(name: str, got: str | None, want: str | None) -> bool:
    # Names and places as the real-forms benchmark and the cross-document check compare them:
    # ё and е are the same letter there (domain.md), case aside («Фёдор» read «Федор»).
    if name in ("birth_place", "last_name", "first_name", "patronymic") and got and want:
        return got.casefold().replace("ё", "е") == want.casefold().replace("ё", "е")
    if name == "insurer" and got and want:
        a, _ = match_insurer(got)
        b, _ = match_insurer(want)
        return a is not None and a == b
    return got == want


def documents(per_cell: int, seed0: int, kinds: list[str]) -> list[tuple[str, str, int]]:
    """(kind, layout/form, seed) — the same count for every layout and form."""
    out = []
    for i in range(per_cell):
        if "birth_certificate" in kinds:
            for layout in CERT_LAYOUTS:
                out.append(("birth_certificate", layout, seed0 + i))
        if "oms_policy" in kinds:
            for form in POLICY_FORMS:
                out.append(("oms_policy", form, seed0 + i))
    return out


def make(kind: str, layout: str, seed: int, font_set: str) -> Any:
    for attempt in range(20):  # a seed whose text overflows the layout is skipped
        try:
            s = seed * 100 + attempt
            if kind == "birth_certificate":
                return generate_certificate(s, layout=layout, font_set=font_set)
            return generate_policy(s, form=layout, font_set=font_set)
        except Exception as exc:
            if "overflow" not in type(exc).__name__.lower() and "overflow" not in str(exc):
                raise
    raise RuntimeError(f"no layout fits for {kind} {layout} {seed}")


def run(args: argparse.Namespace) -> dict[str, Any]:
    engine = create_engine(Settings().ocr)
    settings = Settings()
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    records: list[dict[str, Any]] = []
    docs = documents(args.per_cell, args.seed, args.kinds)
    with tempfile.TemporaryDirectory() as tmp:
        for font_set in args.font_sets:
            for condition in args.conditions:
                for kind, layout, seed in docs:
                    doc = make(kind, layout, seed, font_set)
                    image, _info = degrade(doc, condition, seed=seed)
                    ext = ".jpg" if condition == "photo" else ".png"
                    params = [cv2.IMWRITE_JPEG_QUALITY, 90] if ext == ".jpg" else []
                    ok, buf = cv2.imencode(ext, image, params)
                    assert ok
                    path = Path(tmp) / f"{kind}_{layout}_{seed}{ext}"
                    path.write_bytes(buf.tobytes())
                    t0 = time.perf_counter()
                    result = process_file(path, settings=settings, engine=engine)
                    elapsed = time.perf_counter() - t0
                    tally = tallies[(font_set, condition)]
                    tally.docs += 1
                    tally.times.append(elapsed)
                    if result.kind.value != kind:
                        tally.kind_errors += 1
                    # A bug in a reader becomes «internal_error» (kind unknown): counted apart.
                    tally.internal_errors += any(e.code == "internal_error" for e in result.errors)
                    fields = result.document.fields if result.document else {}
                    for name, want in doc.truth.items():
                        got = fields.get(name)
                        value = got.value if got else None
                        review = got.needs_review if got else True
                        right = same(name, value, want)
                        tally.fields += 1
                        tally.per_field[name][1] += 1
                        if right:
                            tally.correct += 1
                            tally.per_field[name][0] += 1
                        elif not review:
                            tally.silent += 1
                        if review:
                            tally.flagged += 1
                        records.append(
                            {
                                "font_set": font_set,
                                "condition": condition,
                                "kind": kind,
                                "layout": layout,
                                "field": name,
                                "right": right,
                                "review": review,
                                "seed": seed,
                                "got": value,
                                "want": want,
                                "confidence": got.confidence if got else 0.0,
                                "validator_ok": not any(
                                    p.severity == "blocking" for p in (got.problems if got else ())
                                ),
                            }
                        )
                    if args.verbose:
                        wrong = [
                            f"{n}: {fields[n].value if n in fields else None!r} != {w!r}"
                            for n, w in doc.truth.items()
                            if not same(n, fields[n].value if n in fields else None, w)
                        ]
                        print(
                            f"{font_set} {condition} {kind} {layout} {seed} "
                            f"{elapsed:.2f}s wrong={wrong}",
                            file=sys.stderr,
                        )
    return {"tallies": tallies, "records": records}


def report(out: dict[str, Any], args: argparse.Namespace) -> str:
    tallies: dict[tuple[str, str], Tally] = out["tallies"]
    lines = [
        "| fonts | condition | documents | field accuracy | silent errors | flagged for review "
        "| kind right | median s/doc | p90 s/doc |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (font_set, condition), t in sorted(tallies.items()):
        times = sorted(t.times)
        p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
        lines.append(
            f"| {font_set} | {condition} | {t.docs} | {100 * t.correct / t.fields:.1f}% "
            f"| {100 * t.silent / t.fields:.2f}% | {100 * t.flagged / t.fields:.1f}% "
            f"| {100 * (t.docs - t.kind_errors) / t.docs:.0f}% "
            f"| {statistics.median(times):.2f} | {p90:.2f} |"
        )
    internal = sum(t.internal_errors for t in tallies.values())
    lines.append("")
    lines.append(f"Internal errors (a reader's bug, shown to the user as such): {internal}.")
    lines.append("")
    lines.append("Per layout or form (all conditions and font sets):")
    lines.append("")
    lines.append("| document | layout / form | field accuracy | silent errors | flagged |")
    lines.append("|---|---|---:|---:|---:|")
    by_layout: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in out["records"]:
        cell = by_layout[(r["kind"], r["layout"])]
        cell[0] += 1
        cell[1] += r["right"]
        cell[2] += not r["right"] and not r["review"]
        cell[3] += r["review"]
    for (kind, layout), (n, ok, silent, flagged) in sorted(by_layout.items()):
        lines.append(
            f"| {kind} | {layout} | {100 * ok / n:.1f}% | {100 * silent / n:.2f}% "
            f"| {100 * flagged / n:.1f}% |"
        )
    lines.append("")
    lines.append("Per field (all conditions and font sets):")
    lines.append("")
    lines.append("| field | accuracy |")
    lines.append("|---|---|")
    merged: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in tallies.values():
        for name, (ok, n) in t.per_field.items():
            merged[name][0] += ok
            merged[name][1] += n
    for name, (ok, n) in sorted(merged.items()):
        lines.append(f"| {name} | {100 * ok / n:.1f}% ({ok}/{n}) |")
    return "\n".join(lines)


def calibration_table(records: list[dict[str, Any]]) -> str:
    rows = ["| threshold | silent errors | flagged for review |", "|---|---|---|"]
    n = len(records)
    for threshold in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        silent = sum(
            1
            for r in records
            if not r["right"] and r["confidence"] >= threshold and r["validator_ok"]
        )
        flagged = sum(1 for r in records if r["confidence"] < threshold or not r["validator_ok"])
        rows.append(f"| {threshold:.2f} | {100 * silent / n:.2f}% | {100 * flagged / n:.1f}% |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--per-cell",
        type=int,
        default=6,
        help="documents per layout/form per condition and font set",
    )
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--conditions", nargs="+", default=list(CONDITIONS))
    parser.add_argument("--font-sets", nargs="+", default=["train", "holdout"])
    parser.add_argument(
        "--kinds", nargs="+", default=["birth_certificate", "oms_policy"], help="document kinds"
    )
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--out", type=Path, help="write the markdown table here too")
    parser.add_argument("--records", type=Path, help="write per-field records (JSON lines)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    out = run(args)
    text = report(out, args)
    total = sum(t.docs for t in out["tallies"].values())
    text += f"\n\n{total} documents, {time.perf_counter() - t0:.0f} s in all.\n"
    if args.calibrate:
        text += "\nReview threshold (share of all fields):\n\n" + calibration_table(out["records"])
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    if args.records:
        with args.records.open("w", encoding="utf-8") as fh:
            for r in out["records"]:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Quick accuracy and speed check of the OMS policy reader on generated policies.

Reads N generated policies per form through ``extract_document`` (after ``straighten`` for the
degraded images) and prints per-field exact-match accuracy, the silent error rate (wrong and
not flagged for review) and the time per document. The full benchmark is
``benchmarks/accuracy.py``; this one is for working on ``omsdesktop/forms/policy.py``.

    python benchmarks/policy_quick.py --n 5 --degradations scan300,scan200,photo
    python benchmarks/policy_quick.py --n 5 --font-set holdout

Prints only field names, counts and timings, never the documents' (invented) personal data,
unless ``--show-errors`` is given (the data is synthetic, but the habit is kept).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omsdesktop.forms.checks import apply_field_rules
from omsdesktop.forms.extract import extract_document
from omsdesktop.forms.insurers import match_insurer
from omsdesktop.forms.model import DocumentKind, ExtractedDocument
from omsdesktop.forms.policy import read_policy
from omsdesktop.forms.registry import OMS_POLICY_FIELDS
from omsdesktop.ocr.engine import create_engine
from omsdesktop.ocr.layout import read_page
from omsdesktop.ocr.straighten import straighten
from tests.docgen import degrade, generate_policy
from tests.docgen.render_policy import POLICY_FORMS


def _insurer_key(text: str | None) -> str | None:
    if not text:
        return None
    insurer, _ = match_insurer(text)
    return insurer.short_name if insurer else None


def correct(field: str, value: str | None, truth: str | None) -> bool:
    if field == "insurer":
        return _insurer_key(value) == _insurer_key(truth)
    if field == "patronymic" and not truth:
        return not value
    return value == truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5, help="policies per form")
    ap.add_argument("--start", type=int, default=1000, help="first seed")
    ap.add_argument("--forms", default=",".join(POLICY_FORMS))
    ap.add_argument("--degradations", default="scan300")
    ap.add_argument("--font-set", default="train", choices=("train", "holdout"))
    ap.add_argument(
        "--reader-only",
        action="store_true",
        help="page pass + read_policy + field rules, without classification and orientation "
        "(measures the policy reader alone)",
    )
    ap.add_argument(
        "--show-flagged", action="store_true", help="print right values that ask for review"
    )
    ap.add_argument("--show-errors", action="store_true", help="print wrong values (synthetic)")
    args = ap.parse_args(argv)

    engine = create_engine()
    forms = args.forms.split(",")
    degradations = args.degradations.split(",")
    right: dict[tuple[str, str, str], int] = defaultdict(int)
    total: dict[tuple[str, str, str], int] = defaultdict(int)
    silent: dict[str, int] = defaultdict(int)
    flagged: dict[str, int] = defaultdict(int)
    times: dict[str, list[float]] = defaultdict(list)
    kind_wrong: dict[str, int] = defaultdict(int)
    for deg in degradations:
        for form in forms:
            for seed in range(args.start, args.start + args.n):
                doc = generate_policy(seed, form, args.font_set)
                t0 = time.perf_counter()
                if deg == "scan300":
                    image = doc.image
                else:
                    raw, _ = degrade(doc, deg, seed)
                    t0 = time.perf_counter()
                    image = straighten(raw).image
                if args.reader_only:
                    page = read_page(engine, image)
                    fields = apply_field_rules(read_policy(engine, page, image))
                    result = ExtractedDocument(kind=DocumentKind.OMS_POLICY, fields=fields)
                else:
                    result = extract_document(image, engine=engine)
                times[deg].append(time.perf_counter() - t0)
                if result.kind is not DocumentKind.OMS_POLICY:
                    kind_wrong[deg] += 1
                for field in OMS_POLICY_FIELDS:
                    fv = result.fields.get(field)
                    value = fv.value if fv else None
                    ok = correct(field, value, doc.truth.get(field))
                    key = (deg, form, field)
                    total[key] += 1
                    right[key] += ok
                    if fv is not None and fv.needs_review:
                        flagged[deg] += 1
                    if not ok and (fv is None or not fv.needs_review):
                        silent[deg] += 1
                    if ok and args.show_flagged and fv is not None and fv.needs_review:
                        codes = [p.code for p in fv.problems]
                        where = f"{deg} {form} seed={seed} {field}"
                        print(f"  flagged {where}: {fv.confidence:.2f} {codes}")
                    if not ok and args.show_errors:
                        shown: Any = doc.truth.get(field)
                        print(f"  {deg} {form} seed={seed} {field}: {value!r} != {shown!r}")
    for deg in degradations:
        print(f"\n== {deg} ({args.font_set} fonts, {args.n} per form)")
        header = f"{'field':<20}" + "".join(f"{f:>11}" for f in forms) + f"{'all':>8}"
        print(header)
        n_right = n_total = 0
        for field in OMS_POLICY_FIELDS:
            cells = []
            fr = ft = 0
            for form in forms:
                r, t = right[(deg, form, field)], total[(deg, form, field)]
                fr, ft = fr + r, ft + t
                cells.append(f"{r:>5}/{t:<5}")
            n_right, n_total = n_right + fr, n_total + ft
            print(f"{field:<20}" + "".join(cells) + f"{100 * fr / max(ft, 1):>7.1f}%")
        ts = times[deg]
        print(
            f"accuracy {100 * n_right / max(n_total, 1):.2f}%  "
            f"silent errors {100 * silent[deg] / max(n_total, 1):.2f}%  "
            f"flagged {100 * flagged[deg] / max(n_total, 1):.1f}%  "
            f"not classified as policy: {kind_wrong[deg]}"
        )
        print(
            f"time per document: median {statistics.median(ts):.2f} s, "
            f"max {max(ts):.2f} s (shared machine: noisy)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

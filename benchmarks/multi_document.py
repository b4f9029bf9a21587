"""Several documents in one file (issue #15): documents found, classified right, and field
accuracy against the same documents read as separate files.

Corpus (all from ``tests.docgen``; policies on the real Goznak blanks where there is one):

* combined PDFs at 300 dpi: certificate + policy, policy + blank page + certificate,
  certificate + a page of other text + policy;
* 300-dpi scans of a legal-size flatbed glass and 12 MP phone photos of a table, each with
  two documents: side by side (both orders), a plastic card beside a certificate, one sheet's
  edge over the other's by 3-7 mm, the second one upside down.

Each file goes through :func:`omsdesktop.forms.pipeline.extract_documents` (what
``omsdesktop extract`` and ``draft create FILE`` run). A document is *found* when a result lies
on its page (and, in an image holding several, a region overlaps its true box by IoU > 0.5,
or it is the only result of a one-document reading); *classified right* when that result has
its kind. Field accuracy counts every field of the truth on found documents; the baseline reads
each document's clean render on its own (as a separate file).

    python benchmarks/multi_document.py --seeds 4
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omsdesktop.forms.insurers import match_insurer
from omsdesktop.forms.model import DocumentKind
from omsdesktop.forms.pipeline import DocumentResult, extract_documents
from omsdesktop.ocr.engine import create_engine
from omsdesktop.settings import Settings
from tests.docgen import generate_certificate, generate_policy, generate_real
from tests.docgen.combine import (
    ARRANGEMENTS,
    bbox_iou,
    blank_page,
    combined_pdf,
    glass_scan,
    other_page,
    photo_of,
)
from tests.docgen.document import GeneratedDocument

NAME_FIELDS = ("last_name", "first_name", "patronymic")


def same(name: str, got: str | None, want: str | None) -> bool:
    if name == "insurer" and got and want:
        a, _ = match_insurer(got)
        b, _ = match_insurer(want)
        return a is not None and a == b
    if name in ("birth_place", *NAME_FIELDS) and got and want:
        return got.casefold().replace("ё", "е") == want.casefold().replace("ё", "е")
    return got == want


def score(result: DocumentResult | None, doc: GeneratedDocument) -> tuple[int, int]:
    """(correct, total) over the fields of the document's truth."""
    fields = result.document.fields if result is not None and result.document else {}
    correct = total = 0
    for name, want in doc.truth.items():
        got = fields.get(name)
        total += 1
        correct += int(same(name, got.value if got is not None else None, want))
    return correct, total


def _policy(seed: int, arrangement: str) -> GeneratedDocument:
    if arrangement == "card_beside":
        return generate_policy(seed, form="card")
    return generate_real(seed, "unified_real" if seed % 3 else "temporary_real", handwritten=False)


def cases(seeds: list[int]) -> list[dict[str, Any]]:
    """Every file of the corpus: how to build it and where its documents lie."""
    out: list[dict[str, Any]] = []
    for seed in seeds:
        cert = generate_certificate(seed)
        policy = generate_real(seed, "unified_real")
        out.append({"group": "pdf", "name": "cert+policy", "pages": [cert, policy]})
        out.append({"group": "pdf", "name": "policy+blank+cert", "pages": [policy, None, cert]})
        out.append({"group": "pdf", "name": "cert+other+policy", "pages": [cert, "other", policy]})
        for arrangement in ARRANGEMENTS:
            pol = _policy(seed, arrangement)
            docs = [cert, pol] if seed % 2 else [pol, cert]
            for group, make in (("glass", glass_scan), ("photo", photo_of)):
                out.append(
                    {
                        "group": group,
                        "name": arrangement,
                        "image": make(docs, arrangement, seed=seed),
                    }
                )
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings()
    engine = create_engine(settings.ocr)
    seeds = list(range(args.seed0, args.seed0 + args.seeds))
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    baseline_cache: dict[int, tuple[int, int]] = {}
    times: dict[str, list[float]] = defaultdict(list)

    def baseline(doc: GeneratedDocument) -> tuple[int, int]:
        key = id(doc)
        if key not in baseline_cache:
            (alone,) = extract_documents(doc.image, engine=engine, settings=settings, split=False)
            baseline_cache[key] = score(alone, doc)
        return baseline_cache[key]

    for case in cases(seeds):
        group = case["group"]
        t = tally[f"{group}:{case['name']}"]
        started = time.perf_counter()
        expected: list[tuple[GeneratedDocument, int, tuple[int, int, int, int] | None]] = []
        if group == "pdf":
            images = []
            for page in case["pages"]:
                if page is None:
                    images.append(blank_page())
                elif page == "other":
                    images.append(other_page(seed=len(images)))
                else:
                    images.append(page.image)
            results = extract_documents(
                combined_pdf(images), engine=engine, settings=settings, name="x.pdf"
            )
            for number, page in enumerate(case["pages"], start=1):
                if isinstance(page, GeneratedDocument):
                    expected.append((page, number, None))
                else:
                    t["other_pages"] += 1
                    named = [r for r in results if r.page_number == number and r.note]
                    t["other_named"] += int(bool(named))
        else:
            multi = case["image"]
            results = extract_documents(multi.image, engine=engine, settings=settings)
            for doc, placement in zip(multi.documents, multi.placements, strict=True):
                expected.append((doc, 1, placement.bbox()))
        times[group].append(time.perf_counter() - started)
        used: set[int] = set()
        for doc, number, box in expected:
            match = None
            for i, r in enumerate(results):
                if i in used or r.page_number != number or r.kind is DocumentKind.UNKNOWN:
                    continue
                if box is not None and (r.region is None or bbox_iou(r.region, box) < 0.5):
                    continue
                match = i
                break
            t["documents"] += 1
            base_ok, base_n = baseline(doc)
            t["base_correct"] += base_ok
            t["base_fields"] += base_n
            t["fields"] += len(doc.truth)
            if match is None:
                continue
            used.add(match)
            t["found"] += 1
            t["classified"] += int(results[match].kind.value == doc.kind)
            ok, _ = score(results[match], doc)
            t["correct"] += ok
        if len([r for r in results if r.kind is not DocumentKind.UNKNOWN]) > len(expected):
            t["extra"] += 1
        if group != "pdf" and len(used) < len(expected):
            # A document missed on an image: was the reader told a second one lies there?
            t["missed_files"] += 1
            t["missed_named"] += int(any(r.note_code == "second_document" for r in results))
    every = sorted(t for v in times.values() for t in v)
    return {
        "seeds": seeds,
        "tally": {k: dict(v) for k, v in tally.items()},
        "median_s": {
            **{g: sorted(v)[len(v) // 2] for g, v in times.items() if v},
            "all": every[len(every) // 2] if every else 0.0,
        },
    }


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f} %" if b else "—"


def report(out: dict[str, Any]) -> str:
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, t in out["tally"].items():
        for k, v in t.items():
            groups[key.split(":")[0]][k] += v
            groups["all"][k] += v
    lines = [
        "| files | documents | found | classified right | fields (combined) | fields "
        "(separate files) | median s/file |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = {"pdf": "combined PDFs", "glass": "glass scans, 300 dpi", "photo": "phone photos"}
    for g in ("pdf", "glass", "photo", "all"):
        t = groups.get(g)
        if not t:
            continue
        lines.append(
            f"| {names.get(g, 'all')} | {t['documents']} | {_pct(t['found'], t['documents'])} | "
            f"{_pct(t['classified'], t['documents'])} | {_pct(t['correct'], t['fields'])} | "
            f"{_pct(t['base_correct'], t['base_fields'])} | "
            f"{out['median_s'].get(g, 0):.1f} |"
        )
    lines.append("")
    lines.append("| file | documents | found | classified right | fields (combined) |")
    lines.append("|---|---:|---:|---:|---:|")
    for key, t in sorted(out["tally"].items()):
        lines.append(
            f"| {key} | {t['documents']} | {_pct(t.get('found', 0), t['documents'])} | "
            f"{_pct(t.get('classified', 0), t['documents'])} | "
            f"{_pct(t.get('correct', 0), t['fields'])} |"
        )
    other = groups["all"]
    if other.get("other_pages"):
        lines.append("")
        lines.append(
            f"Blank and other pages named: {other['other_named']} of {other['other_pages']}; "
            f"files with a document too many: {other.get('extra', 0)}."
        )
    if other.get("missed_files"):
        lines.append(
            f"Images with a document missed: {other['missed_files']}, of which "
            f"{other.get('missed_named', 0)} say a second document was seen but not read."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=4, help="seeds (families) in the corpus")
    parser.add_argument("--seed0", type=int, default=500)
    parser.add_argument("--out", type=Path, default=None, help="write the JSON results here")
    args = parser.parse_args(argv)
    out = run(args)
    text = report(out)
    print(text)
    if args.out is not None:
        args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

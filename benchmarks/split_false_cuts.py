"""Single documents the splitter cuts in two (issue #15's cost on files holding one document).

    python benchmarks/split_false_cuts.py [--seeds 8]

For seeds 1..N: a birth certificate in each layout, a unified policy and a temporary
certificate on the real blanks, and one of the five older policy forms, each as a 300-dpi scan
and a 12 MP photo (``tests.docgen``). Each image goes through
:func:`omsdesktop.ocr.split.find_documents` alone; two regions or more is a false cut. The
pipeline throws such a cut away when its parts do not read as two documents, but it reads the
page three times (two parts, then the whole), so every false cut costs time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omsdesktop.ocr.split import find_documents
from tests.docgen import degrade, generate_certificate, generate_policy, generate_real
from tests.docgen.document import GeneratedDocument

OLDER_POLICY_FORMS = ("unified", "card", "electronic", "old", "temporary")


def corpus(seeds: int) -> list[tuple[str, GeneratedDocument]]:
    docs: list[tuple[str, GeneratedDocument]] = []
    for seed in range(1, seeds + 1):
        for layout in ("caption_below", "labels_left"):
            docs.append((f"certificate {layout} {seed}", generate_certificate(seed, layout=layout)))
        for form in ("unified_real", "temporary_real"):
            docs.append((f"{form} {seed}", generate_real(seed, form, handwritten=False)))
        form = OLDER_POLICY_FORMS[seed % len(OLDER_POLICY_FORMS)]
        docs.append((f"policy {form} {seed}", generate_policy(seed, form=form)))
    return docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    args = parser.parse_args()
    cut = total = 0
    t0 = time.perf_counter()
    for name, doc in corpus(args.seeds):
        for capture in ("scan300", "photo"):
            image, _ = degrade(doc, capture, seed=7)
            regions = len(find_documents(image))
            total += 1
            if regions >= 2:
                cut += 1
                print(f"cut into {regions}: {name} ({capture})", flush=True)
    print(f"{cut} of {total} single documents cut ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Single documents the splitter cuts in two (issue #15's cost on files holding one document).

    python benchmarks/split_false_cuts.py [--seeds 8] [--read]

For seeds 1..N: a birth certificate in each layout, a unified policy and a temporary
certificate on the real blanks, and one of the five older policy forms, each as a 300-dpi scan
and a 12 MP photo (``tests.docgen``). Each image goes through
:func:`omsdesktop.ocr.split.find_documents` alone; two regions or more is a false cut. The
pipeline throws such a cut away when its parts do not read as two documents, but it reads the
page three times (two parts, then the whole), so every false cut costs time.

With ``--read`` each image is also read through
:func:`omsdesktop.forms.pipeline.extract_documents` (what ``extract`` runs), counting what a
user would see wrongly: more than one document, or the note that a second document lies on
the page (``second_document``).
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
    parser.add_argument("--read", action="store_true", help="read each image as extract does")
    args = parser.parse_args()
    cut = total = extra = noted = 0
    engine = settings = None
    if args.read:
        from omsdesktop.ocr.engine import create_engine
        from omsdesktop.settings import Settings

        settings = Settings()
        engine = create_engine(settings.ocr)
    t0 = time.perf_counter()
    for name, doc in corpus(args.seeds):
        for capture in ("scan300", "photo"):
            image, _ = degrade(doc, capture, seed=7)
            regions = len(find_documents(image))
            total += 1
            if regions >= 2:
                cut += 1
                print(f"cut into {regions}: {name} ({capture})", flush=True)
            if args.read:
                from omsdesktop.forms.model import DocumentKind
                from omsdesktop.forms.pipeline import extract_documents

                results = extract_documents(image, engine=engine, settings=settings)
                read = [r for r in results if r.kind is not DocumentKind.UNKNOWN]
                if len(read) > 1:
                    extra += 1
                    print(f"read as {len(read)} documents: {name} ({capture})", flush=True)
                if any(r.note_code == "second_document" for r in results):
                    noted += 1
                    print(f"«second document» note: {name} ({capture})", flush=True)
    print(f"{cut} of {total} single documents cut ({time.perf_counter() - t0:.0f} s)")
    if args.read:
        print(f"read as several: {extra} of {total}; «second document» note: {noted} of {total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

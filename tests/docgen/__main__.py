"""Build a corpus from the command line.

python -m tests.docgen --out DIR --count N --seed S [--font-set train|holdout] [--degradations a,b]
    [--forms drawn|real]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .corpus import CORPUS_FORMS, build_corpus
from .degrade import DEGRADATIONS
from .fonts import FONT_SETS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.docgen",
        description="Build a corpus of synthetic birth certificates and OMS policies.",
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--count", type=int, required=True, help="number of documents")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--font-set", choices=sorted(FONT_SETS), default="train")
    parser.add_argument("--workers", type=int, default=1, help="processes to use (default 1)")
    parser.add_argument(
        "--forms",
        choices=CORPUS_FORMS,
        default="drawn",
        help="drawn: generated certificates and policies; real: policies on the real blanks",
    )
    parser.add_argument(
        "--degradations",
        default=",".join(DEGRADATIONS),
        help=f"comma-separated subset of: {', '.join(DEGRADATIONS)}",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.degradations.split(",") if n.strip()]
    unknown = [n for n in names if n not in DEGRADATIONS]
    if unknown:
        parser.error(f"unknown degradations: {', '.join(unknown)}")
    if args.count < 1:
        parser.error("--count must be at least 1")

    def progress(fraction: float) -> None:
        done = round(fraction * args.count)
        print(f"\r{done}/{args.count}", end="", file=sys.stderr, flush=True)

    truth = build_corpus(
        args.out,
        args.count,
        args.seed,
        names,
        args.font_set,
        workers=args.workers,
        progress=progress,
        forms=args.forms,
    )
    print(file=sys.stderr)
    print(truth)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

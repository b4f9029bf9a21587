"""Reading speed: our reader against naive whole-page Tesseract, on the same files in one run.

    python benchmarks/speed.py                       # the README's numbers
    python benchmarks/speed.py --per-form 2 --captures scan300

For each document (birth certificates, unified policies and temporary certificates drawn on
the real blanks; ``tests/docgen``) a 300-dpi scan and a 12 MP phone photo are written to files.
Each file is then read, alternating which goes first, by

* **ours**: ``process_file`` — decode, quality checks, straightening, classification, the
  form's fields and the barcode: the whole of ``omsdesktop extract``;
* **naive**: the file decoded, ONE whole-page Tesseract pass (Russian, automatic page
  segmentation, the image as it is) and regular expressions over the text. It runs
  in-process on the same Tesseract instance as ours (no ``tesseract`` process start, no model
  load), so this comparison is the strict one;
* **naive CLI**: the same, written the way a new user writes it first:
  ``pytesseract.image_to_string(PIL.Image.open(path), lang="rus")`` — one ``tesseract``
  process per page, which loads the model each time.

Times are wall-clock per document; the report gives medians per capture and the ratio of the
medians (ours / naive) in the same run, which is the fair number on a shared machine: all
sides slow down together (though on a machine busier than its cores, our page pass loses the
second core it reads with). The naive readers' field accuracy is shown for scale only.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2

from omsdesktop.forms.pipeline import process_file
from omsdesktop.ocr.engine import PSM_AUTO, OcrEngine, create_engine, text_of
from omsdesktop.settings import Settings
from omsdesktop.text import fold
from tests.docgen import degrade, generate_certificate, generate_real

CAPTURES = ("scan300", "photo")
FORMS = ("birth_certificate", "unified_real", "temporary_real")
NAME_FIELDS = ("last_name", "first_name", "patronymic")
SIDES = ("ours", "naive", "naive-cli")


# --- the naive baseline -----------------------------------------------------------------------

_DATE = re.compile(r"\b(\d{2})[.](\d{2})[.](\d{4})\b")
_ENP = re.compile(r"(?<!\d)(\d{16})(?!\d)")
_NINE = re.compile(r"(?<!\d)(\d{9})(?!\d)")
_SERIES = re.compile(r"\b([IVXLC]{1,6})\s*-\s*([А-ЯЁ]{2})\b")
_NUMBER = re.compile(r"№\s*(\d{6,7})\b")


def naive_read(path: Path, engine: OcrEngine) -> dict[str, str | None]:
    """Decode the file, OCR the whole page once, pick the fields out with regular expressions."""
    grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    return naive_fields(text_of(engine.read(grey, lang="rus", psm=PSM_AUTO)))


def naive_cli_read(path: Path) -> dict[str, str | None]:
    """The same with the ``tesseract`` program, as ``pytesseract`` runs it."""
    import pytesseract
    from PIL import Image

    with Image.open(path) as image:
        return naive_fields(pytesseract.image_to_string(image, lang="rus"))


def naive_fields(text: str) -> dict[str, str | None]:
    """The fields picked out of a page's text with regular expressions."""
    out: dict[str, str | None] = {}
    dates = [f"{y}-{m}-{d}" for d, m, y in _DATE.findall(text)]
    out["birth_date"] = dates[0] if dates else None
    enp = _ENP.search(text.replace(" ", ""))
    nine = _NINE.search(text)
    out["policy_number"] = enp.group(1) if enp else (nine.group(1) if nine else None)
    series = _SERIES.search(text)
    out["birth_certificate_series"] = f"{series.group(1)}-{series.group(2)}" if series else None
    number = _NUMBER.search(text)
    out["birth_certificate_number"] = number.group(1) if number else None
    # A name is the capitalised word on the line above or beside its caption.
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        key = fold(line)
        for name, caption in (("last_name", "фамилия"), ("first_name", "имя")):
            if key.startswith(caption) and name not in out:
                words = re.findall(r"[А-ЯЁ][а-яёА-ЯЁ-]+", line[len(caption) :])
                if not words and i > 0:
                    words = re.findall(r"[А-ЯЁ][а-яёА-ЯЁ-]+", lines[i - 1])
                out[name] = words[0] if words else None
    return out


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Side:
    times: list[float] = field(default_factory=list)
    fields: int = 0
    correct: int = 0


def _same(name: str, got: str | None, want: str | None) -> bool:
    if got and want and name in NAME_FIELDS:
        return fold(got) == fold(want)
    return got == want


def _documents(per_form: int, seed: int) -> list[tuple[str, object]]:
    docs: list[tuple[str, object]] = []
    for i in range(per_form):
        font = "holdout" if i % 2 else "train"
        for form in FORMS:
            if form == "birth_certificate":
                doc = generate_certificate((seed + i) * 100, layout="caption_below", font_set=font)
            else:
                doc = generate_real(seed + i, form, font)
            docs.append((form, doc))
    return docs


def run(args: argparse.Namespace) -> dict[tuple[str, str], dict[str, Side]]:
    settings = Settings()
    engine = create_engine(settings.ocr)
    out: dict[tuple[str, str], dict[str, Side]] = defaultdict(lambda: defaultdict(Side))
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for capture in args.captures:
            for n, (form, doc) in enumerate(_documents(args.per_form, args.seed)):
                image, _ = degrade(doc, capture, seed=args.seed + n)  # type: ignore[arg-type]
                ext = ".jpg" if capture == "photo" else ".png"
                params = [cv2.IMWRITE_JPEG_QUALITY, 90] if ext == ".jpg" else []
                ok, buf = cv2.imencode(ext, image, params)
                assert ok
                path = Path(tmp) / f"{form}_{capture}_{n}{ext}"
                path.write_bytes(buf.tobytes())
                files.append((capture, form, doc, path))
        # Warm both up (Tesseract's model, zxing, the insurer list) on the first file.
        process_file(files[0][3], settings=settings, engine=engine)
        naive_read(files[0][3], engine)
        naive_cli_read(files[0][3])
        for n, (capture, form, doc, path) in enumerate(files):
            truth: dict[str, str | None] = doc.truth  # type: ignore[attr-defined]
            order = SIDES[n % len(SIDES) :] + SIDES[: n % len(SIDES)]
            for side in order:
                t0 = time.perf_counter()
                if side == "ours":
                    result = process_file(path, settings=settings, engine=engine)
                    got_fields = result.document.fields if result.document else {}
                    got = {k: v.value for k, v in got_fields.items()}
                elif side == "naive":
                    got = naive_read(path, engine)
                else:
                    got = naive_cli_read(path)
                elapsed = time.perf_counter() - t0
                for key in (capture, "all"):
                    tally = out[(key, form)][side]
                    tally.times.append(elapsed)
                    for name, want in truth.items():
                        if want is None:
                            continue
                        tally.fields += 1
                        tally.correct += _same(name, got.get(name), want)
                if args.verbose:
                    print(f"{capture} {form} {path.name} {side} {elapsed:.2f}s", flush=True)
    return out


def _merge(sides: list[Side]) -> Side:
    merged = Side()
    for s in sides:
        merged.times += s.times
        merged.fields += s.fields
        merged.correct += s.correct
    return merged


def report(out: dict[tuple[str, str], dict[str, Side]], args: argparse.Namespace) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Reading speed: ours against naive whole-page Tesseract",
        "",
        f"`python benchmarks/speed.py {' '.join(sys.argv[1:])}` — {args.per_form} documents "
        f"per form and capture; load average at the end {load:.1f} on {os.cpu_count()} cores.",
        "",
        "| capture | form | files | ours median s | naive median s | ratio "
        "| naive CLI median s | ratio to CLI | ours fields | naive fields |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    captures = [*args.captures, "all"]
    for capture in captures:
        rows = [(form, out[(capture, form)]) for form in FORMS if (capture, form) in out]
        rows.append(
            (
                "all forms",
                {side: _merge([sides[side] for _, sides in rows]) for side in SIDES},
            )
        )
        for form, sides in rows:
            ours, naive, cli = sides["ours"], sides["naive"], sides["naive-cli"]
            if not ours.times:
                continue
            mo, mn = statistics.median(ours.times), statistics.median(naive.times)
            mc = statistics.median(cli.times)
            lines.append(
                f"| {capture} | {form} | {len(ours.times)} | {mo:.2f} | {mn:.2f} "
                f"| **{mo / mn:.2f}** | {mc:.2f} | **{mo / mc:.2f}** "
                f"| {100 * ours.correct / max(1, ours.fields):.0f} % "
                f"| {100 * naive.correct / max(1, naive.fields):.0f} % |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-form", type=int, default=6, help="documents per form and capture")
    parser.add_argument("--seed", type=int, default=8100)
    parser.add_argument("--captures", nargs="+", default=list(CAPTURES), choices=CAPTURES)
    parser.add_argument("--out", type=Path, default=None, help="write the report here")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    text = report(run(args), args)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``omsdesktop extract``: document kind, quality and every field, per file (and a pair)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from omsdesktop.commands import emit_json

KINDS = {"auto": "auto", "birth-certificate": "birth_certificate", "oms-policy": "oms_policy"}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "extract",
        help="распознать документы: вид, качество и все поля",
        description=(
            "Распознаёт свидетельство о рождении и полис ОМС. С --pair принимает два файла "
            "(свидетельство, затем полис) и сверяет их между собой."
        ),
    )
    p.add_argument("files", nargs="+", metavar="ФАЙЛ")
    p.add_argument("--kind", choices=sorted(KINDS), default="auto", help="вид документа")
    p.add_argument("--json", action="store_true", help="одна строка JSON на файл")
    p.add_argument("--pair", action="store_true", help="свидетельство и полис одной семьи")
    p.add_argument("--page", type=int, default=1, help="номер страницы (для PDF и TIFF)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from omsdesktop.forms.pipeline import DocumentResult, process_file
    from omsdesktop.ocr.engine import create_engine
    from omsdesktop.settings import load_settings

    if args.page < 1:
        sys.stderr.write("Номер страницы начинается с 1.\n")
        return 2
    if args.pair and len(args.files) != 2:
        sys.stderr.write(
            "Для --pair нужны ровно два файла: сначала свидетельство о рождении, затем полис.\n"
        )
        return 2
    settings = load_settings()
    engine = None
    failed = False
    results: list[DocumentResult] = []
    for path in args.files:
        if engine is None:
            try:
                engine = create_engine(settings.ocr)
            except Exception:
                engine = None
        kind = KINDS[args.kind]
        result = process_file(
            path, kind=kind, settings=settings, engine=engine, page_index=args.page - 1
        )
        results.append(result)
        failed = failed or bool(result.errors)
        out = result.to_json()
        if args.json:
            emit_json(out)
        else:
            print_human(out)
    if args.pair:
        from omsdesktop.forms.application import merge_pair

        pair = merge_pair(results[0], results[1])
        if args.json:
            emit_json(pair)
        else:
            print_pair(pair)
    return 1 if failed else 0


KIND_NAMES = {
    "birth_certificate": "свидетельство о рождении",
    "oms_policy": "полис ОМС",
    "unknown": "не удалось определить",
}
SOURCE_NAMES = {"ocr": "распознано", "barcode": "штрихкод", "typed": "введено"}


def print_human(out: dict[str, Any]) -> None:
    lines = [f"{out['file']}: {KIND_NAMES.get(out['kind'], out['kind'])}"]
    for err in out["errors"]:
        lines.append(f"  ошибка: {err['message']}")
    quality = out.get("quality")
    if quality is not None:
        for prob in quality["problems"]:
            lines.append(f"  качество: {prob['message']}")
    for name, f in out["fields"].items():
        mark = " ← проверьте" if f["needs_review"] else ""
        value = f["value"] if f["value"] is not None else "—"
        lines.append(f"  {name}: {value} ({SOURCE_NAMES.get(f['source'], f['source'])}){mark}")
        for prob in f["problems"]:
            lines.append(f"      {prob['message']}")
    sys.stdout.write("\n".join(lines) + "\n")


def print_pair(pair: dict[str, Any]) -> None:
    lines = ["Заявление:"]
    for name, value in pair["application"].items():
        lines.append(f"  {name}: {value if value is not None else '—'}")
    for prob in pair["problems"]:
        lines.append(f"  ! {prob['message']}")
    sys.stdout.write("\n".join(lines) + "\n")

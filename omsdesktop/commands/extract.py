"""``omsdesktop extract``: document kind, quality and every field, per file (and a pair)."""

from __future__ import annotations

import argparse
import dataclasses
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
    p.add_argument(
        "--json",
        action="store_true",
        help="одна строка JSON на каждый найденный документ (с номером страницы)",
    )
    p.add_argument("--pair", action="store_true", help="свидетельство и полис одной семьи")
    p.add_argument(
        "--page",
        type=int,
        default=None,
        help="только эта страница (для PDF и TIFF); по умолчанию читаются все страницы",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Every document of every file: one result (one JSON line) per document found, with its
    page and, where one image held several, its region (issue #15)."""
    from omsdesktop.forms.pipeline import DocumentResult, extract_documents
    from omsdesktop.ocr.engine import create_engine
    from omsdesktop.settings import load_settings

    if args.page is not None and args.page < 1:
        sys.stderr.write("Номер страницы начинается с 1.\n")
        return 2
    if args.pair and len(args.files) not in (1, 2):
        sys.stderr.write(
            "Для --pair нужны два файла (сначала свидетельство о рождении, затем полис) "
            "или один файл, в котором есть оба документа.\n"
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
        found = extract_documents(
            path,
            kind=kind,
            settings=settings,
            engine=engine,
            pages=None if args.page is None else [args.page - 1],
        )
        for result in found:
            if args.pair:  # only a pair is read again afterwards, and never its images
                results.append(dataclasses.replace(result, page=None, straightened=None))
            failed = failed or bool(result.errors)
            out = result.to_page_json()
            if args.json:
                emit_json(out)
            else:
                print_human(out)
    if args.pair:
        from omsdesktop.forms.application import merge_pair

        cert, policy = _pair_of(results, len(args.files))
        if cert is None or policy is None:
            sys.stderr.write(
                "Для --pair нужны оба документа: свидетельство о рождении и полис ОМС. "
                "В указанных файлах найдены не оба.\n"
            )
            return 1
        pair = merge_pair(cert, policy)
        if args.json:
            emit_json(pair)
        else:
            print_pair(pair)
    return 1 if failed else 0


def _pair_of(results: list[Any], files: int) -> tuple[Any, Any]:
    """The certificate and the policy to pair: as before, the first document of each of two
    files; from one file, its first certificate and first policy."""
    from omsdesktop.forms.model import DocumentKind

    if files == 2 and len(results) == 2:
        return results[0], results[1]
    cert = next((r for r in results if r.kind is DocumentKind.BIRTH_CERTIFICATE), None)
    policy = next((r for r in results if r.kind is DocumentKind.OMS_POLICY), None)
    return cert, policy


KIND_NAMES = {
    "birth_certificate": "свидетельство о рождении",
    "oms_policy": "полис ОМС",
    "unknown": "не удалось определить",
}
SOURCE_NAMES = {"ocr": "распознано", "barcode": "штрихкод", "typed": "введено"}


def print_human(out: dict[str, Any]) -> None:
    where = out["file"]
    if "pages" in out:
        where += ", стр. " + "–".join(str(p) for p in (out["pages"][0], out["pages"][-1]))
    elif out.get("page", 1) > 1 or "region" in out or "note" in out:
        where += f", стр. {out['page']}"
    if "region" in out:
        x, y, w, h = out["region"]
        where += f", фрагмент {w}×{h} в точке ({x}, {y})"
    lines = [f"{where}: {KIND_NAMES.get(out['kind'], out['kind'])}"]
    if out.get("note"):
        lines.append(f"  {out['note']}")
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

"""``omsdesktop check [--json] FILE...``: the quality verdict for each file, no OCR."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from omsdesktop.commands import emit_json
from omsdesktop.errors import InternalError, OmsError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="проверить качество снимков (резкость, разрешение, освещение, блики, обрезку)",
        description="Проверяет качество каждого файла и говорит, что исправить.",
    )
    p.add_argument("files", nargs="+", metavar="ФАЙЛ")
    p.add_argument("--json", action="store_true", help="одна строка JSON на файл")
    p.add_argument("--page", type=int, default=1, help="номер страницы (для PDF и TIFF)")
    p.set_defaults(func=run)


def check_one(path: str, page: int) -> dict[str, Any]:
    from omsdesktop.ocr.intake import load_page
    from omsdesktop.ocr.quality import assess
    from omsdesktop.settings import load_settings

    settings = load_settings()
    out: dict[str, Any] = {"file": path, "quality": None, "errors": []}
    try:
        loaded = load_page(path, page - 1, settings.intake)
        out["quality"] = assess(loaded, settings.quality).to_json(settings.language)
    except OmsError as exc:
        out["errors"] = [exc.to_json(settings.language)]
    except Exception as exc:
        out["errors"] = [InternalError(type(exc).__name__).to_json(settings.language)]
    return out


def run(args: argparse.Namespace) -> int:
    if args.page < 1:
        sys.stderr.write("Номер страницы начинается с 1.\n")
        return 2
    failed = False
    for path in args.files:
        out = check_one(path, args.page)
        failed = failed or bool(out["errors"])
        if args.json:
            emit_json(out)
        else:
            print_human(out)
    return 1 if failed else 0


def print_human(out: dict[str, Any]) -> None:
    lines = [f"{out['file']}:"]
    for err in out["errors"]:
        lines.append(f"  ошибка: {err['message']}")
    quality = out.get("quality")
    if quality is not None:
        if quality["ok"] and not quality["problems"]:
            lines.append("  качество: хорошее")
        elif quality["ok"]:
            lines.append("  качество: можно использовать, но есть замечания")
        else:
            lines.append("  качество: снимок не подходит")
        for prob in quality["problems"]:
            mark = "!" if prob["severity"] == "blocking" else "-"
            lines.append(f"  {mark} {prob['message']}")
    sys.stdout.write("\n".join(lines) + "\n")

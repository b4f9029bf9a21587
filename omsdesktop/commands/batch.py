"""``omsdesktop batch INPUT_DIR [--out REPORT] [--jobs N]``: scans folder -> drafts + report."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from omsdesktop.commands import emit_json, terminal_progress
from omsdesktop.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "batch",
        help="пакетная обработка папки сканов: пары свидетельство + полис, черновики, отчёт",
        description=(
            "Распознаёт все файлы папки, составляет заявления из пар «свидетельство о рождении "
            "+ полис ОМС» по ФИО и дате рождения ребёнка (имена файлов не важны), сохраняет "
            "черновики и пишет отчёт (CSV и HTML): заявления, поля для проверки, документы "
            "без пары и файлы, которые не удалось использовать, с причинами."
        ),
    )
    p.add_argument("input_dir", metavar="ПАПКА", help="папка со сканами и фотографиями")
    p.add_argument(
        "--out",
        metavar="ОТЧЁТ",
        help="имя отчёта без расширения (будут ОТЧЁТ.csv и ОТЧЁТ.html); "
        "по умолчанию omsdesktop-batch-ДАТА-ВРЕМЯ в текущей папке",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="сколько файлов обрабатывать одновременно (по умолчанию — число ядер)",
    )
    p.add_argument("--recursive", action="store_true", help="обходить и вложенные папки")
    p.add_argument("--no-drafts", action="store_true", help="только отчёт, черновики не создавать")
    p.add_argument("--json", action="store_true", help="итог одной строкой JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from omsdesktop.batch.intake import run_batch
    from omsdesktop.batch.report import report_paths, write_csv, write_html
    from omsdesktop.settings import load_settings

    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    if jobs < 1 or jobs > 64:
        raise UsageError("bad jobs", what="--jobs от 1 до 64")
    csv_path, html_path = report_paths(args.out)
    settings = load_settings()
    progress = terminal_progress("Обработка") if not args.json else None
    store = None
    if not args.no_drafts:
        from omsdesktop.storage.store import Store

        store = Store.open()
    try:
        result = run_batch(
            Path(args.input_dir),
            jobs=jobs,
            settings=settings,
            store=store,
            recursive=args.recursive,
            exclude=(csv_path, html_path),
            progress=progress,
        )
    finally:
        if store is not None:
            store.close()
        if progress is not None:
            sys.stderr.write("\n")
    write_csv(result, csv_path)
    write_html(result, html_path)
    review = sum(1 for a in result.applications if a.review_fields or a.notes_ru)
    if args.json:
        emit_json(
            {
                "files": result.files,
                "documents": result.documents,
                "applications": [
                    {
                        "number": a.number,
                        "draft_id": a.draft_id,
                        "certificate": a.certificate.label,
                        "policy": a.policy.label,
                        "paired_by": a.match.basis,
                        "needs_review": list(a.review_fields),
                    }
                    for a in result.applications
                ],
                "unpaired": [
                    {
                        "file": u.document.label,
                        "kind": u.document.kind.value,
                        "reason": u.reason,
                        "message": u.message_ru,
                    }
                    for u in result.unpaired
                ],
                "unusable": [
                    {"file": u.document.label, "code": u.issue.code, "message": u.issue.message_ru}
                    for u in result.unusable
                ],
                "report": {"csv": str(csv_path), "html": str(html_path)},
                "seconds": round(result.seconds, 1),
            }
        )
    else:
        sys.stdout.write(
            f"Файлов: {result.files}, документов: {result.documents}. "
            f"Заявлений: {len(result.applications)} (проверить: {review}), "
            f"без пары: {len(result.unpaired)}, не использовано: {len(result.unusable)}.\n"
            f"Отчёт: {html_path}\n       {csv_path}\n"
        )
    return 0

"""The batch report as CSV (for Excel) and HTML (to read and print).

The report is the operator's work list, so it names each child (surname, name, patronymic,
date of birth as read) next to the draft id: that is how the paper documents on the desk are
matched to the applications. It therefore holds personal data: it is written readable only by
the user (mode 0600 where the OS has modes), and is meant to be deleted when the batch is done.

CSV: UTF-8 with a BOM and ``;`` between columns — what Excel expects in a Russian locale.
"""

from __future__ import annotations

import csv
import html
import io
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from omsdesktop.batch.intake import Application, BatchResult
from omsdesktop.forms.model import DocumentKind, FieldValue
from omsdesktop.forms.registry import FIELDS

FIELD_LABELS_RU: dict[str, str] = {
    f.extracted: f.long_label("ru") for f in FIELDS if f.extracted is not None
}
"""The report's field labels (extraction keys), from the field registry."""
KIND_RU = {
    DocumentKind.BIRTH_CERTIFICATE: "свидетельство о рождении",
    DocumentKind.OMS_POLICY: "полис ОМС",
    DocumentKind.UNKNOWN: "не определён",
}
CSV_COLUMNS = (
    "раздел",
    "заявление",
    "черновик",
    "файл свидетельства",
    "файл полиса",
    "файл",
    "ребёнок",
    "дата рождения",
    "проверить поля",
    "примечания и причины",
)


def _value(fields: dict[str, FieldValue], name: str) -> str:
    fv = fields.get(name)
    return fv.value if fv is not None and fv.value else ""


def child_name(app: Application) -> str:
    parts = (_value(app.fields, n) for n in ("last_name", "first_name", "patronymic"))
    return " ".join(p for p in parts if p)


def review_items(app: Application) -> list[tuple[str, list[str]]]:
    """Each field needing review with the reasons the readers gave."""
    out = []
    for name in app.review_fields:
        fv = app.fields[name]
        reasons = [p.message for p in fv.problems] or [
            "прочитано неуверенно — сверьте с документом"
        ]
        out.append((FIELD_LABELS_RU.get(name, name), list(dict.fromkeys(reasons))))
    return out


def _rows(result: BatchResult) -> Iterator[list[str]]:
    for app in result.applications:
        review = "; ".join(f"{label}: {' '.join(reasons)}" for label, reasons in review_items(app))
        notes = list(app.notes_ru)
        if app.draft_error is not None:
            notes.append("Черновик не создан: " + app.draft_error.message_ru)
        yield [
            "заявление",
            str(app.number),
            app.draft_id or "",
            app.certificate.label,
            app.policy.label,
            "",
            child_name(app),
            _value(app.fields, "birth_date"),
            review,
            " ".join(notes),
        ]
    for item in result.unpaired:
        doc = item.document
        fields = doc.fields
        name = " ".join(
            v for v in (_value(fields, n) for n in ("last_name", "first_name", "patronymic")) if v
        )
        yield [
            "без пары",
            "",
            "",
            "",
            "",
            f"{doc.label} ({KIND_RU[doc.kind]})",
            name,
            _value(fields, "birth_date"),
            "",
            item.message_ru,
        ]
    for bad in result.unusable:
        yield [
            "не использован",
            "",
            "",
            "",
            "",
            bad.document.label,
            "",
            "",
            "",
            bad.issue.message_ru,
        ]


def _private_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def write_csv(result: BatchResult, path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in _rows(result):
        writer.writerow(row)
    _private_write(path, ("\ufeff" + buffer.getvalue()).encode("utf-8"))
    return path


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def render_html(result: BatchResult, *, now: datetime | None = None) -> str:
    now = now or datetime.now()
    review_total = sum(1 for a in result.applications if a.review_fields or a.notes_ru)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ru"><head><meta charset="utf-8">',
        "<title>Отчёт о пакетной обработке</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "width:100%;margin-bottom:2em}td,th{border:1px solid #999;padding:4px 6px;"
        "vertical-align:top;text-align:left}th{background:#eee}.warn{color:#a40}"
        ".small{color:#555;font-size:90%}</style></head><body>",
        "<h1>Отчёт о пакетной обработке</h1>",
        f'<p class="small">{_e(now.strftime("%d.%m.%Y %H:%M"))}. Файлов: {result.files}, '
        f"документов: {result.documents}, заявлений: {len(result.applications)} "
        f"(требуют проверки: {review_total}), без пары: {len(result.unpaired)}, "
        f"не использовано: {len(result.unusable)}. Отчёт содержит персональные данные: "
        "удалите его, когда работа закончена.</p>",
        f"<h2>Заявления ({len(result.applications)})</h2>",
    ]
    if result.applications:
        parts.append(
            "<table><tr><th>№</th><th>Ребёнок</th><th>Дата рождения</th><th>Файлы</th>"
            "<th>Черновик</th><th>Проверить</th></tr>"
        )
        for app in result.applications:
            items = "".join(
                f"<li><b>{_e(label)}</b>: {_e(' '.join(reasons))}</li>"
                for label, reasons in review_items(app)
            )
            notes = "".join(f'<li class="warn">{_e(n)}</li>' for n in app.notes_ru)
            if app.draft_error is not None:
                notes += (
                    f'<li class="warn">Черновик не создан: {_e(app.draft_error.message_ru)}</li>'
                )
            check = f"<ul>{items}{notes}</ul>" if items or notes else "—"
            parts.append(
                f"<tr><td>{app.number}</td><td>{_e(child_name(app))}</td>"
                f"<td>{_e(_value(app.fields, 'birth_date'))}</td>"
                f"<td>свидетельство: {_e(app.certificate.label)}<br>"
                f"полис: {_e(app.policy.label)}</td>"
                f'<td class="small">{_e(app.draft_id or "—")}</td><td>{check}</td></tr>'
            )
        parts.append("</table>")
    else:
        parts.append("<p>Ни одной пары документов не найдено.</p>")
    parts.append(f"<h2>Документы без пары ({len(result.unpaired)})</h2>")
    if result.unpaired:
        parts.append("<table><tr><th>Файл</th><th>Документ</th><th>Причина</th></tr>")
        for item in result.unpaired:
            parts.append(
                f"<tr><td>{_e(item.document.label)}</td><td>{_e(KIND_RU[item.document.kind])}"
                f"</td><td>{_e(item.message_ru)}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>Нет.</p>")
    parts.append(f"<h2>Файлы, которые не удалось использовать ({len(result.unusable)})</h2>")
    if result.unusable:
        parts.append("<table><tr><th>Файл</th><th>Причина</th></tr>")
        for bad in result.unusable:
            parts.append(
                f"<tr><td>{_e(bad.document.label)}</td><td>{_e(bad.issue.message_ru)}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>Нет.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_html(result: BatchResult, path: Path) -> Path:
    _private_write(path, render_html(result).encode("utf-8"))
    return path


def report_paths(
    out: str | os.PathLike[str] | None, *, now: datetime | None = None
) -> tuple[Path, Path]:
    """CSV and HTML paths for ``--out``: ``NAME.csv`` + ``NAME.html`` from NAME (any suffix
    of .csv/.html is dropped); default ``omsdesktop-batch-YYYYMMDD-HHMMSS`` here."""
    if out is None:
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        base = Path(f"omsdesktop-batch-{stamp}")
    else:
        base = Path(out)
        if base.suffix.lower() in (".csv", ".html", ".htm"):
            base = base.with_suffix("")
    return base.with_name(base.name + ".csv"), base.with_name(base.name + ".html")

"""``omsdesktop draft create|list|show|set|delete``: application drafts in the local database."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from omsdesktop.commands import emit_json
from omsdesktop.errors import UsageError
from omsdesktop.forms.registry import DRAFT_KEYS as DRAFT_FIELDS
from omsdesktop.forms.registry import FIELDS

if TYPE_CHECKING:
    from omsdesktop.storage.store import Store

FIELD_LABELS: dict[str, str] = {f.key: f.long_label() for f in FIELDS}
"""The CLI's field labels, from the field registry («Ребёнок: фамилия»)."""
REQUEST_TYPE_NAMES = {
    "attach_policy": "прикрепить полис ребёнка",
    "update_policy": "обновить данные полиса",
    "change_insurer": "сменить страховую компанию",
}
STATE_NAMES = {"editing": "черновик", "queued": "в очереди на отправку", "submitted": "отправлено"}
SOURCE_NAMES = {"ocr": "распознано", "barcode": "штрихкод", "typed": "введено"}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "draft",
        help="черновики заявлений: создать из сканов, список, просмотр, правка, удаление",
        description="Черновики заявлений хранятся зашифрованными в базе данных программы.",
    )
    actions = p.add_subparsers(dest="draft_action", metavar="ДЕЙСТВИЕ", required=True)

    c = actions.add_parser(
        "create",
        help="распознать свидетельство и полис и сохранить черновик",
        description=(
            "Распознаёт свидетельство о рождении и полис ОМС и сохраняет черновик. Можно дать "
            "один файл, в котором есть оба документа (PDF из двух страниц, скан или фото "
            "обоих документов рядом)."
        ),
    )
    c.add_argument(
        "certificate",
        metavar="СВИДЕТЕЛЬСТВО",
        help="скан свидетельства о рождении (или один файл с обоими документами)",
    )
    c.add_argument("policy", metavar="ПОЛИС", nargs="?", default=None, help="скан полиса ОМС")
    c.add_argument("--snils", help="СНИЛС ребёнка")
    c.add_argument("--applicant-name", help="ФИО заявителя (родителя или представителя)")
    c.add_argument("--applicant-snils", help="СНИЛС заявителя")
    c.add_argument(
        "--request-type",
        choices=sorted(REQUEST_TYPE_NAMES),
        default="attach_policy",
        help="вид заявления (по умолчанию attach_policy)",
    )
    c.add_argument("--json", action="store_true", help="ответ одной строкой JSON")
    c.set_defaults(func=run_create)

    ls = actions.add_parser("list", help="все черновики, сначала недавние")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)

    sh = actions.add_parser("show", help="все поля черновика")
    sh.add_argument("id", metavar="ID")
    sh.add_argument("--history", action="store_true", help="с историей правок полей")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=run_show)

    st = actions.add_parser("set", help="исправить одно поле черновика вручную")
    st.add_argument("id", metavar="ID")
    st.add_argument("field", metavar="ПОЛЕ", help="например child.snils или policy.number")
    st.add_argument("value", metavar="ЗНАЧЕНИЕ", help="пустая строка очищает поле")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=run_set)

    d = actions.add_parser(
        "delete", help="удалить черновик со всеми данными и изображениями (или все сразу)"
    )
    d.add_argument("id", metavar="ID", nargs="?")
    d.add_argument("--all", action="store_true", help="удалить все черновики")
    d.add_argument("--yes", action="store_true", help="подтверждение для --all")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=run_delete)


def _open_store() -> Store:
    from omsdesktop.storage.store import Store

    return Store.open()


def _extract(path: str, kind: str) -> Any:
    from omsdesktop.forms.pipeline import extract_file

    result = extract_file(path, kind)
    if result.document is None:
        if result.errors:
            raise result.errors[0]
        raise UsageError("no document", what=f"не удалось прочитать документ в файле {path}")
    return result


def _extract_both(path: str) -> tuple[Any, Any]:
    """The certificate and the policy from one file holding both (issue #15): the first of
    each kind found on its pages; pages with neither are said on stderr."""
    from omsdesktop.forms.model import DocumentKind
    from omsdesktop.forms.pipeline import extract_documents

    found = extract_documents(path)
    for result in found:
        if result.errors and len(found) == 1:
            raise result.errors[0]
        if result.note:
            sys.stderr.write(result.note + "\n")
    cert = next((r for r in found if r.kind is DocumentKind.BIRTH_CERTIFICATE and r.document), None)
    policy = next((r for r in found if r.kind is DocumentKind.OMS_POLICY and r.document), None)
    missing = [
        name
        for name, doc in (("свидетельство о рождении", cert), ("полис ОМС", policy))
        if doc is None
    ]
    if missing:
        raise UsageError(
            "document missing",
            what=(
                f"в файле {path} не найден(о) {' и '.join(missing)}; укажите два файла: "
                "СВИДЕТЕЛЬСТВО ПОЛИС"
            ),
        )
    return cert, policy


def run_create(args: argparse.Namespace) -> int:
    from omsdesktop.forms.model import DocumentKind
    from omsdesktop.session import ApplicationSession

    if args.policy is None:
        cert, policy = _extract_both(args.certificate)
    else:
        cert = _extract(args.certificate, "birth_certificate")
        policy = _extract(args.policy, "oms_policy")
    with _open_store() as store:
        session = ApplicationSession(store, request_type=args.request_type)
        try:
            for kind, result in (
                (DocumentKind.BIRTH_CERTIFICATE, cert),
                (DocumentKind.OMS_POLICY, policy),
            ):
                page = result.page
                session.set_document(
                    kind,
                    result.document.fields,
                    image=page.image if page is not None else None,
                    dpi=page.dpi if page is not None else None,
                )
            for key, typed in (
                ("child.snils", args.snils),
                ("applicant.full_name", args.applicant_name),
                ("applicant.snils", args.applicant_snils),
            ):
                if typed is not None and typed.strip():
                    session.edit(key, typed)
            session.save()
            infos = session.store_attachments()
        finally:
            session.close()
        draft = store.get_draft(session.draft_id or "")
    review = sorted(name for name, f in draft.fields.items() if f.needs_review)
    if args.json:
        emit_json(
            {
                "id": draft.id,
                "version": draft.version,
                "fields": len(draft.fields),
                "needs_review": review,
                "attachments": [i.to_json() for i in infos],
            }
        )
    else:
        lines = [f"Черновик сохранён: {draft.id}", f"  полей заполнено: {len(draft.fields)}"]
        if review:
            lines.append("  проверьте: " + ", ".join(FIELD_LABELS.get(n, n) for n in review))
        for info in infos:
            lines.append(
                f"  вложение {info.document}: {info.media_type}, "
                f"{info.size_bytes / 1024:.0f} КБ, {info.width}×{info.height}"
                + (f", {info.dpi:.0f} dpi" if info.dpi else "")
            )
        sys.stdout.write("\n".join(lines) + "\n")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with _open_store() as store:
        drafts = store.list_drafts()
    if args.json:
        emit_json({"drafts": [d.to_json() for d in drafts]})
        return 0
    if not drafts:
        sys.stdout.write("Черновиков нет.\n")
        return 0
    for d in drafts:
        state = STATE_NAMES.get(d.state, d.state)
        if d.portal_status:
            state += f", портал: {d.portal_status}"
        when = d.updated_at.astimezone().strftime("%d.%m.%Y %H:%M")
        sys.stdout.write(f"{d.id}  {when}  {d.child_name or '(без имени)'}  [{state}]\n")
    return 0


def run_show(args: argparse.Namespace) -> int:
    with _open_store() as store:
        draft = store.get_draft(args.id)
        attachments = store.list_attachments(draft.id)
        submission = store.latest_submission(draft.id)
        history = store.field_history(draft.id) if args.history else []
    if args.json:
        out = draft.to_json()
        out["attachments"] = [a.to_json() for a in attachments]
        out["submission"] = None if submission is None else submission.to_json()
        if args.history:
            out["history"] = [
                {
                    "field": h.name,
                    "old": h.old_value,
                    "new": h.new_value,
                    "source": h.source,
                    "operator": h.operator,
                    "at": h.at.isoformat(),
                }
                for h in history
            ]
        emit_json(out)
        return 0
    state = STATE_NAMES.get(draft.state, draft.state)
    lines = [
        f"Черновик {draft.id} (версия {draft.version}, {state})",
        f"  вид заявления: {REQUEST_TYPE_NAMES.get(draft.request_type, draft.request_type)}",
    ]
    for name, label in FIELD_LABELS.items():
        item = draft.fields.get(name)
        if item is None:
            lines.append(f"  {label}: —")
            continue
        mark = " ← проверьте" if item.needs_review else ""
        value = item.value if item.value is not None else "—"
        lines.append(f"  {label}: {value} ({SOURCE_NAMES.get(item.source, item.source)}){mark}")
    for a in attachments:
        lines.append(f"  вложение {a.document}: {a.media_type}, {a.size_bytes / 1024:.0f} КБ")
    if submission is not None:
        lines.append(f"  отправка: {submission.state}, портал: {submission.portal_status or '—'}")
    for h in history:
        lines.append(
            f"  {h.at.astimezone():%d.%m.%Y %H:%M:%S} {h.operator}: {h.name}: "
            f"{h.old_value or '—'} → {h.new_value or '—'} ({SOURCE_NAMES.get(h.source, h.source)})"
        )
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def run_set(args: argparse.Namespace) -> int:
    """Set one field. A value that breaks the field's rule is kept (a draft may be unfinished),
    and the command says so: such a draft is not sent until the field is fixed."""
    from omsdesktop.session import ApplicationSession

    if args.field not in DRAFT_FIELDS:
        raise UsageError(
            "unknown field", what=f"нет поля {args.field}; поля: {', '.join(DRAFT_FIELDS)}"
        )
    with _open_store() as store:
        session = ApplicationSession(store)
        try:
            session.open(args.id, attachments=False)
            verdict = session.edit(args.field, args.value)
            version = session.save()
        finally:
            session.close()
    problems = [] if verdict is None else [p for p in verdict.problems if p.severity == "blocking"]
    label = FIELD_LABELS.get(args.field, args.field)
    if args.json:
        emit_json(
            {
                "id": args.id,
                "version": version,
                "field": args.field,
                "valid": not problems,
                "problems": [{"code": p.code, "message": p.message} for p in problems],
            }
        )
    else:
        sys.stdout.write(f"Сохранено: {label}.\n")
    if problems:
        sys.stderr.write(
            f"Внимание: поле «{label}» не проходит проверку: {problems[0].message} "
            "Заявление не будет отправлено, пока поле не исправлено.\n"
        )
    return 0


def run_delete(args: argparse.Namespace) -> int:
    if args.all:
        if args.id:
            raise UsageError("id with --all", what="укажите либо ID, либо --all")
        if not args.yes:
            raise UsageError(
                "no --yes", what="удаление всех черновиков нужно подтвердить: --all --yes"
            )
        with _open_store() as store:
            count = store.delete_all_drafts()
        if args.json:
            emit_json({"deleted": count})
        else:
            sys.stdout.write(f"Удалено черновиков: {count}.\n")
        return 0
    if not args.id:
        raise UsageError("no id", what="укажите ID черновика (omsdesktop draft list)")
    with _open_store() as store:
        store.delete_draft(args.id)
    if args.json:
        emit_json({"deleted": 1, "id": args.id})
    else:
        sys.stdout.write(f"Черновик {args.id} удалён вместе с изображениями.\n")
    return 0

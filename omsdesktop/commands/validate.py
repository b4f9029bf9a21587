"""``omsdesktop validate FIELD VALUE [--json]``: check one field value by the portal's rules.

Exit codes: 0 valid (or not checkable by the rules, e.g. a SNILS up to 001-001-998), 1 invalid,
2 usage error (unknown field, bad option). ``--json`` prints exactly one line
``{"field", "value", "normalized", "valid", "problems": [{"code", "message"}]}``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from omsdesktop.commands import emit_json
from omsdesktop.errors import UsageError
from omsdesktop.forms.normalize import parse_date
from omsdesktop.forms.validators import (
    FIELD_LABELS,
    POLICY_FORMS,
    VALIDATED_FIELDS,
    ValidationResult,
    validate_field,
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="проверить одно значение (СНИЛС, номер полиса, серию свидетельства, дату ...)",
        description=(
            "Проверяет одно значение по правилам портала и говорит, что исправить. "
            "Поля: " + ", ".join(VALIDATED_FIELDS) + ". "
            "Код выхода: 0 — верно или не проверяется, 1 — ошибка, 2 — неверные параметры."
        ),
    )
    p.add_argument("field", metavar="ПОЛЕ", help="имя поля: " + ", ".join(VALIDATED_FIELDS))
    p.add_argument("value", metavar="ЗНАЧЕНИЕ", help="значение (в кавычках, если есть пробелы)")
    p.add_argument("--json", action="store_true", help="результат одной строкой JSON")
    p.add_argument(
        "--policy-form",
        metavar="ФОРМА",
        help="форма полиса для номера: " + ", ".join(POLICY_FORMS),
    )
    p.add_argument("--policy-series", metavar="СЕРИЯ", help="серия полиса старого образца")
    p.add_argument("--birth-date", metavar="ДАТА", help="дата рождения (для проверки дат выдачи)")
    p.add_argument(
        "--policy-issue-date", metavar="ДАТА", help="дата выдачи полиса (для срока действия)"
    )
    p.add_argument(
        "--today", metavar="ГГГГ-ММ-ДД", help="считать сегодняшней эту дату (для проверок)"
    )
    p.set_defaults(func=run)


def _context(args: argparse.Namespace) -> dict[str, str]:
    if args.policy_form is not None and args.policy_form not in POLICY_FORMS:
        raise UsageError(
            what=f"неизвестная форма полиса. Допустимые формы: {', '.join(POLICY_FORMS)}."
        )
    for option, text in (
        ("--birth-date", args.birth_date),
        ("--policy-issue-date", args.policy_issue_date),
    ):
        if text is not None and parse_date(text) is None:
            raise UsageError(what=f"дата в {option} должна быть вида ДД.ММ.ГГГГ.")
    pairs = {
        "policy_form": args.policy_form,
        "policy_series": args.policy_series,
        "birth_date": args.birth_date,
        "policy_issue_date": args.policy_issue_date,
    }
    return {k: v for k, v in pairs.items() if v is not None}


def run(args: argparse.Namespace) -> int:
    if args.field not in VALIDATED_FIELDS:
        raise UsageError(
            what=f"неизвестное поле «{args.field}». Допустимые поля: {', '.join(VALIDATED_FIELDS)}."
        )
    today: date | None = None
    if args.today is not None:
        today = parse_date(args.today)
        if today is None:
            raise UsageError(what="дата в --today должна быть вида ГГГГ-ММ-ДД.")
    result = validate_field(args.field, args.value, today=today, context=_context(args))
    if args.json:
        emit_json(result.to_json())
    else:
        print_human(result)
    return 1 if result.valid is False else 0


def print_human(result: ValidationResult) -> None:
    label = FIELD_LABELS[result.field][0]
    shown = result.normalized if result.normalized is not None else result.value.strip()
    if result.valid is None:
        verdict = "не проверяется"
    elif result.valid:
        verdict = "верно" if not result.problems else "верно, но есть замечание"
    else:
        verdict = "ошибка"
    lines = [f"{label} {shown or '(пусто)'}: {verdict}"]
    for problem in result.problems:
        mark = "!" if problem.severity == "blocking" else "-"
        lines.append(f"  {mark} {problem.message}")
    sys.stdout.write("\n".join(lines) + "\n")

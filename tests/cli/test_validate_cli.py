"""``omsdesktop validate``: human and JSON output, exit codes, and the real console entry."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from omsdesktop.cli import main

REPO = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code, out, _ = run(capsys, *argv, "--json")
    lines = out.splitlines()
    assert len(lines) == 1
    return code, json.loads(lines[0])


def test_valid_snils_human(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "snils", "11223344595")
    assert code == 0
    assert out == "СНИЛС 112-233-445 95: верно\n"
    assert err == ""


def test_invalid_snils_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, payload = run_json(capsys, "snils", "112-233-445 96")
    assert code == 1
    assert list(payload) == ["field", "value", "normalized", "valid", "problems"]
    assert payload["field"] == "snils"
    assert payload["value"] == "112-233-445 96"
    assert payload["normalized"] == "112-233-445 96"
    assert payload["valid"] is False
    problems = payload["problems"]
    assert isinstance(problems, list) and len(problems) == 1
    assert set(problems[0]) == {"code", "message"}
    assert problems[0]["code"] == "snils_checksum"


def test_not_checkable_snils_exits_0_with_null(capsys: pytest.CaptureFixture[str]) -> None:
    code, payload = run_json(capsys, "snils", "001-001-998 00")
    assert code == 0
    assert payload["valid"] is None
    code, out, _ = run(capsys, "snils", "001-001-998 00")
    assert code == 0 and "не проверяется" in out


def test_invalid_human_lists_problems(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "policy_number", "6449020886006381", "--policy-form", "unified")
    assert code == 1
    first, *rest = out.splitlines()
    assert first == "Номер полиса 6449020886006381: ошибка"
    assert rest and rest[0].startswith("  ! Проверьте цифры номера полиса")


def test_policy_form_context(capsys: pytest.CaptureFixture[str]) -> None:
    code, payload = run_json(
        capsys, "policy_number", "7700 0000 0000 0016", "--policy-form", "card"
    )
    assert code == 0 and payload["normalized"] == "7700000000000016" and payload["valid"] is True
    code, payload = run_json(capsys, "policy_number", "123456789", "--policy-form", "unified")
    assert code == 1 and payload["problems"][0]["code"] == "policy_number_length"  # type: ignore[index]


def test_birth_date_context(capsys: pytest.CaptureFixture[str]) -> None:
    code, payload = run_json(
        capsys, "policy_issue_date", "01.01.2018", "--birth-date", "12.03.2019"
    )
    assert code == 1
    assert payload["normalized"] == "2018-01-01"
    assert payload["problems"][0]["code"] == "issued_before_birth"  # type: ignore[index]


def test_today_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "birth_date", "12.03.2019", "--today", "2025-06-01")[0] == 0
    assert run(capsys, "birth_date", "12.03.2019", "--today", "2019-03-11")[0] == 1


def test_warning_is_shown_but_exit_is_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "birth_certificate_number", "1234567")
    assert code == 0
    assert "верно, но есть замечание" in out and "  - " in out


def test_series_normalised(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "birth_certificate_series", "1V MЮ")
    assert code == 0 and out == "Серия свидетельства о рождении IV-МЮ: верно\n"


def test_empty_patronymic(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "patronymic", "")
    assert code == 0 and out == "Отчество (пусто): верно\n"


def test_unknown_field_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "shoe_size", "42")
    assert code == 2
    assert out == ""
    assert "неизвестное поле «shoe_size»" in err and "snils" in err


@pytest.mark.parametrize(
    "argv",
    [
        ("policy_number", "1", "--policy-form", "plastic"),
        ("policy_issue_date", "01.01.2020", "--birth-date", "вчера"),
        ("birth_date", "01.01.2020", "--today", "someday"),
    ],
)
def test_bad_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert "Неверные параметры команды" in err


def test_missing_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate", "snils"])
    assert info.value.code == 2
    assert "ошибка в параметрах" in capsys.readouterr().err


def _console(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "omsdesktop", "validate", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


@pytest.mark.slow  # a subprocess
def test_real_console_entry_json() -> None:
    proc = _console("snils", "112-233-445 95", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "field": "snils",
        "value": "112-233-445 95",
        "normalized": "112-233-445 95",
        "valid": True,
        "problems": [],
    }


@pytest.mark.slow  # a subprocess
def test_real_console_entry_exit_codes() -> None:
    bad = _console("birth_certificate_series", "IIII-МЮ")
    assert bad.returncode == 1
    assert bad.stdout.startswith("Серия свидетельства о рождении IIII-МЮ: ошибка")
    usage = _console("nonsense", "1")
    assert usage.returncode == 2
    assert "неизвестное поле" in usage.stderr
    assert "Traceback" not in usage.stderr
    future = date.fromordinal(date.today().toordinal() + 1).strftime("%d.%m.%Y")
    assert _console("birth_date", future).returncode == 1

"""The CLI never shows a traceback: a bug becomes ``internal_error`` (exit 1, Russian, the type
only in the log) and an argument that is not UTF-8 a usage error (exit 2, what to do)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from omsdesktop import cli
from omsdesktop.commands import drafts

REPO = Path(__file__).resolve().parents[2]
NOT_UTF8 = b"\xd0\xd0abc"  # a Cyrillic letter cut in half, as a cp1251 console or script gives


def run_bytes(args: list[bytes], home: Path) -> subprocess.CompletedProcess[bytes]:
    """``python -m omsdesktop ARGS`` with raw bytes as arguments, as a POSIX shell passes them."""
    env = dict(os.environ)
    env.update({"OMSDESKTOP_HOME": str(home), "OMSDESKTOP_KEYRING": "off"})
    env["PYTHONPATH"] = str(REPO)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"omsdesktop", *args],
        capture_output=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OMSDESKTOP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OMSDESKTOP_KEYRING", "off")


@pytest.mark.slow  # runs the CLI in a subprocess
@pytest.mark.parametrize(
    "args",
    [
        [b"draft", b"set", b"1", b"child.last_name", NOT_UTF8],
        [b"draft", b"create", b"a.png", b"b.png", b"--applicant-name", NOT_UTF8],
        [b"draft", b"show", NOT_UTF8],
        [b"validate", b"--policy-series=" + NOT_UTF8, b"last_name", b"x"],
    ],
    ids=["draft-set-value", "option-value", "draft-id", "option-equals"],
)
def test_an_argument_that_is_not_utf8_is_a_usage_error(tmp_path: Path, args: list[bytes]) -> None:
    done = run_bytes(args, tmp_path)
    stderr = done.stderr.decode("utf-8")  # our messages are UTF-8 whatever came in
    assert b"Traceback" not in done.stderr, stderr
    assert done.returncode == 2, stderr
    assert "не в кодировке UTF-8" in stderr and "chcp 65001" in stderr, stderr
    assert "abc" not in stderr  # the value itself is never echoed
    assert done.stdout == b""


@pytest.mark.slow  # runs the CLI in a subprocess
def test_a_file_name_that_is_not_utf8_still_reaches_the_command(tmp_path: Path) -> None:
    # On Linux a file may be named in another encoding: it is a path, not a typing mistake.
    name = os.fsencode(tmp_path) + b"/" + NOT_UTF8 + b".png"
    done = run_bytes([b"check", name], tmp_path)
    assert b"Traceback" not in done.stderr
    assert done.returncode == 1
    assert "Файл не найден" in (done.stdout + done.stderr).decode("utf-8")


@pytest.mark.expect_log(r"internal error in command draft: ZeroDivisionError")
def test_a_bug_in_a_command_is_internal_error_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _isolate(monkeypatch, tmp_path)

    def broken(args: object) -> int:
        raise ZeroDivisionError("Иванова Мария, СНИЛС 112-233-445 95")

    monkeypatch.setattr(drafts, "run_list", broken)
    with caplog.at_level(logging.DEBUG):
        code = cli.main(["draft", "list"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "Внутренняя ошибка программы" in err and "Traceback" not in err
    assert "Иванова" not in err and "112-233" not in err
    assert [r.getMessage() for r in caplog.records] == [
        "internal error in command draft: ZeroDivisionError"
    ]
    assert all(r.exc_info is None for r in caplog.records)
    assert "Иванова" not in caplog.text


@pytest.mark.parametrize(
    "exc", [KeyError("x"), RuntimeError("boom"), UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")]
)
def test_any_exception_type_is_caught(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    expected_logs: list[str],
    exc: Exception,
) -> None:
    _isolate(monkeypatch, tmp_path)
    expected_logs.append(rf"internal error in command extract: {type(exc).__name__}")

    def broken(args: object) -> int:
        raise exc

    from omsdesktop.commands import extract

    monkeypatch.setattr(extract, "run", broken)
    assert cli.main(["extract", "a.png"]) == 1
    err = capsys.readouterr().err
    assert "Внутренняя ошибка программы" in err and "Traceback" not in err


def test_expected_failures_keep_their_codes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _isolate(monkeypatch, tmp_path)
    assert cli.main(["draft", "set", "1", "child.last_name", "\udcd0\udcd0abc"]) == 2
    assert "UTF-8" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:  # argparse's own errors stay exit 2
        cli.main(["draft", "nonsense"])
    assert stop.value.code == 2

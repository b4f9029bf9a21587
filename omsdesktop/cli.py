"""Console entry point: no arguments starts the window, subcommands are the CLI.

The CLI contract (``check``, ``extract``, ``validate`` ...) is stable: testers and scripts rely
on it. Every expected failure becomes a message and an exit code, never a traceback; anything
unexpected is caught once, here, and becomes ``internal_error`` (exit 1, a Russian message on
stderr, the exception's type only in the log: its message may quote a child's data).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from omsdesktop import __version__
from omsdesktop.errors import InternalError, OmsError, UsageError

log = logging.getLogger(__name__)

# Each module in omsdesktop.commands exposes ``register(subparsers)``; the parser it adds sets
# ``func(args) -> int``. Listed explicitly so the order in ``--help`` is deliberate.
COMMAND_MODULES: tuple[str, ...] = (
    "omsdesktop.commands.check",
    "omsdesktop.commands.extract",
    "omsdesktop.commands.validate",
    "omsdesktop.commands.drafts",
    "omsdesktop.commands.portal",
    "omsdesktop.commands.scan",
    "omsdesktop.commands.batch",
)


PATH_ARGUMENTS = frozenset({"files", "input_dir", "certificate", "policy", "out"})
"""Arguments that name files: on Linux a file name may be any bytes (a name written in another
encoding arrives surrogate-escaped and still opens), so only these may be non-UTF-8."""


INTERNAL_ERROR_MESSAGE = (
    "Внутренняя ошибка программы (internal_error): команда не выполнена. Повторите её; если "
    "ошибка повторится, сообщите в поддержку (в сообщении об ошибке нет личных данных)."
)
"""What the user reads for :class:`~omsdesktop.errors.InternalError` met by a command: not the
class's own text, which speaks of a file (most commands read none)."""


def _is_utf8(text: str) -> bool:
    """False for an argument that was not valid UTF-8 (Python keeps such bytes as lone
    surrogates, ``\udcd0``, which cannot be encoded)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_encoding(args_list: Sequence[str], parsed: argparse.Namespace) -> None:
    """Refuse an argument that is not valid UTF-8, unless it names a file.

    Raises:
        UsageError: saying which argument (by position, never its bytes) and what to do.
    """
    paths: set[str] = set()
    for name in PATH_ARGUMENTS:
        value: Any = getattr(parsed, name, None)
        if isinstance(value, str):
            paths.add(value)
        elif isinstance(value, list):
            paths.update(v for v in value if isinstance(v, str))
    for number, arg in enumerate(args_list, start=1):
        if _is_utf8(arg) or arg in paths or any(arg.endswith("=" + p) for p in paths):
            continue
        raise UsageError(
            f"argument {number} is not UTF-8",
            what=(
                f"параметр №{number} записан не в кодировке UTF-8 (так бывает в консоли Windows "
                "со старой кодовой страницей или в скрипте, сохранённом в другой кодировке). "
                "Введите его заново: в консоли Windows сначала выполните chcp 65001, "
                "скрипт сохраните в UTF-8."
            ),
        )


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and a Russian hint instead of its English usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"omsdesktop: ошибка в параметрах: {message}\n")
        sys.stderr.write("Подсказка: omsdesktop --help\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="omsdesktop",
        description=(
            "Полис ОМС ребёнка: распознавание свидетельства о рождении и полиса, "
            "проверка и подготовка заявления. Без параметров запускает окно программы."
        ),
    )
    parser.add_argument("--version", action="version", version=f"omsdesktop {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="КОМАНДА", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command not built yet
                continue
            raise
        module.register(sub)
    return parser


def _reconfigure_stdio() -> None:
    # Windows consoles default to a legacy code page; our output is Russian and JSON.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(encoding="utf-8", errors="replace")


def _run(args_list: list[str]) -> int:
    if not args_list:
        from omsdesktop.app import run_gui

        return run_gui(build_parser())
    parser = build_parser()
    args = parser.parse_args(args_list)
    _check_encoding(args_list, args)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    return int(func(args))


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point: the only ``except Exception`` of the CLI (house style: a user never
    sees a traceback)."""
    _reconfigure_stdio()
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(args_list)
    except OmsError as exc:
        sys.stderr.write(exc.message() + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("Прервано.\n")
        return 130
    except BrokenPipeError:
        # The reader went away (``omsdesktop draft list | head -1``): nothing more to say.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        # The type only: a message or a traceback may quote OCR text or a typed value.
        command = args_list[0] if args_list and _is_utf8(args_list[0]) else "-"
        log.error("internal error in command %s: %s", command[:40], type(exc).__name__)
        sys.stderr.write(INTERNAL_ERROR_MESSAGE + "\n")
        return InternalError.exit_code


if __name__ == "__main__":
    raise SystemExit(main())

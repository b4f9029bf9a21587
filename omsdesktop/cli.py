"""Console entry point: no arguments starts the window, subcommands are the CLI.

The CLI contract (``check``, ``extract``, ``validate`` ...) is stable: testers and scripts rely
on it. Every expected failure becomes a message and an exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence

from omsdesktop import __version__
from omsdesktop.errors import OmsError

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


def main(argv: Sequence[str] | None = None) -> int:
    _reconfigure_stdio()
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        from omsdesktop.app import run_gui

        return run_gui(build_parser())
    parser = build_parser()
    args = parser.parse_args(args_list)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args))
    except OmsError as exc:
        sys.stderr.write(exc.message() + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("Прервано.\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

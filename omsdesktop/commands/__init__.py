"""CLI subcommands. Each module exposes ``register(subparsers)``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any


def emit_json(obj: Any) -> None:
    """Write one JSON object as one line on stdout (UTF-8, Cyrillic kept readable)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def terminal_progress(label: str) -> Callable[[float], None] | None:
    """A progress callback printing "label… N%" on a terminal's stderr; None when not a tty."""
    if not sys.stderr.isatty():
        return None
    last = [-1]

    def show(value: float) -> None:
        percent = int(value * 100)
        if percent != last[0]:
            last[0] = percent
            sys.stderr.write(f"\r{label}… {percent}%")
            sys.stderr.flush()

    return show

"""CLI subcommands. Each module exposes ``register(subparsers)``."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(obj: Any) -> None:
    """Write one JSON object as one line on stdout (UTF-8, Cyrillic kept readable)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()

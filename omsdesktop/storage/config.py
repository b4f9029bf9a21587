"""Where the database is and who the operator is: explicit value, environment, settings.

The settings object (``omsdesktop.settings``, written by the application layer) is read
lazily and duck-typed: ``load_settings()`` returning an object whose ``database_url``,
``operator``, ``portal_url`` attributes are strings or None. Storage works without it.
"""

from __future__ import annotations

import getpass
import importlib
import os
import socket
from typing import Any

from omsdesktop import paths

DATABASE_URL_ENV = "OMSDESKTOP_DATABASE_URL"
OPERATOR_ENV = "OMSDESKTOP_OPERATOR"


def settings_value(name: str) -> str | None:
    """A string setting from ``omsdesktop.settings`` if that module and value exist."""
    try:
        module = importlib.import_module("omsdesktop.settings")
    except ModuleNotFoundError as exc:
        if exc.name in {"omsdesktop.settings", "omsdesktop"}:
            return None
        raise
    loader: Any = getattr(module, "load_settings", None)
    if not callable(loader):
        return None
    value = getattr(loader(), name, None)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def sqlite_url(path: os.PathLike[str] | str) -> str:
    return "sqlite+pysqlite:///" + os.fspath(path)


def resolve_database_url(url: str | None = None) -> str:
    """Explicit URL, then ``OMSDESKTOP_DATABASE_URL``, then settings, then the local SQLite."""
    for candidate in (url, os.environ.get(DATABASE_URL_ENV), settings_value("database_url")):
        if candidate and candidate.strip():
            return candidate.strip()
    return sqlite_url(paths.default_database_path())


def resolve_operator(operator: str | None = None) -> str:
    """Who is working: explicit, ``OMSDESKTOP_OPERATOR``, settings, else ``user@host``."""
    for candidate in (operator, os.environ.get(OPERATOR_ENV), settings_value("operator")):
        if candidate and candidate.strip():
            return candidate.strip()[:200]
    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"[:200]

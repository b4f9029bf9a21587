"""A per-test home folder: the app's data and settings never touch the tester's profile."""

from __future__ import annotations

from pathlib import Path

import pytest

ENV_TO_CLEAR = (
    "OMSDESKTOP_DATABASE_URL",
    "OMSDESKTOP_DATA_KEY",
    "OMSDESKTOP_DATA_KEY_FILE",
    "OMSDESKTOP_OPERATOR",
    "OMSDESKTOP_PORTAL_URL",
    "OMSDESKTOP_PORTAL_TOKEN",
)
"""Settings from the environment that would point a test at a real database, key or portal."""


def isolate_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``OMSDESKTOP_HOME`` into ``tmp_path``, keyring off, clear :data:`ENV_TO_CLEAR`."""
    home = tmp_path / "home"
    monkeypatch.setenv("OMSDESKTOP_HOME", str(home))
    monkeypatch.setenv("OMSDESKTOP_KEYRING", "off")
    for name in ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    return home

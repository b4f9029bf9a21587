"""Where the database is and who the operator is: argument, environment, settings file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omsdesktop import paths
from omsdesktop.storage.config import resolve_database_url, resolve_operator, sqlite_url
from omsdesktop.storage.store import Store


def _write_settings(home: Path, **values: str) -> None:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps(values), encoding="utf-8")


def test_default_is_sqlite_in_the_per_user_data_folder(isolated_home: Path) -> None:
    assert paths.data_dir() == isolated_home / "data"
    assert paths.config_dir() == isolated_home / "config"
    assert resolve_database_url() == sqlite_url(isolated_home / "data" / "omsdesktop.sqlite3")
    with Store.open(operator="x") as store:
        store.create_draft()
    assert (isolated_home / "data" / "omsdesktop.sqlite3").exists()


def test_settings_then_environment_then_argument(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_settings = sqlite_url(tmp_path / "settings.sqlite3")
    _write_settings(isolated_home, database_url=from_settings, operator="Окно 2")
    assert resolve_database_url() == from_settings
    assert resolve_operator() == "Окно 2"
    with Store.open() as store:
        assert store.operator == "Окно 2"
        assert store.url == str(tmp_path / "settings.sqlite3")

    from_env = sqlite_url(tmp_path / "env.sqlite3")
    monkeypatch.setenv("OMSDESKTOP_DATABASE_URL", from_env)
    monkeypatch.setenv("OMSDESKTOP_OPERATOR", "Окно 5")
    assert resolve_database_url() == from_env
    assert resolve_operator() == "Окно 5"
    assert resolve_database_url("sqlite+pysqlite:///x.db") == "sqlite+pysqlite:///x.db"
    assert resolve_operator("Иванова И. И.") == "Иванова И. И."


def test_operator_defaults_to_user_at_host(isolated_home: Path) -> None:
    assert "@" in resolve_operator()

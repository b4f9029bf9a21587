"""Per-user folders of the program (platformdirs), overridable for tests.

``OMSDESKTOP_HOME`` replaces both folders with ``$OMSDESKTOP_HOME/data`` and
``$OMSDESKTOP_HOME/config``, so a test (or a portable install) never touches the user's real
profile.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "omsdesktop"
HOME_ENV = "OMSDESKTOP_HOME"


def _home_override() -> Path | None:
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser() if value else None


def data_dir(*, create: bool = True) -> Path:
    """Folder for the database, the key file fallback and other per-user data."""
    home = _home_override()
    path = (
        home / "data"
        if home is not None
        else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )
    if create:
        _make_private_dir(path)
    return path


def config_dir(*, create: bool = True) -> Path:
    """Folder for the settings file."""
    home = _home_override()
    path = (
        home / "config"
        if home is not None
        else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    )
    if create:
        _make_private_dir(path)
    return path


def default_database_path() -> Path:
    """The SQLite database used when no database URL is configured."""
    return data_dir() / "omsdesktop.sqlite3"


def key_file_path() -> Path:
    """Where the data key is kept when the OS has no keyring."""
    return data_dir() / "data.key"


def _make_private_dir(path: Path) -> None:
    existed = path.exists()
    path.mkdir(parents=True, exist_ok=True)
    if not existed and os.name == "posix":
        # Only the user may list the folder that holds the database and the key file.
        os.chmod(path, 0o700)

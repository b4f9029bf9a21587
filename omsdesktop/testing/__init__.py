"""The pytest plugin for testers (``omsdesktop_app``); registered through ``pytest11``.

Fixtures:

``omsdesktop_app``
    The real main window on a fresh SQLite database in the test's ``tmp_path``, with a home
    folder of its own (settings, data key, window geometry: nothing of the tester's profile),
    driven by an :class:`omsdesktop.ui.driver.AppDriver`: ``load_certificate(path)``,
    ``load_policy(path)``, ``wait_until_read(timeout=...)``, ``field(key)``,
    ``set_field(key, value)``, ``save_draft()``, ``submit(portal_url)``, ``status()``,
    ``sandbox_url``. The window is closed (its jobs waited for) at the end of the test.

``omsdesktop_sandbox_config``
    How the loopback training portal behaves (a :class:`~omsdesktop.portal.sandbox.SandboxConfig`;
    by default no faults, the decision at once, the first application approved). Override it in
    a ``conftest.py`` for other outcomes. The sandbox starts only when a test asks for
    ``omsdesktop_app.sandbox_url`` and stops at the end of the test.

This module is imported by every pytest run in an environment where omsdesktop is installed,
so it imports neither Qt nor the application at the top: the fixtures do, when used. It needs
pytest-qt (the ``qtbot`` fixture) only when ``omsdesktop_app`` is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from omsdesktop.portal.sandbox import SandboxConfig, SandboxServer
    from omsdesktop.ui.driver import AppDriver

__all__ = ["LazySandbox", "isolate_home"]

ENV_TO_CLEAR = (
    "OMSDESKTOP_DATABASE_URL",
    "OMSDESKTOP_DATA_KEY",
    "OMSDESKTOP_DATA_KEY_FILE",
    "OMSDESKTOP_OPERATOR",
    "OMSDESKTOP_PORTAL_URL",
    "OMSDESKTOP_PORTAL_TOKEN",
)
"""Settings from the environment that would point a test at a real database, key or portal."""


def isolate_home(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``OMSDESKTOP_HOME`` at ``folder``, the keyring off, :data:`ENV_TO_CLEAR` cleared."""
    monkeypatch.setenv("OMSDESKTOP_HOME", str(folder))
    monkeypatch.setenv("OMSDESKTOP_KEYRING", "off")
    for name in ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    return folder


class LazySandbox:
    """A loopback sandbox portal started on first use (``server``/``url``), stopped by
    :meth:`stop`. Calling the object returns the running server."""

    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        self._server: SandboxServer | None = None

    def __call__(self) -> SandboxServer:
        return self.server

    @property
    def started(self) -> bool:
        return self._server is not None

    @property
    def server(self) -> SandboxServer:
        if self._server is None:
            from omsdesktop.portal.sandbox import SandboxServer

            self._server = SandboxServer(self._config).start()
        return self._server

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()


@pytest.fixture
def omsdesktop_sandbox_config() -> SandboxConfig:
    """No faults, the portal's decision at once (seed 0: the first application approved)."""
    from omsdesktop.portal.sandbox import SandboxConfig

    return SandboxConfig(seed=0, status_delay=0)


@pytest.fixture
def omsdesktop_app(
    qtbot: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    omsdesktop_sandbox_config: SandboxConfig,
) -> Iterator[AppDriver]:
    """The real main window on a fresh database, driven like a user (see the module doc)."""
    from omsdesktop.storage.config import sqlite_url
    from omsdesktop.ui.driver import AppDriver, build_services, isolate_qsettings

    folder = tmp_path / "omsdesktop"
    isolate_home(folder / "home", monkeypatch)
    isolate_qsettings(str(folder / "qsettings"))
    services = build_services(sqlite_url(folder / "drafts.sqlite3"))
    sandbox = LazySandbox(omsdesktop_sandbox_config)
    driver = None
    try:
        driver = AppDriver.start(qtbot, services, sandbox=sandbox)
        yield driver
    finally:
        try:
            if driver is not None:
                driver.close()
        finally:
            sandbox.stop()


_LAZY = frozenset(
    {
        "AppDriver",
        "SubmissionStatus",
        "DriverError",
        "UnknownFieldError",
        "DocumentNotReadError",
        "FieldNotEditableError",
        "SaveError",
        "SubmitError",
    }
)


def __getattr__(name: str) -> Any:
    """``AppDriver``, ``SubmissionStatus`` and the driver's errors, imported on first use
    (they import Qt); any other name fails without importing anything (pytest probes plugins
    for attributes such as ``pytest_plugins``)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from omsdesktop.ui import driver

    return getattr(driver, name)

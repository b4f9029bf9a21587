"""Suite-wide rules: the two tiers of tests and the guards that keep them honest.

Two tiers
    ``pytest -m "not slow"`` runs the Qt-free logic only: no Tesseract, no subprocesses, no
    servers (the HTTP sandbox, the eSCL simulator, PostgreSQL, SANE's worker process). Plain
    ``pytest`` runs everything. A test is *slow* when

    * it lives in ``tests/ui/`` or requests ``qtbot``/``qapp`` (a QApplication);
    * it requests a fixture in :data:`SLOW_FIXTURES` (one that starts a server, a process or a
      Tesseract engine), or runs on the PostgreSQL parameter of ``db_url``;
    * its module says so (``pytestmark = pytest.mark.slow``: modules that run OCR or the CLI in
      subprocesses throughout), or the test itself is marked.

    When the run deselects slow tests, :func:`_fast_tier_guard` makes starting a process,
    opening or serving a TCP/IP socket, connecting to PostgreSQL and starting Tesseract in-process
    fail with "this test is not marked slow but ...": an unmarked slow test cannot hide in
    the fast tier, even when the code under test catches the error.

Logged warnings
    A record at WARNING or above from an ``omsdesktop`` logger fails the test that logged it,
    unless the test declared it with ``@pytest.mark.expect_log("regex", ...)`` (searched in
    the message) or by appending a regex to the ``expected_logs`` fixture. Qt's own messages
    are policed by pytest-qt (``qt_log_level_fail`` in pyproject.toml).
"""

from __future__ import annotations

import logging
import multiprocessing.process
import os
import re
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
UI_TESTS = TESTS / "ui"

QT_FIXTURES = frozenset({"qtbot", "qapp"})
"""pytest-qt fixtures that create the QApplication."""

SLOW_FIXTURES = frozenset(
    {
        "sandbox",  # the HTTP sandbox portal on loopback (tests/portal, tests/ui)
        "sandbox_url",  # the same, from the testers' plugin (omsdesktop.testing)
        "omsdesktop_app",  # the testers' plugin: the real window
        "escl_sim",  # the eSCL scanner simulator, an HTTP server (tests/scan)
        "sane",  # SANE in its out-of-process worker (tests/scan)
        "sane_config_dir",
        "pg_db_url",  # a database on the PostgreSQL server (tests/storage)
        "open_pg_store",
        "engine",  # a real Tesseract engine (the OCR modules of tests/forms and tests/ocr)
    }
)
"""Fixtures that start a server, a process or a Tesseract engine: their tests are slow."""

SLOW_PARAMS = {"db_url": "postgresql"}
"""Parametrized fixtures whose given parameter needs a server."""

UI_EXPECTED_LOGS: dict[str, tuple[str, ...]] = {}
"""Logged warnings declared for tests in tests/ui (which take no markers here), by node id."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "expect_log(*patterns): the test logs WARNING+ records from omsdesktop whose message "
        "matches one of these regexes (re.search); any other such record fails it",
    )


def is_fast_tier(config: pytest.Config) -> bool:
    """Whether this run deselects the slow tests (``-m "not slow"``)."""
    return "not slow" in (config.getoption("markexpr", "") or "")


def _slow_reason(item: pytest.Item) -> str | None:
    path = Path(str(item.path)).resolve()
    if UI_TESTS in path.parents:
        return "tests/ui"
    names = set(getattr(item, "fixturenames", ()))
    if names & QT_FIXTURES:
        return "QApplication"
    started = names & SLOW_FIXTURES
    if started:
        return "fixture " + ", ".join(sorted(started))
    params = getattr(getattr(item, "callspec", None), "params", {})
    for name, value in SLOW_PARAMS.items():
        if params.get(name) == value:
            return f"{name}[{value}]"
    return None


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("slow") is None:
            reason = _slow_reason(item)
            if reason is not None:
                item.add_marker(pytest.mark.slow(reason=reason))


# ------------------------------------------------------------------ the fast tier's guard


class NotMarkedSlowError(Exception):
    """A test in the fast tier did something only slow tests may do.

    Not an ``OSError``/``RuntimeError``, so code that handles those (a missing Tesseract,
    a refused connection) does not turn it into ordinary behaviour; and every violation is
    also recorded, so the test fails even when the code under test swallows it.
    """


_violations: list[str] = []
_violations_lock = threading.Lock()


ALLOWED_CALLERS = (os.path.join("ctypes", "util.py"),)
"""Callers that may start a process in the fast tier: ``ctypes.util.find_library`` runs
``ldconfig -p`` to look a shared library up (keyring does it on import), a lookup, not work."""


def _allowed_caller() -> bool:
    frame = sys._getframe(2)
    for _ in range(4):
        if frame is None:
            return False
        if frame.f_code.co_filename.endswith(ALLOWED_CALLERS):
            return True
        frame = frame.f_back
    return False


def _refuse(what: str, original: Callable[..., Any] | None = None) -> Callable[..., Any]:
    def _raise(*args: object, **kwargs: object) -> Any:
        if original is not None and _allowed_caller():
            return original(*args, **kwargs)
        message = (
            f"this test is not marked slow but {what}: mark it slow "
            "(@pytest.mark.slow, a module pytestmark, or a fixture in tests/conftest.py)"
        )
        where = "".join(traceback.format_stack(limit=7)[:-1])
        with _violations_lock:
            _violations.append(f"{message}\n{where}")
        raise NotMarkedSlowError(message)

    return _raise


def _refuse_inet(what: str, original: Callable[..., Any]) -> Callable[..., Any]:
    refuse = _refuse(what)

    def _guarded(self: socket.socket, *args: Any, **kwargs: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            return refuse()
        return original(self, *args, **kwargs)

    return _guarded


@pytest.fixture(scope="session", autouse=True)
def _fast_tier_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a ``-m "not slow"`` run: no processes, no network, no PostgreSQL, no Tesseract.

    Session-scoped so that module- and session-scoped fixtures are policed too.
    """
    if not is_fast_tier(request.config):
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            subprocess.Popen, "__init__", _refuse("runs a subprocess", subprocess.Popen.__init__)
        )
        mp.setattr(multiprocessing.process.BaseProcess, "start", _refuse("starts a worker process"))
        if hasattr(os, "fork"):
            mp.setattr(os, "fork", _refuse("forks a process"))
        mp.setattr(os, "posix_spawn", _refuse("spawns a process"), raising=False)
        for name in ("connect", "connect_ex"):
            original = getattr(socket.socket, name)
            mp.setattr(socket.socket, name, _refuse_inet("uses the network", original))
        mp.setattr(socket.socket, "bind", _refuse_inet("starts a server", socket.socket.bind))
        try:
            import psycopg
        except ImportError:
            pass
        else:
            refuse_pg = _refuse("connects to PostgreSQL")
            mp.setattr(psycopg, "connect", refuse_pg)
            mp.setattr(psycopg.Connection, "connect", classmethod(refuse_pg))
        try:
            import tesserocr
        except ImportError:
            pass
        else:
            mp.setattr(tesserocr, "PyTessBaseAPI", _refuse("starts Tesseract (tesserocr)"))
        yield


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    with _violations_lock:  # a violation belongs to the test whose setup/call/teardown did it
        _violations.clear()


@pytest.fixture(autouse=True)
def _fail_on_fast_tier_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if it (or a fixture it set up) broke the fast tier's rules, even when the
    code under test caught the :class:`NotMarkedSlowError`."""
    yield
    if not is_fast_tier(request.config):
        return
    with _violations_lock:
        caught = list(dict.fromkeys(_violations))
        _violations.clear()
    if caught:
        pytest.fail("\n".join(caught), pytrace=False)


# ------------------------------------------------------------------ unexpected log warnings


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def expected_logs(request: pytest.FixtureRequest) -> list[str]:
    """Regexes of WARNING+ omsdesktop log messages this test expects (append to it)."""
    patterns: list[str] = []
    for marker in request.node.iter_markers("expect_log"):
        patterns.extend(marker.args)
    patterns.extend(UI_EXPECTED_LOGS.get(request.node.nodeid, ()))
    return patterns


@pytest.fixture(autouse=True)
def _fail_on_logged_warnings(expected_logs: list[str]) -> Iterator[None]:
    """qutebrowser-style: an unexpected WARNING+ from an ``omsdesktop`` logger fails the test
    (worker threads included; checked after the test's other fixtures are torn down)."""
    logger = logging.getLogger("omsdesktop")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    unexpected = [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in handler.records
        if not any(re.search(p, r.getMessage()) for p in expected_logs)
    ]
    if unexpected:
        pytest.fail(
            "unexpected warnings logged (declare them with @pytest.mark.expect_log(regex)):\n  "
            + "\n  ".join(unexpected),
            pytrace=False,
        )

"""pytest-qt fixtures for the window: an isolated profile, generated documents, a real sandbox
portal on loopback, and a check that fails any test leaving a worker job or thread running.

Every test here is marked ``gui`` automatically.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image as PILImage

from omsdesktop.portal.client import HttpPortalClient, RetryPolicy
from omsdesktop.portal.sandbox import SandboxConfig, SandboxServer, running_sandbox
from omsdesktop.settings import Settings
from omsdesktop.storage.config import sqlite_url
from tests.docgen import degrade, generate_certificate, generate_policy
from tests.home import isolate_home

REPO = Path(__file__).resolve().parents[2]
SEED = 3  # certificate and policy of the same child; read cleanly at 300 dpi
FAST_RETRY = RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_max=0.05)


QT_NOISE = (
    r"This plugin does not support propagateSizeHints\(\)",
    r"This plugin does not support raise\(\)",
)
"""Qt messages at WARNING that say nothing about the app: the offscreen platform plugin's
notes on every shown window and on raising one (the batch dialog). Ignored here; any other
Qt warning fails the test (``qt_log_level_fail``)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)
            item.add_marker(pytest.mark.qt_log_ignore(*QT_NOISE))


# ------------------------------------------------------------------------------ isolation


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from PySide6.QtCore import QSettings

    home = isolate_home(tmp_path, monkeypatch)
    # Window geometry (QSettings) goes to the test's folder, not the user's profile.
    QSettings.setPath(
        QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings")
    )
    return home


def _omsdesktop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("omsdesktop-autosave")]


@dataclass
class LeakCheck:
    pools: list  # WorkerPool

    def check(self) -> list[str]:
        from PySide6.QtCore import QThreadPool

        problems = []
        for pool in self.pools:
            if pool.active_count:
                problems.append(f"worker jobs still running: {pool.active_names()}")
            elif pool.threads_busy():
                problems.append("worker threads still busy")
        if QThreadPool.globalInstance().activeThreadCount():
            problems.append("QThreadPool.globalInstance() still has active threads")
        alive = _omsdesktop_threads()
        if alive:
            problems.append(f"threads still alive: {[t.name for t in alive]}")
        return problems


@pytest.fixture(autouse=True)
def leak_check(qapp) -> Iterator[LeakCheck]:
    """napari-style: a test that leaves a worker job, a pool thread or an autosaver running
    fails (checked after every window the test made has been closed)."""
    checker = LeakCheck([])
    yield checker
    problems = checker.check()
    if problems:
        pytest.fail("test left work running: " + "; ".join(problems))


# ------------------------------------------------------------------------------ documents


def _save_png(image: np.ndarray, dpi: float | None, path: Path) -> Path:
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    kwargs = {"dpi": (dpi, dpi)} if dpi else {}
    PILImage.fromarray(rgb).save(path, **kwargs)
    return path


@dataclass(frozen=True)
class Documents:
    certificate: Path
    policy: Path
    blurry_certificate: Path
    unreadable: Path
    certificate_truth: dict
    policy_truth: dict


@pytest.fixture(scope="session")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Documents:
    folder = tmp_path_factory.mktemp("documents")
    cert = generate_certificate(SEED)
    policy = generate_policy(SEED)
    cert_scan, cert_info = degrade(cert, "scan300", 1)
    policy_scan, policy_info = degrade(policy, "scan300", 1)
    blurry, blurry_info = degrade(cert, "blur", 2)
    unreadable = folder / "свидетельство.jpg"  # a name with Cyrillic, content not an image
    unreadable.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    return Documents(
        certificate=_save_png(cert_scan, cert_info.dpi, folder / "свидетельство.png"),
        policy=_save_png(policy_scan, policy_info.dpi, folder / "полис.png"),
        blurry_certificate=_save_png(blurry, blurry_info.dpi, folder / "размыто.png"),
        unreadable=unreadable,
        certificate_truth=dict(cert.truth),
        policy_truth=dict(policy.truth),
    )


# ---------------------------------------------------------------------------- translations


@pytest.fixture(scope="session")
def built_translations() -> Path:
    """The compiled .qm files (built by set-up; rebuilt here when missing or stale)."""
    folder = REPO / "omsdesktop" / "resources" / "i18n"
    stale = any(
        not ts.with_suffix(".qm").exists()
        or ts.with_suffix(".qm").stat().st_mtime < ts.stat().st_mtime
        for ts in folder.glob("omsdesktop_*.ts")
    )
    if stale:
        subprocess.run(["bash", str(REPO / "scripts" / "build_translations.sh")], check=True)
    return folder


# ------------------------------------------------------------------------------ the portal


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    # seed 1: the first application comes back "needs clarification" with fields to fix;
    # status_delay 0: the decision is there at once.
    with running_sandbox(SandboxConfig(seed=1, status_delay=0)) as server:
        yield server


def fast_portal(url: str) -> HttpPortalClient:
    from omsdesktop.portal.config import resolve_token

    return HttpPortalClient(url, resolve_token(url), retry=FAST_RETRY, timeout=5.0)


# ----------------------------------------------------------------------------- the window


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return sqlite_url(tmp_path / "drafts.sqlite3")


@pytest.fixture
def make_services(db_url: str) -> Callable[..., object]:
    from omsdesktop.ui.services import Services

    def _make(portal_url: str = "http://127.0.0.1:9", **changes: object) -> Services:
        settings = Settings(database_url=db_url, portal_url=portal_url, operator="desk-1")
        services = Services(settings=settings, portal_factory=fast_portal, outbox_interval_ms=300)
        for name, value in changes.items():
            setattr(services, name, value)
        return services

    return _make


@pytest.fixture
def make_window(qtbot, leak_check: LeakCheck) -> Iterator[Callable[..., object]]:
    """Build real main windows; at the end each is closed and waited for (jobs finished)."""
    from omsdesktop.ui.main_window import MainWindow

    windows: list[MainWindow] = []

    def _make(services, *, wait_store: bool = True) -> MainWindow:
        window = MainWindow(services)
        window.resize(1366, 768)
        window.show()
        windows.append(window)
        leak_check.pools.append(window.pool)
        if wait_store:
            qtbot.waitUntil(lambda: window.store is not None, timeout=20_000)
        return window

    yield _make
    for window in windows:
        close_window(qtbot, window)


def close_window(qtbot, window) -> None:
    if not window.closed:
        window.close()
        qtbot.waitUntil(lambda: window.closed, timeout=60_000)
    window.pool.wait_threads(10_000)


def type_text(widget, text: str) -> None:
    """Type ``text`` into ``widget`` as key presses (the driver's helper, one copy)."""
    from omsdesktop.ui.driver import type_text as _type_text

    _type_text(widget, text)

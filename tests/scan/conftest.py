"""Scanner fixtures: SANE's own ``test`` backend in a private config, an eSCL simulator.

SANE tests run the real libsane through the real python-sane in the worker process. They need
libsane (Debian: libsane1, sane-utils) and python-sane; scripts/ci_sane.sh installs both and
sets OMSDESKTOP_TEST_SANE=1, and then a missing piece is a failure, not a skip. On a developer
machine without SANE they are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from omsdesktop.scan.escl_sim import EsclSimulator
from omsdesktop.scan.sane_backend import python_sane_installed, sane_backend
from omsdesktop.scan.worker import OutOfProcessBackend

SANE_REQUIRED_ENV = "OMSDESKTOP_TEST_SANE"
SYSTEM_TEST_CONF = Path("/etc/sane.d/test.conf")


def _libsane_present() -> bool:
    import ctypes.util

    return ctypes.util.find_library("sane") is not None


def require_sane() -> None:
    missing = []
    if not python_sane_installed():
        missing.append("python-sane (pip install python-sane; needs libsane-dev and gcc)")
    if not _libsane_present():
        missing.append("libsane (apt install libsane1 sane-utils)")
    if not missing:
        return
    why = "SANE test backend unavailable: " + "; ".join(missing)
    required = os.environ.get(SANE_REQUIRED_ENV, "") == "1" or os.environ.get(
        "CI", ""
    ).strip().lower() in {"1", "true", "yes"}
    if required:
        pytest.fail(why + " (source scripts/ci_sane.sh before pytest)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def sane_config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SANE config folder enabling only the ``test`` backend (fast: no USB/network probing)."""
    require_sane()
    folder = tmp_path_factory.mktemp("sane.d")
    (folder / "dll.conf").write_text("test\n", encoding="ascii")
    if SYSTEM_TEST_CONF.is_file():
        shutil.copyfile(SYSTEM_TEST_CONF, folder / "test.conf")
    else:
        (folder / "test.conf").write_text("number_of_devices 2\n", encoding="ascii")
    return folder


@pytest.fixture
def sane(sane_config_dir: Path) -> OutOfProcessBackend:
    return sane_backend(env={"SANE_CONFIG_DIR": str(sane_config_dir)}, idle_timeout_s=60)


@pytest.fixture
def escl_sim() -> Iterator[EsclSimulator]:
    with EsclSimulator() as sim:
        yield sim

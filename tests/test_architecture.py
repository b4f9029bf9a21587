"""Decisions that must exist once: one error code per failure, one cancellation error.

The package order and the absence of import cycles are import-linter contracts
(``[tool.importlinter]`` in pyproject.toml, run by ``lint-imports``); these tests cover what
an import graph cannot see. Fast: imports the Qt-free modules, no Tesseract, no Qt.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import defaultdict
from collections.abc import Iterator

import pytest

import omsdesktop
from omsdesktop.errors import CancelledError, OmsError

# The window, its composition root and the testers' plugin need Qt; __main__ runs the CLI;
# alembic's env.py runs only under alembic.
_NOT_IMPORTED = (
    "omsdesktop.__main__",
    "omsdesktop.app",
    "omsdesktop.testing",
    "omsdesktop.ui",
    "omsdesktop.storage.migrations",
)

# Codes that two classes still share, each with its reason. Do not add to this list: give a
# new failure its own code, or reuse the existing class.
_KNOWN_SHARED_CODES: set[str] = set()

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def _subclasses(cls: type[OmsError]) -> Iterator[type[OmsError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.fixture(scope="module")
def error_classes() -> list[type[OmsError]]:
    for info in pkgutil.walk_packages(omsdesktop.__path__, "omsdesktop."):
        if not info.name.startswith(_NOT_IMPORTED):
            importlib.import_module(info.name)
    return sorted(
        {c for c in _subclasses(OmsError) if c.__module__.startswith("omsdesktop.")},
        key=lambda c: (c.__module__, c.__qualname__),
    )


def test_every_error_code_belongs_to_one_class(error_classes: list[type[OmsError]]) -> None:
    owners: dict[str, list[str]] = defaultdict(list)
    for cls in error_classes:
        owners[cls.code].append(f"{cls.__module__}.{cls.__qualname__}")
    shared = {code: names for code, names in owners.items() if len(names) > 1}
    assert set(shared) <= _KNOWN_SHARED_CODES, shared


def test_one_cancelled_error(error_classes: list[type[OmsError]]) -> None:
    assert [c for c in error_classes if c.code == "cancelled"] == [CancelledError]
    # A cancellation specific to one layer (a scan) is still a CancelledError, so a front end
    # can tell "the user stopped it" from a failure with one except clause.
    for cls in error_classes:
        if "cancel" in cls.code:
            assert issubclass(cls, CancelledError), cls
            assert cls.exit_code == CancelledError.exit_code == 130, cls
    err = CancelledError()
    assert err.to_json() == {"code": "cancelled", "message": err.message("ru")}
    assert CYRILLIC.search(err.message("ru"))
    assert err.message("en") and not CYRILLIC.search(err.message("en"))

"""Nothing a document leaves behind grows without bound (issue #12, flat memory).

Each cache in the Qt-free core is bounded; the in-process Tesseract engine does not keep a
document's images after reading it; freeing memory back to the system never fails.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import numpy as np
import pytest

import omsdesktop
from omsdesktop.ocr import engine as engine_module
from omsdesktop.ocr.heap import release_free_memory

SKIPPED = ("omsdesktop.ui", "omsdesktop.app", "omsdesktop.storage.migrations")
"""Qt (the window's own), and Alembic's scripts, which run when imported."""


def _core_modules() -> list[Any]:
    modules = []
    for info in pkgutil.walk_packages(omsdesktop.__path__, "omsdesktop."):
        if info.name.startswith(SKIPPED) or info.name.endswith("__main__"):
            continue
        modules.append(importlib.import_module(info.name))
    return modules


def _cached_functions() -> list[tuple[str, Any]]:
    found = []
    for module in _core_modules():
        for name, value in vars(module).items():
            cached = callable(value) and hasattr(value, "cache_parameters")
            if cached and getattr(value, "__module__", None) == module.__name__:
                found.append((f"{module.__name__}.{name}", value))
    return found


def test_the_core_has_cached_functions_to_check() -> None:
    names = [name for name, _ in _cached_functions()]
    assert "omsdesktop.forms.names._nominatives" in names


@pytest.mark.parametrize(
    ("name", "function"), [pytest.param(n, f, id=n) for n, f in _cached_functions()]
)
def test_every_cache_is_bounded(name: str, function: Any) -> None:
    maxsize = function.cache_parameters()["maxsize"]
    takes_nothing = not inspect.signature(function.__wrapped__).parameters
    assert maxsize is not None or takes_nothing, (
        f"{name} caches one entry per distinct argument without a limit; give it a maxsize"
    )


class _FakeApi:
    """Records what the engine asks of a Tesseract API."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[str] = []
        self.fail = fail

    def __getattr__(self, name: str) -> Any:
        def call(*_args: Any) -> Any:
            self.calls.append(name)
            if name == "GetTSVText":
                if self.fail:
                    raise RuntimeError("recognition failed")
                return "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t90\tИВАНОВ\n"
            return None

        return call


def _engine_with(api: _FakeApi) -> engine_module.TesserocrEngine:
    engine = engine_module.TesserocrEngine.__new__(engine_module.TesserocrEngine)
    engine._api = lambda _lang: api  # type: ignore[method-assign]
    return engine


def test_tesseract_forgets_the_image_after_each_read() -> None:
    api = _FakeApi()
    words = _engine_with(api).read(np.full((20, 40), 255, dtype=np.uint8))
    assert [w.text for w in words] == ["ИВАНОВ"]
    assert api.calls[-1] == "Clear"


def test_tesseract_forgets_the_image_when_reading_fails() -> None:
    api = _FakeApi(fail=True)
    with pytest.raises(engine_module.OcrError):
        _engine_with(api).read(np.full((20, 40), 255, dtype=np.uint8))
    assert api.calls[-1] == "Clear"


def test_releasing_free_memory_never_fails() -> None:
    release_free_memory()
    release_free_memory()

"""User settings: one typed object, stored as JSON in the per-user config folder.

Each core module owns the dataclass of its own options (intake limits, quality thresholds,
OCR engine); :class:`Settings` only gathers them. Unknown or malformed entries in the file are
ignored (the default is used) so a hand-edited or older file never stops the app from starting.
QSettings is used only by the UI for window geometry.
"""

from __future__ import annotations

import dataclasses
import json
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import platformdirs

from omsdesktop.ocr.engine import OcrConfig
from omsdesktop.ocr.intake import IntakeLimits
from omsdesktop.ocr.quality import QualityThresholds

APP_NAME = "omsdesktop"
HOME_ENV = "OMSDESKTOP_HOME"  # overrides every per-user folder (tests, portable installs)


def config_dir() -> Path:
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    return config_dir() / "settings.json"


@dataclass(frozen=True)
class PortalSettings:
    """How this desk talks to the portal (``portal.api`` and the EPGU connection).

    Attributes:
        api: ``"contract"`` (docs/portal-api.yaml and its sandbox) or ``"epgu"`` (the state
            services portal's API for organisations: orders, a ZIP push, processing codes).
        service_code, target_code: the service and its target in the portal's catalogue. The
            public catalogue has no service for attaching an OMS policy yet: the organisation
            gets these codes when its service is registered and sets them here.
        region: the OKATO code sent with an order reservation (45000000000 is Moscow).
        proxy: an HTTP(S) proxy in front of the portal (a GOST TLS proxy, the SMEV4 agent).
        client_cert, client_key: paths of the client certificate and key for TLS, if the
            connection needs one (paths only: the files stay where the organisation keeps them).
        ca_bundle: a CA bundle to verify the portal with (GOST roots), None for the system's.
        chunk_threshold_mb: archives larger than this go by the chunked push.
    """

    api: Literal["contract", "epgu"] = "contract"
    service_code: str | None = None
    target_code: str | None = None
    region: str = "45000000000"
    proxy: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    ca_bundle: str | None = None
    chunk_threshold_mb: float = 45.0


@dataclass(frozen=True)
class Settings:
    language: Literal["ru", "en"] = "ru"
    intake: IntakeLimits = field(default_factory=IntakeLimits)
    quality: QualityThresholds = field(default_factory=QualityThresholds)
    ocr: OcrConfig = field(default_factory=OcrConfig)
    database_url: str | None = None  # None = SQLite in the per-user data folder
    portal_url: str | None = None
    portal: PortalSettings = field(default_factory=PortalSettings)
    default_scanner: str | None = None
    operator: str | None = None  # who is at this desk, for the audit log


T = TypeVar("T")


def _coerce(tp: Any, value: Any, default: Any) -> Any:
    """Return ``value`` if it fits type ``tp`` (dataclasses recursively), else ``default``."""
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _from_dict(tp, value, default) if isinstance(value, dict) else default
    origin = typing.get_origin(tp)
    if origin is Literal:
        return value if value in typing.get_args(tp) else default
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if arg is type(None) and value is None:
                return None
            if arg is not type(None):
                coerced = _coerce(arg, value, _MISSING)
                if coerced is not _MISSING:
                    return coerced
        return default
    if tp is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if tp is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if tp is bool and isinstance(value, bool):
        return value
    if tp is str and isinstance(value, str):
        return value
    return default


_MISSING: Any = object()


def _from_dict(cls: type[T], data: dict[str, Any], default: T) -> T:
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        current = getattr(default, f.name)
        if f.name in data:
            kwargs[f.name] = _coerce(hints[f.name], data[f.name], current)
        else:
            kwargs[f.name] = current
    return cls(**kwargs)


def settings_from_dict(data: dict[str, Any]) -> Settings:
    return _from_dict(Settings, data, Settings())


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file; a missing or unreadable file gives the defaults."""
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    return settings_from_dict(raw) if isinstance(raw, dict) else Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically: a crash mid-write leaves the old file intact."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps(dataclasses.asdict(settings), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    os.replace(tmp, path)

"""Data passed between the imaging stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""An image as OpenCV holds it: H x W x 3 BGR (or H x W grey), uint8."""

Severity = Literal["blocking", "warning"]


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixel coordinates of the straightened page."""

    x: int
    y: int
    width: int
    height: int

    def to_json(self) -> list[int]:
        return [self.x, self.y, self.width, self.height]


@dataclass(frozen=True, eq=False)
class Page:
    """One decoded page of an input file.

    Attributes:
        image: H x W x 3 BGR uint8, EXIF orientation already applied.
        dpi: resolution declared by the file (or used to render a PDF), if any.
        index: zero-based page number within the file.
        page_count: how many pages the file has.
        source_format: the sniffed container format ("jpeg", "png", "pdf", ...).
    """

    image: Image
    dpi: float | None
    index: int = 0
    page_count: int = 1
    source_format: str = ""


@dataclass(frozen=True)
class ProblemSpec:
    """A kind of problem: stable code plus bilingual message templates."""

    code: str
    message_ru: str
    message_en: str


@dataclass(frozen=True)
class Problem:
    """A concrete problem found in an image or a field value."""

    code: str
    severity: Severity
    message: str
    message_en: str = ""
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, spec: ProblemSpec, severity: Severity, **params: object) -> Problem:
        str_params = {k: str(v) for k, v in params.items()}
        return cls(
            code=spec.code,
            severity=severity,
            message=spec.message_ru.format(**str_params),
            message_en=spec.message_en.format(**str_params),
            params=str_params,
        )

    def text(self, lang: Literal["ru", "en"] = "ru") -> str:
        return self.message if lang == "ru" or not self.message_en else self.message_en

    def to_json(self, lang: Literal["ru", "en"] = "ru") -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.text(lang)}

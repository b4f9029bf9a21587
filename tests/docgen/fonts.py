"""Font sets for the generator: Times-like serif for training, ParaType faces held out.

Every path is a standard Debian location; `REQUIRED_APT_PACKAGES` lists the packages that
provide them so CI can install them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

REQUIRED_APT_PACKAGES: tuple[str, ...] = (
    "fonts-liberation",
    "fonts-dejavu-core",
    "fonts-dejavu-extra",
    "fonts-freefont-ttf",
    "fonts-paratype",
)

_LIB = "/usr/share/fonts/truetype/liberation"
_DJV = "/usr/share/fonts/truetype/dejavu"
_FREE = "/usr/share/fonts/truetype/freefont"
_PT = "/usr/share/fonts/truetype/paratype"


@dataclass(frozen=True)
class FontFamily:
    """One typeface: regular, bold and italic files, and the apt package of the regular."""

    name: str
    regular: str
    bold: str
    italic: str
    package: str
    serif: bool


_FAMILIES: dict[str, tuple[FontFamily, ...]] = {
    "train": (
        FontFamily(
            "Liberation Serif",
            f"{_LIB}/LiberationSerif-Regular.ttf",
            f"{_LIB}/LiberationSerif-Bold.ttf",
            f"{_LIB}/LiberationSerif-Italic.ttf",
            "fonts-liberation",
            True,
        ),
        FontFamily(
            "DejaVu Serif",
            f"{_DJV}/DejaVuSerif.ttf",
            f"{_DJV}/DejaVuSerif-Bold.ttf",
            f"{_DJV}/DejaVuSerif-Italic.ttf",
            "fonts-dejavu-core",
            True,
        ),
        FontFamily(
            "FreeSerif",
            f"{_FREE}/FreeSerif.ttf",
            f"{_FREE}/FreeSerifBold.ttf",
            f"{_FREE}/FreeSerifItalic.ttf",
            "fonts-freefont-ttf",
            True,
        ),
        FontFamily(
            "Liberation Sans",
            f"{_LIB}/LiberationSans-Regular.ttf",
            f"{_LIB}/LiberationSans-Bold.ttf",
            f"{_LIB}/LiberationSans-Italic.ttf",
            "fonts-liberation",
            False,
        ),
        FontFamily(
            "DejaVu Sans",
            f"{_DJV}/DejaVuSans.ttf",
            f"{_DJV}/DejaVuSans-Bold.ttf",
            f"{_DJV}/DejaVuSans-Oblique.ttf",
            "fonts-dejavu-core",
            False,
        ),
        FontFamily(
            "FreeSans",
            f"{_FREE}/FreeSans.ttf",
            f"{_FREE}/FreeSansBold.ttf",
            f"{_FREE}/FreeSansOblique.ttf",
            "fonts-freefont-ttf",
            False,
        ),
    ),
    "holdout": (
        FontFamily(
            "PT Serif",
            f"{_PT}/PTF55F.ttf",
            f"{_PT}/PTF75F.ttf",
            f"{_PT}/PTF56F.ttf",
            "fonts-paratype",
            True,
        ),
        FontFamily(
            "PT Serif Caption",
            f"{_PT}/PTZ55F.ttf",
            f"{_PT}/PTF75F.ttf",
            f"{_PT}/PTZ56F.ttf",
            "fonts-paratype",
            True,
        ),
        FontFamily(
            "PT Sans",
            f"{_PT}/PTS55F.ttf",
            f"{_PT}/PTS75F.ttf",
            f"{_PT}/PTS56F.ttf",
            "fonts-paratype",
            False,
        ),
        FontFamily(
            "PT Sans Caption",
            f"{_PT}/PTC55F.ttf",
            f"{_PT}/PTC75F.ttf",
            f"{_PT}/PTS56F.ttf",
            "fonts-paratype",
            False,
        ),
    ),
}

FONT_SETS: dict[str, tuple[str, ...]] = {
    name: tuple(dict.fromkeys(p for fam in fams for p in (fam.regular, fam.bold, fam.italic)))
    for name, fams in _FAMILIES.items()
}
"""Font set name -> every TTF file the set uses (regular, bold, italic)."""


class MissingFontError(RuntimeError):
    """A font file of the requested set is not installed."""


def families(font_set: str, *, serif: bool | None = None) -> tuple[FontFamily, ...]:
    """The families of a set (optionally only serif or only sans), checked to exist."""
    if font_set not in _FAMILIES:
        raise ValueError(f"unknown font set {font_set!r}; choose one of {sorted(_FAMILIES)}")
    _check_installed(font_set)
    fams = _FAMILIES[font_set]
    if serif is None:
        return fams
    return tuple(f for f in fams if f.serif == serif)


@functools.cache
def _check_installed(font_set: str) -> None:
    missing = [
        (fam.package, p)
        for fam in _FAMILIES[font_set]
        for p in (fam.regular, fam.bold, fam.italic)
        if not Path(p).is_file()
    ]
    if missing:
        files = ", ".join(p for _, p in missing)
        raise MissingFontError(
            f"font set {font_set!r} needs files that are not installed ({files}); "
            f"install them with: apt-get install {' '.join(REQUIRED_APT_PACKAGES)}"
        )


@functools.lru_cache(maxsize=512)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A cached FreeType font at a pixel size."""
    return ImageFont.truetype(path, size=max(6, int(size)))

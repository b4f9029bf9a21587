"""The unified paper OMS policy (Goznak 2011 form), read by the form's own print.

The insurer types each value ABOVE a small caption printed by Goznak (shared ``forms.md``):
surname over «фамилия», first name over «имя», patronymic over «отчество (при наличии)», the
date of birth and sex on one line over «дата рождения, пол», the PDF417 barcode, the 16-digit
number under it, and the validity date (foreign residents only) over «срок действия*». The
front carries no date of issue and no insurer.

The page is registered to the form by its captions and footnote (:mod:`template`); each value
is the text in the band right above its caption, and never a caption word: the words matched
to the form's own print are excluded, and the line below a caption belongs to the next one.
A band with no ink is an empty field (a blank form yields nothing, not guesses).
"""

from __future__ import annotations

import re

from omsdesktop.forms.fields import (
    DIGITS,
    NAME_CHARS,
    parse_date_value,
    parse_name,
    parse_single_name,
)
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.template import Anchor, FormSpec, Registration, Zone, ZoneReader
from omsdesktop.forms.validators import is_valid_enp
from omsdesktop.ocr.engine import OcrEngine
from omsdesktop.ocr.layout import PageText, beside
from omsdesktop.text import digits_only

SHEET_MM = (147.0, 207.0)

# Words of the form's fixed print, measured on the 300-dpi specimen (mm from the top left).
ANCHORS: tuple[Anchor, ...] = (
    Anchor("медицинского", 41.7, 75.3, 31.5),
    Anchor("фамилия", 41.7, 49.5, 79.9),
    Anchor("имя", 41.7, 44.9, 88.3),
    Anchor("отчество", 41.7, 49.5, 96.7),
    Anchor("наличии", 54.9, 62.9, 96.6),
    Anchor("дата", 41.5, 45.3, 105.2),
    Anchor("рождения", 46.1, 55.5, 105.0),
    Anchor("пол", 56.3, 59.3, 105.1),
    Anchor("подпись", 59.9, 67.1, 178.2),
    Anchor("застрахованного", 67.6, 82.8, 178.4),
    Anchor("лица", 83.4, 87.6, 178.2),
    Anchor("срок", 66.8, 71.0, 189.1),
    Anchor("действия", 71.4, 80.6, 188.8),
    Anchor("постоянно", 70.5, 79.9, 198.9),
    Anchor("проживающих", 80.6, 93.6, 199.2),
)

# Anchors no birth certificate prints (it has «фамилия», «имя», «отчество», «дата рождения»).
_DISTINCTIVE = frozenset(
    {
        "медицинского",
        "наличии",
        "пол",
        "подпись",
        "застрахованного",
        "лица",
        "срок",
        "действия",
        "постоянно",
        "проживающих",
    }
)

# Where each value may stand: from under the previous caption to just above its own (a printer
# may shift the whole print by a couple of millimetres either way).
ZONES: dict[str, Zone] = {
    "last_name": Zone(36.0, 69.5, 140.0, 79.0),
    "first_name": Zone(36.0, 81.2, 140.0, 87.5),
    "patronymic": Zone(36.0, 89.2, 140.0, 95.7),
    "birth_line": Zone(36.0, 97.8, 140.0, 104.1),
    "policy_number": Zone(38.0, 140.0, 112.0, 172.0),  # left of the «ОМС» logo
    "policy_expiry_date": Zone(36.0, 180.0, 135.0, 187.9),
}

# The PDF417 (50 x 11 mm, top-left at 40.5, 109.4), with room for a printer's shift and the
# symbol's quiet zone: decoding this part of the page instead of the whole costs a fraction.
BARCODE_ZONE = Zone(30.5, 103.0, 100.5, 127.0)

# Typed values are about 3 mm tall (capitals and digits); captions about 1-2 mm.
_VALUE_MIN_MM = 1.7
_CAP_MM = 3.0


FORM = FormSpec(SHEET_MM, ANCHORS, _DISTINCTIVE)
"""The unified policy as a form to register pages to."""


def register_unified(page: PageText) -> Registration | None:
    """The page registered to the unified policy's front, or None if it is not that form."""
    return FORM.register(page)


def read_unified(engine: OcrEngine, page: PageText, reg: Registration) -> dict[str, FieldValue]:
    """Every field of a unified policy's front, registered by ``reg``.

    Fields the front does not carry (series, date of issue, insurer) are returned empty and
    not for review: they are absent, not unread.
    """
    ctx = ZoneReader(
        engine, page, reg, ZONES, value_min_mm=_VALUE_MIN_MM, letter_mm=_CAP_MM, descender_mm=1.7
    )
    fields: dict[str, FieldValue] = {
        "policy_form": FieldValue(value="unified", confidence=0.97),
        "policy_series": FieldValue(value=None, confidence=1.0),
        "policy_issue_date": FieldValue(value=None, confidence=1.0),
        "insurer": FieldValue(value=None, confidence=1.0),
    }
    # Each zone is read on its own: the number and the line of birth on the second core (after
    # the barcode, which the caller decodes there), the names and the end date here. The same
    # readings, in about half the time: one core had all six.
    number = beside(
        lambda: ctx.read("policy_number", _parse_enp, "eng", DIGITS + " ", validate=is_valid_enp)
    )
    birth_line = beside(lambda: ctx.read("birth_line", _parse_birth_line, "rus", _BIRTH_LINE_CHARS))
    fields["last_name"] = ctx.read("last_name", parse_single_name, "rus", NAME_CHARS)
    fields["first_name"] = ctx.read("first_name", parse_single_name, "rus", NAME_CHARS)
    fields["patronymic"] = ctx.read("patronymic", parse_name, "rus", NAME_CHARS + " ")
    expiry = ctx.read("policy_expiry_date", _parse_date, "rus", DIGITS + ".,г ")
    fields["birth_date"], fields["sex"] = _split_birth_line(birth_line())
    fields["policy_number"] = number()
    if expiry.value is None and expiry.raw is None:
        # Nothing printed above «срок действия*»: a citizen's policy has no end date.
        expiry = FieldValue(value=None, confidence=0.95, box=expiry.box)
    fields["policy_expiry_date"] = expiry
    return fields


# --- parsers -------------------------------------------------------------------------------------

_BIRTH_LINE_CHARS = DIGITS + ".,г МЖмжM "
_SEX_RE = re.compile(r"(?:^|[\s,.])(м|ж|m|муж|жен)\W*$", re.IGNORECASE)


def _parse_date(text: str) -> str | None:
    return parse_date_value(text)


def _parse_enp(text: str) -> str | None:
    digits = digits_only(text)
    return digits if len(digits) == 16 else None


def _parse_sex(text: str) -> str | None:
    m = _SEX_RE.search(text.strip())
    if m is None:
        return None
    return "Ж" if m.group(1).lower() in ("ж", "жен") else "М"


def _parse_birth_line(text: str) -> str | None:
    """«28.02.2014 г., М» → "2014-02-28|М"; either half may be missing ("2014-02-28|")."""
    date = parse_date_value(text)
    sex = _parse_sex(text)
    if date is None and sex is None:
        return None
    return f"{date or ''}|{sex or ''}"


def _split_birth_line(line: FieldValue) -> tuple[FieldValue, FieldValue]:
    """The date of birth and the sex from the one line that holds both.

    Each half keeps the line's confidence only where the readings agree on it; a half that
    another reading disagreed on is shown for review with the other reading.
    """
    if line.value is None:
        empty = FieldValue(
            value=None, confidence=0.0, box=line.box, raw=line.raw, needs_review=True
        )
        return empty, empty
    date, _, sex = line.value.partition("|")
    others = [alt.partition("|") for alt in line.alternatives]
    out = []
    for value, index in ((date, 0), (sex, 2)):
        alternatives = tuple(sorted({o[index] for o in others if o[index] and o[index] != value}))
        confidence = line.confidence if value and not alternatives else min(line.confidence, 0.5)
        out.append(
            FieldValue(
                value=value or None,
                confidence=confidence if value else 0.0,
                box=line.box,
                raw=line.raw,
                needs_review=line.needs_review or not value or bool(alternatives),
                alternatives=alternatives,
            )
        )
    return out[0], out[1]


__all__ = ["ANCHORS", "BARCODE_ZONE", "SHEET_MM", "ZONES", "read_unified", "register_unified"]

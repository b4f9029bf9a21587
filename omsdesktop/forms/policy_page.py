"""What every policy reader shares: the printed labels, the page in hand (:class:`PolicyContext`)
and the re-read-and-decide loop.

A value found on the page pass is read again from its own region (:func:`reread_value`, by
:mod:`omsdesktop.forms.reread`); where the readings disagree, more readings at other scales break
the tie (:func:`decide_rereading`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from omsdesktop.forms.fields import REVIEW_THRESHOLD, Parser, Reading, decide, reading_of
from omsdesktop.forms.locate import LabelHit
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.reread import free_area, read_box, x_overlap
from omsdesktop.ocr.engine import PSM_LINE, OcrEngine, Word
from omsdesktop.ocr.layout import PageText
from omsdesktop.ocr.types import Box, Image

LABELS: dict[str, tuple[str, ...]] = {
    "enp": ("Единый номер полиса", "Номер полиса ОМС", "Номер полиса", "ЕНП"),
    "series": ("Серия",),
    "last_name": ("Фамилия",),
    "first_name": ("Имя",),
    "patronymic": ("Отчество",),
    "full_name": ("Ф.И.О.", "Фамилия, имя, отчество"),
    "sex": ("Пол",),
    "birth_date": ("Дата рождения",),
    "issue_date": ("Дата выдачи", "Дата выдачи полиса"),
    "expiry_date": (
        "Срок действия",
        "Срок действия полиса",
        "Срок действия до",
        "Действителен до",
        "Действительно до",
        "Дата окончания",
        "Дата окончания действия",
    ),
    "insurer": ("Страховая медицинская организация", "Страховая", "Наименование"),
}

# Labels of rows we do not read: they stop a value on the same line and are never values.
_OTHER_LABELS: tuple[str, ...] = (
    "Место рождения",
    "Форма полиса",
    "Форма изготовления полиса",
    "Форма",
    "СНИЛС",
    "Субъект Российской Федерации",
    "Гражданство",
    "ОГРН",
    "Дата",
)

ALL_LABEL_VARIANTS: tuple[str, ...] = tuple(v for vs in LABELS.values() for v in vs) + (
    _OTHER_LABELS
)


# Where the readings so far do not agree on a valid value, further readings scale the value
# to these heights in turn (at most two more calls, on the few fields that need them).
_TIEBREAK_HEIGHTS = (22.0, 34.0)


@dataclass
class PolicyContext:
    """One policy page being read: the page pass, the labels found on it and the lines a
    field has taken (so that no other field reads them again)."""

    engine: OcrEngine
    page: PageText
    image: Image  # the straightened page in colour (barcode, faint coloured print)
    hits: list[LabelHit]
    used_lines: set[int]

    def of(self, name: str) -> list[LabelHit]:
        return [h for h in self.hits if h.label in LABELS[name]]


def reread_value(
    ctx: PolicyContext,
    box: Box,
    parser: Parser,
    *,
    lang: str,
    whitelist: str | None,
    psm: int | None = None,
    height: float | None = None,
) -> Reading:
    words = read_box(
        ctx.engine,
        ctx.page.image,
        box,
        lang=lang,
        whitelist=whitelist,
        psm=psm,
        limits=free_area(ctx.page, box),
        height=height,
    )
    # The margin around the value may show a bit of a rule or a neighbour's stroke, which
    # Tesseract reads as a letter ("й ФЕДОРОВИЧ"): keep the words that lie over the value.
    words = [w for w in words if x_overlap(w.box, box) >= 0.4 * max(w.box.width, 1)]
    again = reading_of(words, parser)
    return Reading(again.text, again.value, again.confidence, box)


def read_words(
    ctx: PolicyContext,
    words: Sequence[Word],
    parser: Parser,
    *,
    lang: str,
    whitelist: str | None,
    reread: bool,
    psm: int | None = None,
) -> FieldValue:
    first = reading_of(words, parser)
    if first.box is None:
        return FieldValue(value=None, confidence=0.0, needs_review=True)
    if not reread:
        return decide([first])
    return decide_rereading(ctx, first, parser, lang=lang, whitelist=whitelist, psm=psm)


def decide_rereading(
    ctx: PolicyContext,
    first: Reading,
    parser: Parser,
    *,
    lang: str,
    whitelist: str | None,
    psm: int | None = None,
    validate: Callable[[str], bool] | None = None,
    strong: bool = False,
) -> FieldValue:
    """Re-read a value and decide; when the readings disagree, more readings break the tie.

    Further readings scale the value smaller, then larger (``_TIEBREAK_HEIGHTS``), until two
    agree on a valid value: Tesseract's mistakes at different scales are mostly different ones,
    and the page pass (at about 16 px) is the weakest of the readings.
    ``strong`` says ``validate`` is a check digit: two agreeing readings that pass it are sure.
    """
    assert first.box is not None
    second = reread_value(ctx, first.box, parser, lang=lang, whitelist=whitelist, psm=psm)
    readings = [first, second]

    def ok_value(value: str) -> bool:
        return validate is None or validate(value)

    def ok(r: Reading) -> bool:
        return r.value is not None and ok_value(r.value)

    def settled() -> bool:
        values = [r.value for r in readings if ok(r)]
        return any(values.count(v) >= 2 for v in values)

    for height in _TIEBREAK_HEIGHTS:
        if settled():
            break
        readings.append(
            reread_value(
                ctx,
                first.box,
                parser,
                lang=lang,
                whitelist=whitelist,
                psm=PSM_LINE,
                height=height,
            )
        )
    field = decide(readings, validate=validate)
    agree = sum(r.value == field.value for r in readings)
    if strong and field.value is not None and ok_value(field.value) and agree >= 2:
        # Two readings agree on a number that passes its check digit: Tesseract's own score
        # (often 0 for whitelisted reads) adds nothing to that.
        confidence = max(field.confidence, 0.9)
        field = dataclasses.replace(
            field, confidence=confidence, needs_review=confidence < REVIEW_THRESHOLD
        )
    elif field.value is not None and any(
        _drops_from(field.value, other) for other in field.alternatives
    ):
        # Another reading has letters the chosen value lacks: re-reads of one crop can all
        # drop the same letter (three of a bold «СДЮ» read «ДЮ», the page pass «СДЮ»), so the
        # majority is no proof there. (A digit more is the page pass splitting one, «3» read
        # «35», which the re-reads settle; so are readings that differ in a character or two,
        # mostly Tesseract's different mistakes at different scales.)
        field = dataclasses.replace(field, confidence=min(field.confidence, 0.6), needs_review=True)
    return field


def _drops_from(value: str, other: str) -> bool:
    """Is ``value`` ``other`` with characters left out, a letter among them?"""
    if len(value) >= len(other):
        return False
    left_out: list[str] = []
    i = 0
    for ch in other:
        if i < len(value) and value[i] == ch:
            i += 1
        else:
            left_out.append(ch)
    return i == len(value) and any(ch.isalpha() for ch in left_out)

"""The OMS policy in its five forms: unified paper, plastic card, electronic extract, old
regional policy (series + number) and temporary certificate.

Every field is located on the page pass (by its printed label, or by position on the card,
which prints no labels), re-read from its own region with settings suited to it, and decided by
:func:`omsdesktop.forms.fields.decide`. On the unified paper policy the PDF417 barcode, where it
decodes, gives the number, the names, sex, date of birth and expiry exactly: those fields come
from the barcode, and an OCR reading that disagrees is kept as an alternative with a warning.

Nothing here logs or prints: the values are a child's personal data.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from omsdesktop.forms.fields import (
    CYRILLIC,
    DATE_CHARS,
    DIGITS,
    NAME_CHARS,
    REVIEW_THRESHOLD,
    Parser,
    Reading,
    decide,
    parse_date_value,
    parse_name,
    reading_of,
)
from omsdesktop.forms.insurers import Insurer, load_insurers, match_insurer
from omsdesktop.forms.locate import (
    LabelHit,
    find_labels,
    fold_word,
    line_below,
    words_below,
    words_right_of,
)
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.normalize import fold, to_cyrillic
from omsdesktop.forms.reread import free_area, read_box, x_overlap
from omsdesktop.forms.template import Registration
from omsdesktop.forms.temporary import read_temporary, register_temporary
from omsdesktop.forms.unified import BARCODE_ZONE, read_unified, register_unified
from omsdesktop.forms.validators import is_valid_enp, normalize_name
from omsdesktop.ocr.barcode import BarcodeError, PolicyBarcode, read_policy_barcode
from omsdesktop.ocr.engine import PSM_BLOCK, PSM_LINE, PSM_SPARSE, OcrEngine, Word
from omsdesktop.ocr.layout import (
    PageText,
    darkest_channel,
    group_lines,
    read_page,
    rescale,
    union_boxes,
)
from omsdesktop.ocr.types import Box, Image, Problem, ProblemSpec
from omsdesktop.text import (
    CYRILLIC_TO_DIGIT,
    DIGIT_TO_CYRILLIC,
    LETTER_TO_DIGIT,
    digits_only,
    digits_to_cyrillic,
    same_name,
)

POLICY_FORMS: tuple[str, ...] = ("unified", "card", "electronic", "old", "temporary")

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

_ALL_LABEL_VARIANTS: tuple[str, ...] = tuple(v for vs in LABELS.values() for v in vs) + (
    _OTHER_LABELS
)

BARCODE_OCR_MISMATCH = ProblemSpec(
    "barcode_ocr_mismatch",
    "Значение взято из штрих-кода полиса: напечатанный текст распознан иначе. Штрих-код "
    "надёжнее текста, но сверьте поле с полисом.",
    "The value was taken from the policy barcode: the printed text was read differently. The "
    "barcode is more reliable than the text, but compare the field with the policy.",
)

_NO_EXPIRY = "бессрочно"
"""Parser result for an open-ended policy; turned into value None after the decision."""

_SERIES_CHARS = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ" + DIGITS + "-"
_DATE_IN_WORD_RE = re.compile(r"\d[.,]\d")
_NUMBER_SIGN_RE = re.compile(r"^(№|N[oо°º]?|Nе|Ne|Мо|No)\.?$")


# Below this list-match score an insurer is shown for review even when both readings agree:
# 0.75-0.85 is where unlisted insurers land on a listed one by accident.
_SURE_INSURER_SCORE = 0.85

# Where the readings so far do not agree on a valid value, further readings scale the value
# to these heights in turn (at most two more calls, on the few fields that need them).
_TIEBREAK_HEIGHTS = (22.0, 34.0)

# Cards are read again at about this width (a 300-dpi scan of a card is 1011 px wide).
_CARD_WORK_WIDTH = 1100

# Card proportions (ISO/IEC 7810 ID-1, 85.6 x 54 mm).
_CARD_ASPECT = (1.45, 1.75)


# --- small parsers -------------------------------------------------------------------------------


def _parse_date(text: str) -> str | None:
    """A date in digits or with the month in words; "23022022" (dots lost) as DDMMYYYY."""
    parsed = parse_date_value(text)
    if parsed is not None:
        return parsed
    digits = re.sub(r"\D", "", text)
    if len(digits) == 8 and re.fullmatch(r"[\d\s.,]+", text.strip()):
        return parse_date_value(f"{digits[:2]}.{digits[2:4]}.{digits[4:]}")
    return None


def _is_no_expiry(text: str) -> bool:
    folded = re.sub(r"[^а-яё]", "", fold(to_cyrillic(text)))
    if not folded:
        return False
    return folded.startswith("бессроч") or fuzz.ratio(folded, _NO_EXPIRY) >= 80


def _parse_expiry(text: str) -> str | None:
    if _is_no_expiry(text):
        return _NO_EXPIRY
    return _parse_date(text)


_SEX_FORMS: dict[str, str] = {
    "м": "М", "муж": "М", "мужской": "М", "мужск": "М", "m": "М",
    "ж": "Ж", "жен": "Ж", "женский": "Ж", "женск": "Ж",
}  # fmt: skip


def _parse_sex(text: str) -> str | None:
    words = [re.sub(r"[^a-zа-яё]", "", fold(w)) for w in text.split()]
    found = {_sex_of_word(w) for w in words if w} - {None}
    # A stray letter next to the value ("р Мужской") must not outvote it: one answer only.
    return found.pop() if len(found) == 1 else None


def _sex_of_word(word: str) -> str | None:
    if word in _SEX_FORMS:
        return _SEX_FORMS[word]
    key = fold(to_cyrillic(word))
    if key in _SEX_FORMS:
        return _SEX_FORMS[key]
    if len(key) >= 4:
        male = fuzz.ratio(key, "мужской")
        female = fuzz.ratio(key, "женский")
        if max(male, female) >= 70 and abs(male - female) >= 15:
            return "М" if male > female else "Ж"
    return None


def _parse_enp(text: str) -> str | None:
    digits = digits_only(text)
    return digits if 13 <= len(digits) <= 19 else None


def _digits_parser(lo: int, hi: int) -> Parser:
    def parse(text: str) -> str | None:
        digits = digits_only(text)
        return digits if lo <= len(digits) <= hi else None

    return parse


def _parse_series(text: str) -> str | None:
    """An old policy's series: capital Cyrillic letters and digits, with a space or hyphen."""
    text = to_cyrillic(text.upper())
    text = re.sub(r"\s*[\-\u2010-\u2015\u2212]\s*", "-", text)
    text = re.sub(r"[^0-9А-ЯЁ \-]", "", text)
    text = " ".join(text.split()).strip(" -")
    text = re.sub(r"[0-9А-ЯЁ]+", lambda m: _homogeneous_token(m.group(0)), text)
    return text if text and len(text) <= 10 else None


_LETTER_TO_DIGIT_TABLE = str.maketrans(LETTER_TO_DIGIT)


def _homogeneous_token(token: str) -> str:
    """A series part is letters or digits ("63 ПЕ", "ЖЖ-12"): settle look-alikes ("3Э" → "ЗЭ").

    Only where every odd character has a twin of the other kind; otherwise the token stays.
    """
    digits = [c for c in token if c.isdigit()]
    letters = [c for c in token if not c.isdigit()]
    if not digits or not letters:
        return token
    if all(c in DIGIT_TO_CYRILLIC for c in digits) and len(letters) >= len(digits):
        return digits_to_cyrillic(token)
    if all(c in CYRILLIC_TO_DIGIT for c in letters) and len(digits) >= len(letters):
        return "".join(CYRILLIC_TO_DIGIT.get(c, c) for c in token)
    return token


# --- digit runs (policy numbers) -----------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    line_index: int
    words: tuple[Word, ...]
    digits: str


def _digit_word(text: str) -> str | None:
    """The digits of a word that is a number (group), or None for dates, SNILS and words."""
    if _DATE_IN_WORD_RE.search(text) or re.search(r"\d-\d", text):
        return None
    core = text.strip("№|:;,.()[]!'\"«»")
    core = re.sub(r"^(№|N[oо°º]?)", "", core)
    # Specks read between digits ("52'7096'725381'7995").
    core = re.sub(r"[`'’‘,]", "", core)
    core = core.translate(_LETTER_TO_DIGIT_TABLE)
    if not core or not core.isdigit():
        return None
    return core


def _digit_runs(page: PageText, skip_lines: set[int]) -> list[_Run]:
    runs: list[_Run] = []
    for li, line in enumerate(page.lines):
        if li in skip_lines:
            continue
        current: list[Word] = []
        digits = ""
        for w in (*line.words, None):
            d = _digit_word(w.text) if w is not None else None
            if w is not None and d is not None:
                current.append(w)
                digits += d
                continue
            if current:
                runs.append(_Run(li, tuple(current), digits))
            current, digits = [], ""
    return runs


def _blank_serial_lines(page: PageText) -> set[int]:
    """Lines printing the blank's own serial ("Бланк № ..."): never the policy number."""
    return {i for i, line in enumerate(page.lines) if "бланк" in fold(to_cyrillic(line.text))}


# --- the reader ----------------------------------------------------------------------------------


@dataclass
class _Context:
    engine: OcrEngine
    page: PageText
    image: Image  # the straightened page in colour (barcode, faint coloured print)
    hits: list[LabelHit]
    used_lines: set[int]

    def of(self, name: str) -> list[LabelHit]:
        return [h for h in self.hits if h.label in LABELS[name]]


def read_policy(engine: OcrEngine, page: PageText, image: Image) -> dict[str, FieldValue]:
    """Read every field of an OMS policy page.

    Args:
        engine: the OCR engine for re-reads of single fields.
        page: the page pass over the straightened page.
        image: the straightened page (BGR), where the PDF417 barcode is decoded.

    Returns:
        A :class:`FieldValue` for each of ``policy_form``, ``policy_number``, ``policy_series``,
        ``last_name``, ``first_name``, ``patronymic``, ``sex``, ``birth_date``,
        ``policy_issue_date``, ``policy_expiry_date`` and ``insurer``.
    """
    hits = find_labels(page, _ALL_LABEL_VARIANTS)
    ctx = _Context(engine, page, image, hits, set())
    fields: dict[str, FieldValue] = {}

    registration = register_unified(page)
    if registration is not None and abs(registration.angle_deg) > _MAX_LEAN_DEG:
        # The straightener left the sheet leaning (a photo whose edges it did not find):
        # turn it upright by the captions' own slope and read it again.
        image = _turned(image, registration.angle_deg)
        page = read_page(engine, image)
        ctx = _Context(engine, page, image, find_labels(page, _ALL_LABEL_VARIANTS), set())
        registration = register_unified(page)
    if registration is not None:
        # The real unified form: values above Goznak's captions (forms.md), read by them.
        fields = read_unified(engine, page, registration)
        return _with_barcode(ctx, fields, image, registration)
    registration = register_temporary(page)
    if registration is not None:
        return read_temporary(engine, page, image, registration)

    form, form_conf = _form_from_text(page, ctx)
    barcode: PolicyBarcode | None = None
    barcode_problem: Problem | None = None
    if form in ("unified", "card"):
        # Only the unified paper policy carries the PDF417; decoding costs ~50 ms, so the other
        # forms (recognised by their printed titles) skip it.
        try:
            barcode = read_policy_barcode(image)
        except BarcodeError as exc:
            barcode_problem = _barcode_problem(exc)
    if barcode is not None:
        form, form_conf = "unified", 1.0

    # --- number (and series)
    if form == "old":
        series, number = _old_series_and_number(ctx)
        fields["policy_series"] = series
        fields["policy_number"] = number
    else:
        fields["policy_series"] = FieldValue(value=None, confidence=form_conf, needs_review=False)
        if form == "temporary":
            fields["policy_number"] = _temporary_number(ctx)
        else:
            enp_runs = _enp_runs(ctx)
            card = _card_confidence(page, ctx) if form == "unified" and barcode is None else 0.0
            if not enp_runs and card > 0:
                # A card whose number the page pass missed (its layout analysis sometimes drops
                # the block beside the chip): read the part above the labels again.
                page = _with_top_reread(ctx)
                ctx = _Context(engine, page, image, find_labels(page, _ALL_LABEL_VARIANTS), set())
                enp_runs = _enp_runs(ctx)
            if enp_runs and card > 0:
                form, form_conf = "card", card
            fields["policy_number"] = _enp(ctx, enp_runs, reread=barcode is None)
    if form == "unified" and barcode is None and fields["policy_number"].value is None:
        form_conf = min(form_conf, 0.6)
    fields["policy_form"] = FieldValue(
        value=form, confidence=form_conf, needs_review=form_conf < REVIEW_THRESHOLD
    )

    # --- labels the page pass misread
    wanted = ["birth_date", "issue_date"]
    if form != "card":
        wanted.append("expiry_date")
        if not ctx.of("full_name"):
            wanted += ["last_name", "first_name", "patronymic"]
    if any(not ctx.of(name) for name in wanted):
        ctx.hits.extend(_recover_labels(ctx, [n for n in wanted if not ctx.of(n)]))

    # --- names
    reread = barcode is None
    if form == "card":
        last, first, middle = _card_names(ctx, fields["policy_number"], reread)
    else:
        last, first, middle = _labelled_names(ctx, reread)
    fields["last_name"], fields["first_name"], fields["patronymic"] = last, first, middle

    # --- sex and dates
    fields["sex"] = _labelled(ctx, "sex", _parse_sex, lang="rus", reread=reread)
    fields["birth_date"] = _labelled_date(ctx, "birth_date", _parse_date, reread=reread)
    fields["policy_issue_date"] = _labelled_date(ctx, "issue_date", _parse_date, reread=True)
    fields["policy_expiry_date"] = _expiry(ctx, form, reread=reread)
    if form == "card" and not (ctx.of("birth_date") and ctx.of("issue_date")):
        fields.update(_card_value_row(ctx, fields))

    # --- insurer
    fields["insurer"] = _insurer(ctx, form, fields["policy_number"].box)

    if barcode is not None:
        fields = _apply_barcode(ctx, fields, barcode)
    elif barcode_problem is not None:
        number = fields["policy_number"]
        fields["policy_number"] = dataclasses.replace(
            number, problems=(*number.problems, barcode_problem)
        )
    return fields


# A registered page leaning more than this is turned upright and read again.
_MAX_LEAN_DEG = 0.8


def _turned(image: Image, angle_deg: float) -> Image:
    """The page turned by ``-angle_deg`` about its centre, the corners filled with white."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    border = (255, 255, 255) if image.ndim == 3 else 255
    return np.asarray(
        cv2.warpAffine(
            image,
            matrix,
            (w, h),
            flags=cv2.INTER_LINEAR,
            borderValue=border,
        ),
        dtype=np.uint8,
    )


def _barcode_problem(exc: BarcodeError) -> Problem:
    """A barcode that was found but not read: a warning on the number, the text is used."""
    return Problem(
        code=exc.code, severity="warning", message=exc.message("ru"), message_en=exc.message("en")
    )


def _with_barcode(
    ctx: _Context, fields: dict[str, FieldValue], image: Image, registration: Registration
) -> dict[str, FieldValue]:
    """The fields checked against the policy's PDF417 where it decodes (its fields are exact)."""
    try:
        barcode = _registered_barcode(image, registration)
    except BarcodeError as exc:
        number = fields["policy_number"]
        problems = (*number.problems, _barcode_problem(exc))
        fields["policy_number"] = dataclasses.replace(number, problems=problems)
        return fields
    if barcode is None:
        return fields
    return _apply_barcode(ctx, fields, barcode)


def _registered_barcode(image: Image, registration: Registration) -> PolicyBarcode | None:
    """The PDF417 decoded from its place on the registered form, else from the whole page.

    The symbol's place is known once the page is registered; zxing then searches a strip a
    tenth of the page's size. Where the strip holds no readable symbol (a printer's odd
    shift, a registration a few millimetres off), the whole page is searched as before.
    """
    zone = registration.box(BARCODE_ZONE, image.shape)
    if zone.width > 0 and zone.height > 0:
        strip = image[zone.y : zone.y + zone.height, zone.x : zone.x + zone.width]
        try:
            found = read_policy_barcode(strip)
        except BarcodeError:
            found = None
        if found is not None:
            b = found.box
            shifted = Box(b.x + zone.x, b.y + zone.y, b.width, b.height)
            return dataclasses.replace(found, box=shifted)
    return read_policy_barcode(image)


# --- form ----------------------------------------------------------------------------------------


def _line_matches(page: PageText, phrase: str, threshold: float = 85.0) -> bool:
    target = fold(phrase)
    for line in page.lines:
        text = fold(to_cyrillic(line.text))
        if target in text:
            return True
        # partial_ratio slides the shorter string over the longer: a short line of noise
        # ("е") would match inside the phrase, so the line must be about as long.
        if len(text) >= 0.8 * len(target) and fuzz.partial_ratio(target, text) >= threshold:
            return True
    return False


def _form_from_text(page: PageText, ctx: _Context) -> tuple[str, float]:
    """The form by the titles printed on it; "unified" when none is found (refined later)."""
    if _line_matches(page, "временное свидетельство"):
        return "temporary", 0.97
    if _line_matches(page, "застрахованных лиц") and _line_matches(page, "выписка", 90.0):
        return "electronic", 0.97
    for hit in ctx.of("series"):
        right = [w for w in words_right_of(page, hit, ()) if fold_word(w.text)]
        if right and any(re.search(r"\d", w.text) for w in right):
            return "old", 0.95
    return "unified", 0.85


def _card_confidence(page: PageText, ctx: _Context) -> float:
    """How sure the page is a plastic card (0 = not a card).

    A card prints no name labels (a unified policy and the other forms always do). Without
    card proportions (85.6 x 54 mm, landscape) that may also be a sheet whose labels did not
    read (a poor photo, a bad crop), so the guess is then shown for review.
    """
    if ctx.of("last_name") or ctx.of("full_name") or ctx.of("first_name"):
        return 0.0
    h, w = page.image.shape[:2]
    aspect = w / max(h, 1)
    return 0.92 if _CARD_ASPECT[0] <= aspect <= _CARD_ASPECT[1] else 0.7


def _read_top_band(ctx: _Context, bottom: int, psm: int) -> list[Word]:
    """Words of the page above ``bottom``, read from the darkest channel of the colour image.

    Small coloured print (a card's insurer) survives the darkest channel where the cleaned
    page fades it.
    """
    if bottom < 20:
        return []
    region = ctx.image[:bottom]
    grey = darkest_channel(region)
    # Photos are brought down, low-resolution scans (a 200-dpi card) up, to about the size
    # of a 300-dpi card scan, where the small print is tall enough to read.
    work, f = rescale(
        np.ascontiguousarray(grey, dtype=np.uint8),
        min(2.0, _CARD_WORK_WIDTH / max(grey.shape[1], 1)),
    )
    return [
        Word(
            w.text,
            w.confidence,
            Box(
                int(w.box.x / f), int(w.box.y / f), round(w.box.width / f), round(w.box.height / f)
            ),
            w.line_key,
        )
        for w in ctx.engine.read(work, lang="rus", psm=psm)
    ]


def _with_top_reread(ctx: _Context) -> PageText:
    """The page with everything above its first label row read again as one block."""
    page = ctx.page
    row_labels = LABELS["birth_date"] + LABELS["issue_date"] + LABELS["sex"]
    label_rows = sorted({page.lines[h.line_index].box.y for h in ctx.hits if h.label in row_labels})
    bottom = label_rows[0] if label_rows else page.image.shape[0] // 2
    words = _read_top_band(ctx, bottom, PSM_BLOCK)
    if not words:
        return page
    kept = [ln for ln in page.lines if ln.box.y + ln.box.height / 2 >= bottom]
    lines = group_lines(words) + kept
    lines.sort(key=lambda ln: (ln.box.y, ln.box.x))
    return PageText(lines=tuple(lines), image=page.image, scale=page.scale)


# --- numbers -------------------------------------------------------------------------------------


def _enp_runs(ctx: _Context) -> list[_Run]:
    """Digit runs that may be the 16-digit ENP, best first."""
    runs = [
        r for r in _digit_runs(ctx.page, _blank_serial_lines(ctx.page)) if 13 <= len(r.digits) <= 19
    ]
    label_lines = {h.line_index for h in ctx.of("enp")}

    def rank(r: _Run) -> tuple[int, int, int, int]:
        return (
            0 if len(r.digits) == 16 else 1,
            0 if is_valid_enp(r.digits) else 1,
            0 if r.line_index in label_lines else 1,
            r.line_index,
        )

    return sorted(runs, key=rank)


def printed_enp(page: PageText) -> str | None:
    """A 16-digit number with a valid ENP check digit printed on the page, if any.

    For classification: only a policy prints one (the blank serial has 11 digits), and a
    card's title, white on a coloured band, often does not survive the page pass.
    """
    for run in _digit_runs(page, _blank_serial_lines(page)):
        if len(run.digits) == 16 and is_valid_enp(run.digits):
            return run.digits
    return None


def _enp(ctx: _Context, runs: list[_Run], *, reread: bool) -> FieldValue:
    if not runs:
        return FieldValue(value=None, confidence=0.0, needs_review=True)
    run = runs[0]
    ctx.used_lines.add(run.line_index)
    first = reading_of(run.words, _parse_enp)
    if reread and first.box is not None:
        field = _decide_rereading(
            ctx,
            first,
            _parse_enp,
            lang="eng",
            whitelist=DIGITS + " ",
            validate=is_valid_enp,
            strong=True,
        )
    else:
        field = decide([first], validate=is_valid_enp)
    if field.value is not None and len(field.value) != 16:
        field = dataclasses.replace(field, confidence=min(field.confidence, 0.3), needs_review=True)
    return field


def _temporary_number(ctx: _Context) -> FieldValue:
    """Nine digits (sometimes printed 3 + 6) after "№" under the title."""
    runs = [
        r for r in _digit_runs(ctx.page, _blank_serial_lines(ctx.page)) if 7 <= len(r.digits) <= 11
    ]
    if not runs:
        return FieldValue(value=None, confidence=0.0, needs_review=True)

    def rank(r: _Run) -> tuple[int, int, int]:
        line = ctx.page.lines[r.line_index]
        has_sign = any(_NUMBER_SIGN_RE.match(w.text) or w.text.startswith("№") for w in line.words)
        return (0 if len(r.digits) == 9 else 1, 0 if has_sign else 1, r.line_index)

    run = sorted(runs, key=rank)[0]
    ctx.used_lines.add(run.line_index)
    parser = _digits_parser(7, 11)
    first = reading_of(run.words, parser)
    assert first.box is not None
    return _decide_rereading(
        ctx, first, parser, lang="eng", whitelist=DIGITS + " ", validate=lambda v: len(v) == 9
    )


def _old_series_and_number(ctx: _Context) -> tuple[FieldValue, FieldValue]:
    """ "Серия <series> № <number>" on one line."""
    empty = FieldValue(value=None, confidence=0.0, needs_review=True)
    hits = ctx.of("series")
    if not hits:
        return empty, empty
    hit = hits[0]
    ctx.used_lines.add(hit.line_index)
    right = [w for w in words_right_of(ctx.page, hit, ()) if fold_word(w.text)]
    sign = next((i for i, w in enumerate(right) if _NUMBER_SIGN_RE.match(w.text)), None)
    if sign is not None:
        series_words, number_words = right[:sign], right[sign + 1 :]
    else:
        # "№" not read: split at the widest gap (the printed "№" sits in it).
        gaps = [
            right[i + 1].box.x - (right[i].box.x + right[i].box.width)
            for i in range(len(right) - 1)
        ]
        if not gaps:
            series_words, number_words = [], right
        else:
            cut = max(range(len(gaps)), key=lambda i: gaps[i]) + 1
            series_words, number_words = right[:cut], right[cut:]
    # A "№" glued to the number ("№694945").
    number_words = [w for w in number_words if re.search(r"\d", w.text)]
    number_parser = _digits_parser(1, 20)
    number = empty
    if number_words:
        first = reading_of(number_words, number_parser)
        assert first.box is not None
        number = _decide_rereading(ctx, first, number_parser, lang="eng", whitelist=DIGITS)
    series = empty
    if series_words:
        first = reading_of(series_words, _parse_series)
        assert first.box is not None
        # A series of digits only ("6165") reads better with the English model.
        letters = re.search(r"[^\d\s\-]", first.text) is not None
        series = _decide_rereading(
            ctx,
            first,
            _parse_series,
            lang="rus" if letters else "eng",
            whitelist=(_SERIES_CHARS if letters else DIGITS + "-") + " ",
        )
        if series.value is not None and series.box is not None:
            settled = _settle_lookalikes(series.value, ctx.page.image, series.box)
            if settled != series.value:
                series = dataclasses.replace(
                    series,
                    value=settled,
                    alternatives=tuple(sorted({*series.alternatives, series.value} - {settled})),
                )
    return series, number


def _settle_lookalikes(text: str, grey: Image, box: Box) -> str:
    """Tell "П" from "И" and "Т" from "Г" by shape, where Tesseract confuses bold serif
    capitals ("БТП" read "БТИ", "АТ" read "АГ").

    A "П" has a bar across its top, an "И" two stems there with a gap between them; a "Т"
    stands on a stem in its middle, a "Г" on one at its left. Only where the letters of the
    reading and the glyphs in the box pair up one to one.
    """
    if not re.search("[ПИТГ]", text):
        return text
    ih, iw = grey.shape[:2]
    y0, y1 = max(0, box.y - 2), min(ih, box.y + box.height + 2)
    x0, x1 = max(0, box.x - 2), min(iw, box.x + box.width + 2)
    region = grey[y0:y1, x0:x1]
    if region.size == 0:
        return text
    _, binary = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if n < 2:
        return text
    tallest = int(stats[1:, cv2.CC_STAT_HEIGHT].max())
    glyphs = sorted(
        (i for i in range(1, n) if stats[i, cv2.CC_STAT_HEIGHT] >= 0.6 * tallest),
        key=lambda i: int(stats[i, cv2.CC_STAT_LEFT]),
    )
    chars = [c for c in text if c not in " -"]
    if len(glyphs) != len(chars):
        return text
    settled = iter(
        _pi_by_shape(labels == i, stats[i])
        if ch in "ПИ"
        else _tg_by_shape(labels == i, stats[i])
        if ch in "ТГ"
        else ch
        for ch, i in zip(chars, glyphs, strict=True)
    )
    return "".join(c if c in " -" else next(settled) for c in text)


def _pi_by_shape(mask: npt.NDArray[np.bool_], stat: npt.NDArray[np.int32]) -> str:
    left, top, w, h = (int(v) for v in stat[:4])
    glyph = mask[top : top + h, left : left + w]
    band = glyph[: max(2, h // 8)]
    covered = float(band.any(axis=0).mean())
    # On the generated corpus a "П" covers its top band fully, an "И" (serifs on two stems)
    # 0.86-0.92 of it.
    return "П" if covered >= 0.96 else "И"


def _tg_by_shape(mask: npt.NDArray[np.bool_], stat: npt.NDArray[np.int32]) -> str:
    left, top, w, h = (int(v) for v in stat[:4])
    lower = mask[top + h // 2 : top + h, left : left + w]
    columns = lower.sum(axis=0).astype(np.float64)
    if columns.sum() == 0:
        return "Г"
    centre = float((columns * np.arange(w)).sum() / columns.sum()) / max(w - 1, 1)
    # The stem's centre across the glyph: about 0.5 for "Т", under 0.35 for "Г".
    return "Т" if centre >= 0.4 else "Г"


# --- labelled values -----------------------------------------------------------------------------


def _reread(
    ctx: _Context,
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


def _row_words(ctx: _Context, hit: LabelHit) -> list[Word]:
    """The words to the right of a label on its row, up to the next label on that row.

    Goes by position, not by the page pass's lines: a table whose rows sit close together is
    sometimes read as one line holding two labels and two values.
    """
    page = ctx.page
    label = hit.box(page)

    def same_row(b: Box) -> bool:
        overlap = min(label.y + label.height, b.y + b.height) - max(label.y, b.y)
        return overlap >= 0.5 * min(label.height, b.height)

    label_words = {id(w) for h in ctx.hits for w in page.lines[h.line_index].words[h.start : h.end]}
    stops = [
        h.box(page).x
        for h in ctx.hits
        if h is not hit and h.box(page).x > label.x + label.width / 2 and same_row(h.box(page))
    ]
    x_end = min(stops) if stops else page.image.shape[1]
    words = [
        w
        for w in page.words
        if id(w) not in label_words
        and w.box.x >= label.x + label.width - 0.5 * label.height
        and w.box.x < x_end
        and same_row(w.box)
        and fold_word(w.text)
    ]
    words.sort(key=lambda w: w.box.x)
    # A value is one run of words: what follows a wide gap is another column or noise (the
    # edge of a QR code beside the table).
    for k in range(1, len(words)):
        gap = words[k].box.x - (words[k - 1].box.x + words[k - 1].box.width)
        if gap > 3 * max(words[k - 1].box.height, label.height):
            return words[:k]
    return words


def _value_words(ctx: _Context, hit: LabelHit) -> list[Word]:
    """A label's value: to its right; on a row of labels (cards), the words below it."""
    right = _row_words(ctx, hit)
    if right:
        return right
    below_index = line_below(ctx.page, hit.line_index)
    if below_index is None or any(h.line_index == below_index for h in ctx.hits):
        return []
    return [w for w in words_below(ctx.page, hit, ctx.hits) if fold_word(w.text)]


def _line_of(ctx: _Context, words: Sequence[Word]) -> int | None:
    if not words:
        return None
    return next((i for i, ln in enumerate(ctx.page.lines) if words[0] in ln.words), None)


def _read(
    ctx: _Context,
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
    return _decide_rereading(ctx, first, parser, lang=lang, whitelist=whitelist, psm=psm)


def _decide_rereading(
    ctx: _Context,
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
    second = _reread(ctx, first.box, parser, lang=lang, whitelist=whitelist, psm=psm)
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
            _reread(
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
    return field


def _labelled(
    ctx: _Context,
    name: str,
    parser: Parser,
    *,
    lang: str,
    whitelist: str | None = None,
    reread: bool = True,
    psm: int | None = None,
) -> FieldValue:
    for hit in ctx.of(name):
        words = _value_words(ctx, hit)
        if not words:
            continue
        field = _read(ctx, words, parser, lang=lang, whitelist=whitelist, reread=reread, psm=psm)
        if field.value is not None:
            index = _line_of(ctx, words)
            if index is not None:
                ctx.used_lines.add(index)
            return field
    return FieldValue(value=None, confidence=0.0, needs_review=True)


def _recover_labels(ctx: _Context, names: Sequence[str]) -> list[LabelHit]:
    """Find labels the page pass misread ("о ыачи" for "Дата выдачи") by reading them again.

    Looks at lines that carry no known label but split into words and a value: before the
    first word with digits (a date), or at a wide gap (the label column and the value column).
    The words before the value are re-read and matched against the missing labels.
    """
    page = ctx.page
    labelled = {h.line_index for h in ctx.hits}
    found: list[LabelHit] = []
    missing = set(names)
    for i, line in enumerate(page.lines):
        if not missing:
            break
        if i in labelled or i in ctx.used_lines:
            continue
        start = _value_start(line.words)
        if not start:
            continue
        box = union_boxes([w.box for w in line.words[:start]])
        words = read_box(ctx.engine, page.image, box, lang="rus", limits=free_area(page, box))
        text = fold_word("".join(w.text for w in words))
        best: tuple[float, str, str] = (0.0, "", "")
        for name in missing:
            for variant in LABELS[name]:
                score = fuzz.ratio(text, fold_word(variant.replace(" ", "")))
                if score > best[0]:
                    best = (score, name, variant)
        if best[0] >= 80:
            found.append(LabelHit(i, 0, start, best[0], best[2]))
            missing.discard(best[1])
    return found


def _value_start(words: Sequence[Word]) -> int | None:
    """Where the value starts in a label-and-value line: at a date, or after the widest gap."""
    start = next((k for k, w in enumerate(words) if re.search(r"\d", w.text)), None)
    if start:
        return start
    if len(words) < 2:
        return None
    gaps = [
        words[k + 1].box.x - (words[k].box.x + words[k].box.width) for k in range(len(words) - 1)
    ]
    k = max(range(len(gaps)), key=lambda j: gaps[j])
    height = float(np.median([w.box.height for w in words]))
    return k + 1 if gaps[k] >= 1.2 * height else None


def _date_reading(words: Sequence[Word]) -> tuple[str, str | None]:
    """Language and whitelist to re-read a date with.

    Digits only ("05.07.2019"): the English model with digits and dots. The month in words
    ("«03» мая 2024 г."): Russian and English together, since the Russian model alone reads the
    day in quotes as "05" now and then. A word only («бессрочно»): Russian.
    """
    letters = any(re.search(r"[А-Яа-яЁё]{3}", w.text) for w in words)
    digits = any(re.search(r"\d", w.text) for w in words)
    if letters and digits:
        return "rus+eng", None
    if letters:
        return "rus", None
    return "eng", DATE_CHARS


def _labelled_date(ctx: _Context, name: str, parser: Parser, *, reread: bool) -> FieldValue:
    for hit in ctx.of(name):
        words = _value_words(ctx, hit)
        if not words:
            continue
        lang, whitelist = _date_reading(words)
        field = _read(ctx, words, parser, lang=lang, whitelist=whitelist, reread=reread)
        if field.value is not None:
            return field
    return FieldValue(value=None, confidence=0.0, needs_review=True)


def _expiry(ctx: _Context, form: str, *, reread: bool) -> FieldValue:
    if not ctx.of("expiry_date") and form == "card":
        # Cards print no validity: the policy is open-ended.
        return FieldValue(value=None, confidence=0.9, needs_review=False)
    field = FieldValue(value=None, confidence=0.0, needs_review=True)
    for hit in ctx.of("expiry_date"):
        words = _value_words(ctx, hit)
        if not words:
            continue
        lang, whitelist = _date_reading(words)
        field = _read(ctx, words, _parse_expiry, lang=lang, whitelist=whitelist, reread=reread)
        if field.value is not None:
            break
    if field.value == _NO_EXPIRY:
        return dataclasses.replace(
            field,
            value=None,
            alternatives=tuple(a for a in field.alternatives if a != _NO_EXPIRY),
        )
    if _NO_EXPIRY in field.alternatives:
        # One reading says «бессрочно», another a date: ask.
        return dataclasses.replace(
            field,
            alternatives=tuple(a for a in field.alternatives if a != _NO_EXPIRY),
            confidence=min(field.confidence, 0.5),
            needs_review=True,
        )
    return field


# --- names ---------------------------------------------------------------------------------------


def _name_words(words: Sequence[Word]) -> list[Word]:
    return [w for w in words if re.search(r"[А-ЯЁа-яёA-Za-z]", w.text)]


def _read_name(ctx: _Context, words: Sequence[Word], reread: bool) -> FieldValue:
    field = _read(
        ctx, _name_words(words), parse_name, lang="rus", whitelist=NAME_CHARS, reread=reread
    )
    if field.value is None or field.box is None or not re.search("[еЕиИ]", field.value):
        return field
    diaereses, breves = diacritic_marks(ctx.page.image, field.box)
    restored = _restore_marks(field.value, field.box, diaereses, "еЕ", "ёЁ")
    restored = _restore_marks(restored, field.box, breves, "иИ", "йЙ")
    if restored == field.value:
        return field
    return dataclasses.replace(
        field, value=restored, alternatives=tuple(sorted({*field.alternatives, field.value}))
    )


def _restore_marks(value: str, box: Box, marks: Sequence[float], plain: str, marked: str) -> str:
    """Put back a mark Tesseract dropped: each one over the word turns one letter of ``plain``
    ("е", "и") into its twin in ``marked`` ("ё", "й").

    The letter is placed by its share of the word's width; only a letter within about one
    letter of the mark is changed, so a stray speck cannot change another letter.
    """
    if not marks or not value:
        return value
    chars = list(value)
    step = box.width / len(chars)
    for x in marks:
        best: int | None = None
        best_dist = 1.2 * step
        for i, ch in enumerate(chars):
            if ch not in plain and ch not in marked:
                continue
            dist = abs(box.x + (i + 0.5) * step - x)
            if dist <= best_dist:
                best, best_dist = i, dist
        # The nearest candidate may already carry the mark ("Георгий"): nothing to restore.
        if best is not None and chars[best] in plain:
            chars[best] = marked[plain.index(chars[best])]
    return "".join(chars)


def diacritic_marks(grey: Image, box: Box) -> tuple[list[float], list[float]]:
    """x centres (page coordinates) of diaereses and breves printed over the word in ``box``.

    Tesseract's Russian model often drops the dots of "ё"/"Ё" ("Фёдорович", "Артём") and now
    and then the breve of "й" ("Георгий" read "Георгии"). A diaeresis is two small solid marks
    of one size side by side just above the tops of the letters; a breve is one flat arc there.

    Returns:
        (diaeresis centres, breve centres).
    """
    h = max(box.height, 1)
    ih, iw = grey.shape[:2]
    y0, y1 = max(0, box.y - int(0.6 * h)), min(ih, box.y + h + 2)
    x0, x1 = max(0, box.x - 2), min(iw, box.x + box.width + 2)
    region = grey[y0:y1, x0:x1]
    if region.size == 0:
        return [], []
    _, binary = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if n < 3:
        return [], []
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    is_letter = heights >= 0.45 * heights.max()
    top = float(np.median(stats[1:, cv2.CC_STAT_TOP][is_letter]))
    letter_h = float(np.median(heights[is_letter]))
    dots: list[tuple[float, float, int, int]] = []
    breves: list[float] = []
    for i in range(1, n):
        left, t, w, hh, area = (int(v) for v in stats[i])
        if t <= 0 or left <= 0 or left + w >= region.shape[1]:
            continue  # cut by the crop: a piece of the line above or of a neighbour
        if not top - 0.6 * letter_h <= t + hh <= top + 0.08 * letter_h:
            continue  # not just above the letters
        if 2 <= w <= 0.3 * letter_h and 2 <= hh <= 0.3 * letter_h and area >= 0.45 * w * hh:
            dots.append((left + w / 2, t + hh / 2, w, hh))
        elif (
            0.25 * letter_h <= w <= 0.9 * letter_h
            and 2 <= hh <= 0.4 * letter_h
            and w >= 1.4 * hh
            and area <= 0.8 * w * hh
        ):
            breves.append(x0 + left + w / 2)
    dots.sort()
    diaereses: list[float] = []
    used: set[int] = set()
    for a in range(len(dots)):
        for b in range(a + 1, len(dots)):
            if a in used or b in used:
                continue
            xa, ya, wa, ha = dots[a]
            xb, yb, wb, hb = dots[b]
            gap = xb - xa - (wa + wb) / 2
            if abs(ya - yb) > 0.6 * max(ha, hb):
                continue
            if not 0.2 * max(wa, wb) <= gap <= 4 * max(wa, wb):
                continue
            if max(wa * ha, wb * hb) > 2.5 * min(wa * ha, wb * hb):
                continue
            diaereses.append(x0 + (xa + xb) / 2)
            used.update((a, b))
    return diaereses, breves


def _labelled_names(ctx: _Context, reread: bool) -> tuple[FieldValue, FieldValue, FieldValue]:
    empty = FieldValue(value=None, confidence=0.0, needs_review=True)

    def words_of(name: str) -> list[Word]:
        for hit in ctx.of(name):
            words = _name_words(_value_words(ctx, hit))
            if words:
                index = _line_of(ctx, words)
                if index is not None:
                    ctx.used_lines.add(index)
                return words
        return []

    if not ctx.of("full_name"):
        return (
            _read_name(ctx, words_of("last_name"), reread),
            _read_name(ctx, words_of("first_name"), reread),
            _read_name(ctx, words_of("patronymic"), reread),
        )
    # "Ф.И.О." on one line: surname, name, patronymic.
    full = words_of("full_name")
    if not full:
        return empty, empty, empty
    last = _read_name(ctx, full[:1], reread)
    first = _read_name(ctx, full[1:2], reread) if len(full) > 1 else empty
    middle = _read_name(ctx, full[2:], reread) if len(full) > 2 else empty
    return last, first, middle


def _card_value_row(ctx: _Context, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """A card whose small label row did not read: its row of values still says what it holds.

    Below the names a card prints the date of birth, sex and the date of issue in one row; the
    earlier date is the birth (a policy is issued after it), the word between them the sex.
    Values found this way are capped below certainty for their position-based reading.
    """
    out: dict[str, FieldValue] = {}
    for index in range(len(ctx.page.lines) - 1, -1, -1):
        if index in ctx.used_lines:
            continue
        words = list(ctx.page.lines[index].words)
        dated = [(w, _parse_date(w.text)) for w in words if _DATE_IN_WORD_RE.search(w.text)]
        if len(dated) != 2 or any(d is None for _, d in dated):
            continue
        (w1, _), (w2, _) = sorted(dated, key=lambda p: p[1] or "")
        for name, word in (("birth_date", w1), ("policy_issue_date", w2)):
            if fields[name].value is None:
                read = _read(
                    ctx, [word], _parse_date, lang="eng", whitelist=DATE_CHARS, reread=True
                )
                out[name] = _capped(read)
        between = [w for w in words if w not in (w1, w2) and not re.search(r"\d", w.text)]
        if fields["sex"].value is None and between:
            out["sex"] = _capped(
                _read(ctx, between, _parse_sex, lang="rus", whitelist=None, reread=True)
            )
        ctx.used_lines.add(index)
        break
    return out


def _capped(field: FieldValue, cap: float = 0.85) -> FieldValue:
    if field.confidence <= cap:
        return field
    return dataclasses.replace(field, confidence=cap, needs_review=cap < REVIEW_THRESHOLD)


def _card_names(
    ctx: _Context, number: FieldValue, reread: bool
) -> tuple[FieldValue, FieldValue, FieldValue]:
    """Cards print no labels: the surname under the number, then "ИМЯ ОТЧЕСТВО"."""
    empty = FieldValue(value=None, confidence=0.0, needs_review=True)
    anchor: int | None = None
    if number.box is not None:
        centre = number.box.y + number.box.height / 2
        anchor = next(
            (
                i
                for i, ln in enumerate(ctx.page.lines)
                if ln.box.y <= centre <= ln.box.y + ln.box.height
            ),
            None,
        )
    if anchor is None:
        return empty, empty, empty
    name_lines: list[int] = []
    index: int | None = anchor
    while len(name_lines) < 2:
        index = line_below(ctx.page, index) if index is not None else None
        if index is None:
            break
        words = _name_words(ctx.page.lines[index].words)
        if not words or any(h.line_index == index for h in ctx.hits):
            break
        if any(re.search(r"\d", w.text) for w in ctx.page.lines[index].words):
            break
        name_lines.append(index)
    if not name_lines:
        return empty, empty, empty
    ctx.used_lines.update(name_lines)
    last_words = _name_words(ctx.page.lines[name_lines[0]].words)
    rest = _name_words(ctx.page.lines[name_lines[1]].words) if len(name_lines) > 1 else []
    return (
        _read_name(ctx, last_words, reread),
        _read_name(ctx, rest[:1], reread) if rest else empty,
        _read_name(ctx, rest[1:], reread) if len(rest) > 1 else empty,
    )


# --- insurer -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _one_row_per_insurer() -> tuple[Insurer, ...]:
    """The list with one row per insurer: every row of one insurer scores the same."""
    seen: set[str] = set()
    rows = []
    for insurer in load_insurers():
        if insurer.short_name in seen:
            continue
        seen.add(insurer.short_name)
        rows.append(insurer)
    return tuple(rows)


def _insurer_match(text: str) -> tuple[Insurer | None, float]:
    """Match text to the list, guarded against matches made of generic words and noise.

    ``match_insurer`` scores windows that mix generic words with others, so noise next to
    "страхования" can come close to a brand that contains that word ("АльфаСтрахование"). The
    distinctive words of the text alone must name the same insurer.
    """
    rows = _one_row_per_insurer()
    insurer, score = match_insurer(text, insurers=rows)
    if insurer is None:
        return None, score
    distinctive = Insurer(None, text, text, None, None).brand
    if not distinctive:
        return None, 0.0
    check, check_score = match_insurer(distinctive, insurers=rows)
    if check is None or check.short_name != insurer.short_name:
        return None, min(score, check_score)
    return insurer, min(score, check_score)


@dataclass(frozen=True)
class _Candidate:
    text: str
    boxes: tuple[Box, ...]
    near_label: bool


def _page_insurer_candidates(ctx: _Context) -> list[_Candidate]:
    """Lines and pairs of adjacent lines that are not the child's names."""
    page = ctx.page
    label_lines = {h.line_index for h in ctx.of("insurer")}
    name_labels = LABELS["last_name"] + LABELS["first_name"] + LABELS["patronymic"]
    # Lines of the names are left out (a surname can look like a brand). Lines another field
    # took are not: a table row prints the insurer beside its OGRN and a date.
    excluded = {h.line_index for h in ctx.hits if h.label in name_labels + LABELS["full_name"]}
    label_words = {(h.line_index, k) for h in ctx.hits for k in range(h.start, h.end)}

    def value_box(k: int) -> Box:
        # The re-read takes the value only: a label in another type size spoils the line read.
        words = [w for n, w in enumerate(page.lines[k].words) if (k, n) not in label_words]
        return union_boxes([w.box for w in words]) if words else page.lines[k].box

    out: list[_Candidate] = []
    for i in range(len(page.lines)):
        if i in excluded:
            continue
        groups = [[i]]
        j = line_below(page, i)
        if j is not None and j not in excluded:
            groups.append([i, j])
        for group in groups:
            out.append(
                _Candidate(
                    text="\n".join(page.lines[k].text for k in group),
                    boxes=tuple(value_box(k) for k in group),
                    near_label=any(k in label_lines or k - 1 in label_lines for k in group),
                )
            )
    return out


@lru_cache(maxsize=1)
def _brand_keys() -> tuple[str, ...]:
    """The distinctive part of every listed name, squashed: for a cheap first look at a line."""
    keys: set[str] = set()
    for insurer in _one_row_per_insurer():
        for name in (insurer.short_name, insurer.full_name):
            brand = Insurer(None, name, name, None, None).brand.replace(" ", "")
            if brand:
                keys.add(brand)
    return tuple(sorted(keys))


def _may_name_insurer(text: str) -> bool:
    """False for lines that cannot match any listed insurer (saves the full fuzzy match)."""
    squashed = re.sub(r"[^а-я0-9]", "", fold(to_cyrillic(text)))
    if len(squashed) < 3:
        return False
    return any(fuzz.partial_ratio(key, squashed) >= 75 for key in _brand_keys())


def _best_insurer(
    candidates: Sequence[_Candidate],
) -> tuple[Insurer | None, float, _Candidate | None]:
    best: tuple[float, Insurer | None, float, _Candidate | None] = (0.0, None, 0.0, None)
    hopeless: set[str] = set()
    for cand in candidates:
        if not re.search(r"[А-ЯЁа-яёA-Za-z]{2}", cand.text):
            continue
        parts = cand.text.split("\n")
        if all(p in hopeless or not _may_name_insurer(p) for p in parts):
            hopeless.update(parts)
            continue
        insurer, score = _insurer_match(" ".join(parts))
        if insurer is None:
            continue
        # A label nearby breaks ties; a single line beats a pair with the same score.
        key = score + (0.01 if cand.near_label else 0.0) - 0.001 * (len(cand.boxes) - 1)
        if key > best[0]:
            best = (key, insurer, score, cand)
    return best[1], best[2], best[3]


def _card_insurer_candidates(ctx: _Context, number_box: Box | None, psm: int) -> list[_Candidate]:
    """A card prints its insurer small, in colour, above the number: read that band again.

    The page pass works on a page cleaned for black print, where small coloured text on a
    tinted card often fades; this reads the darkest channel of the straightened image instead.
    """
    bottom = number_box.y if number_box is not None else ctx.image.shape[0] // 2
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w in _read_top_band(ctx, bottom, psm):
        lines.setdefault(w.line_key, []).append(w)
    ordered = [lines[k] for k in sorted(lines)]
    out: list[_Candidate] = []
    for i, line in enumerate(ordered):
        groups = [[line]] + ([[line, ordered[i + 1]]] if i + 1 < len(ordered) else [])
        for group in groups:
            out.append(
                _Candidate(
                    text="\n".join(" ".join(w.text for w in ln) for ln in group),
                    boxes=(union_boxes([w.box for ln in group for w in ln]),),
                    near_label=False,
                )
            )
    return out


def _runner_up(text: str, best: Insurer) -> float:
    """The score of the best other insurer for the same text (how unique the match is)."""
    others = tuple(i for i in _one_row_per_insurer() if i.short_name != best.short_name)
    _, score = match_insurer(text, insurers=others)
    return score


def _insurer(ctx: _Context, form: str, number_box: Box | None) -> FieldValue:
    """The insurer: the best list match among lines (and pairs of lines) not used by a field.

    A near-exact match that no other listed insurer comes close to is its own confirmation
    (two misreads landing on one other insurer's name are not a real risk); a weaker or
    ambiguous match is read again from the image and must name the same insurer.
    """
    insurer, score, cand = _best_insurer(_page_insurer_candidates(ctx))
    # Tesseract's layout analysis of a card's top is erratic (the chip, the tinted band):
    # a block read, then a sparse one.
    for psm in (PSM_BLOCK, PSM_SPARSE) if insurer is None and form == "card" else ():
        insurer, score, cand = _best_insurer(_card_insurer_candidates(ctx, number_box, psm))
        if insurer is not None:
            break
    if insurer is None or cand is None:
        return FieldValue(value=None, confidence=0.0, needs_review=True)
    text = cand.text.replace("\n", " ")
    alternatives: tuple[str, ...] = ()
    margin = score - _runner_up(text, insurer)
    if score >= _SURE_INSURER_SCORE and margin >= 0.15:
        confidence = min(1.0, 0.5 + 0.5 * score)
    else:
        # A card prints its insurer small and in colour, which the cleaned page fades; paper
        # forms may have a blue seal over it, which the cleaned page removes.
        source = ctx.image if form == "card" else ctx.page.image
        again: list[str] = []
        for b in cand.boxes:
            words = read_box(ctx.engine, source, b, lang="rus", psm=PSM_BLOCK)
            again.extend(w.text for w in words)
        insurer2, score2 = _insurer_match(" ".join(again))
        if insurer2 is not None and insurer2.short_name == insurer.short_name:
            confidence = min(score, score2) if margin < 0.15 else max(score, score2)
        else:
            confidence = 0.6 * score
            alternatives = (insurer2.short_name,) if insurer2 is not None else ()
    if score < _SURE_INSURER_SCORE:
        confidence = min(confidence, score)
    return FieldValue(
        value=insurer.short_name,
        confidence=confidence,
        box=union_boxes(list(cand.boxes)),
        raw=text,
        needs_review=confidence < REVIEW_THRESHOLD,
        alternatives=alternatives,
    )


# --- barcode -------------------------------------------------------------------------------------


def _from_barcode(
    ctx: _Context,
    ocr: FieldValue,
    value: str | None,
    same: Callable[[str | None, str | None], bool],
    reread: Callable[[], FieldValue] | None = None,
    code_box: Box | None = None,
) -> FieldValue:
    """The barcode's value; an OCR reading that differs (after one re-read) is recorded."""
    result = FieldValue(
        value=value,
        confidence=1.0,
        source="barcode",
        box=ocr.box if ocr.box is not None else code_box,
        raw=ocr.raw,
        needs_review=False,
    )
    if ocr.value is None or same(ocr.value, value):
        return result
    if reread is not None:
        again = reread()
        if again.value is None or same(again.value, value):
            return result
        ocr = again
    problem = Problem.of(BARCODE_OCR_MISMATCH, "warning")
    shown = ocr.value if ocr.value is not None else ""
    return dataclasses.replace(result, alternatives=(shown,), problems=(problem,))


def _same_name(a: str | None, b: str | None) -> bool:
    return same_name(a or "", b or "")


def _same(a: str | None, b: str | None) -> bool:
    return (a or "") == (b or "")


def _apply_barcode(
    ctx: _Context, fields: dict[str, FieldValue], code: PolicyBarcode
) -> dict[str, FieldValue]:
    """The barcode's fields over the OCR ones; a barcode field that did not decode (None: a
    specimen's dummy name block, an impossible sex or date) leaves the OCR field as it is."""
    out = dict(fields)
    missing = FieldValue(value=None, confidence=0.0)

    def ocr_of(name: str) -> FieldValue:
        return fields.get(name, missing)

    def rereader(
        name: str, parser: Parser, lang: str, whitelist: str | None
    ) -> Callable[[], FieldValue]:
        def run() -> FieldValue:
            ocr = ocr_of(name)
            if ocr.box is None:
                return ocr
            first = Reading(ocr.raw or "", ocr.value, ocr.confidence, ocr.box)
            second = _reread(ctx, ocr.box, parser, lang=lang, whitelist=whitelist)
            return decide([first, second])

        return run

    if code.enp is not None:
        out["policy_number"] = _from_barcode(
            ctx,
            ocr_of("policy_number"),
            code.enp,
            _same,
            rereader("policy_number", _parse_enp, "eng", DIGITS + " "),
            code.box,
        )
    if code.name_decoded:
        names = (
            ("last_name", code.last_name),
            ("first_name", code.first_name),
            ("patronymic", code.patronymic),
        )
        for name, value in names:
            out[name] = _from_barcode(
                ctx,
                ocr_of(name),
                normalize_name(value) if value else None,
                _same_name,
                rereader(name, parse_name, "rus", NAME_CHARS),
                code.box,
            )
        if not code.patronymic:
            # No patronymic in the barcode: none is printed either ("при наличии").
            out["patronymic"] = dataclasses.replace(
                out["patronymic"], value=None, needs_review=False
            )
    if code.sex is not None:
        out["sex"] = _from_barcode(
            ctx,
            ocr_of("sex"),
            code.sex,
            _same,
            rereader("sex", _parse_sex, "rus", CYRILLIC + "."),
            code.box,
        )
    if code.birth_date is not None:
        out["birth_date"] = _from_barcode(
            ctx,
            ocr_of("birth_date"),
            code.birth_date.isoformat(),
            _same,
            rereader("birth_date", _parse_date, "eng", DATE_CHARS),
            code.box,
        )
    if not code.expiry_decoded:
        return out
    expiry = code.expiry_date.isoformat() if code.expiry_date else None
    printed_expiry = ocr_of("policy_expiry_date")
    ocr_expiry = printed_expiry
    if ocr_expiry.value is None and ocr_expiry.needs_review:
        # Neither a date nor «бессрочно» was read: nothing to compare.
        ocr_expiry = dataclasses.replace(ocr_expiry, raw=None)
    out["policy_expiry_date"] = _from_barcode(
        ctx,
        ocr_expiry,
        expiry,
        _same,
        None,
        code.box,
    )
    if expiry is not None and printed_expiry.value is None and not printed_expiry.needs_review:
        # The text said «бессрочно», the barcode gives a date.
        out["policy_expiry_date"] = dataclasses.replace(
            out["policy_expiry_date"],
            alternatives=(_NO_EXPIRY,),
            problems=(Problem.of(BARCODE_OCR_MISMATCH, "warning"),),
        )
    return out


__all__ = [
    "BARCODE_OCR_MISMATCH",
    "LABELS",
    "POLICY_FORMS",
    "diacritic_marks",
    "printed_enp",
    "read_box",
    "read_policy",
]

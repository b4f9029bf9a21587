"""The birth certificate: both layouts (labels on the left; values over small captions)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from rapidfuzz import fuzz

from omsdesktop.forms.fields import (
    CAPITALS,
    CYRILLIC,
    DATE_CHARS,
    DIGITS,
    NAME_CHARS,
    REVIEW_THRESHOLD,
    Reading,
    decide,
    parse_date_value,
    parse_digits,
    parse_name,
    parse_place,
    parse_single_name,
    read_field,
    reading_of,
)
from omsdesktop.forms.locate import (
    LabelHit,
    box_right_of,
    find_labels,
    fold_word,
    line_above,
    line_below,
    words_right_of,
)
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.names import split_glued_names
from omsdesktop.forms.normalize import (
    MONTHS_GENITIVE,
    date_from_words,
    roman_to_latin,
    roman_value,
    series_letters_to_cyrillic,
)
from omsdesktop.forms.reread import (
    REREAD_HEIGHT,
    free_area,
    read_box,
    unread_ink_beside,
    unread_ink_between,
)
from omsdesktop.forms.template import ink_box
from omsdesktop.ocr.engine import (
    PSM_AUTO,
    PSM_BLOCK,
    PSM_SPARSE,
    OcrEngine,
    Word,
    mean_confidence,
)
from omsdesktop.ocr.layout import (
    FIELD_WORD_HEIGHT,
    Line,
    PageText,
    beside,
    crop,
    read_region,
    reread_band,
    union_boxes,
)
from omsdesktop.ocr.types import Box
from omsdesktop.text import fold, letters_to_digits

LABELS: dict[str, tuple[str, ...]] = {
    "last_name": ("Фамилия",),
    "first_name": ("Имя",),
    "patronymic": ("Отчество",),
    "first_and_patronymic": ("имя, отчество", "имя отчество"),
    "birth_date": ("Дата рождения", "родился(лась)", "родился", "родилась"),
    "birth_place": ("Место рождения",),
    "act_record": ("запись акта", "составлена запись"),
    "issue_date": ("Дата выдачи",),
    "registration": ("Место государственной регистрации",),
    "about": ("о чем",),
    "father": ("Отец",),
    "mother": ("Мать",),
}

_ALL_LABEL_VARIANTS = (
    *tuple(v for vs in LABELS.values() for v in vs),
    "Гражданство",
    "Родители",
    "Руководитель",
)

_SERIES_RE = re.compile(r"(?<!\S)(\S{1,7}?)\s*[-‐‑‒–—―−_.]\s*(\S{2})\s*[№N#]?\s*(\d[\d ]{5,8})")


_CAPTIONS = (
    "город, населенный пункт, район, область, край, республика",
    "число, месяц, год (цифрами и прописью)",
    "фамилия, имя, отчество",
    "наименование органа записи актов гражданского состояния",
    "гражданство",
)


def _is_caption_text(text: str) -> bool:
    folded = fold(text)
    return any(
        fuzz.partial_ratio(c, folded) >= 80 and len(folded) >= 0.5 * len(c) for c in _CAPTIONS
    )


def _is_caption(page: PageText, line_index: int, value_height: float) -> bool:
    return page.lines[line_index].height < 0.8 * value_height


def _median_value_height(page: PageText) -> float:
    heights = sorted(line.height for line in page.lines)
    return heights[len(heights) // 2] if heights else 0.0


def _value_words(page: PageText, hits: list[LabelHit], all_hits: list[LabelHit]) -> list[Word]:
    """Value of a label: to its right; else (a caption) the line above; else the line below."""
    for hit in hits:
        right = words_right_of(page, hit, all_hits)
        right = [w for w in right if fold_word(w.text)]
        if right:
            return right
    for hit in hits:
        line = page.lines[hit.line_index]
        above = line_above(page, hit.line_index)
        alone = hit.start == 0 and hit.end >= len(line.words) - 1
        if above is not None and alone and page.lines[above].height >= 0.8 * line.height:
            return list(page.lines[above].words)
    return []


def _line_after_caption(page: PageText, last_hits: list[LabelHit], value_h: float) -> list[Word]:
    """Older layout: the "имя, отчество" value is the next full-size line under "фамилия".

    Its own small caption may be too faint to read, so we go by position: the first line below
    the surname's caption that is not itself a caption.
    """
    if not last_hits:
        return []
    index: int | None = last_hits[0].line_index
    for _ in range(2):
        index = line_below(page, index) if index is not None else None
        if index is None:
            return []
        if not _is_caption(page, index, value_h):
            words = list(page.lines[index].words)
            return words if all(not re.search(r"\d", w.text) for w in words) else []
    return []


def _whole_row(
    engine: OcrEngine,
    page: PageText,
    words: list[Word],
    value_h: float,
    caption: Line | None = None,
) -> list[Word]:
    """A value line's words, read again across its whole row where the page pass read only
    part of its ink («МИРОСЛАВА РИНАТОВНА» read as «О») or none of it (then the row is the
    one just above its ``caption``); the words as they are otherwise."""
    height, width = page.image.shape[:2]
    if words:
        box = union_boxes([w.box for w in words])
        pad = int(0.25 * max(box.height, value_h))
        top, bottom = max(0, box.y - pad), min(height, box.y + box.height + pad)
    elif caption is not None and value_h > 0:
        bottom = caption.box.y
        top = max(0, bottom - int(1.8 * value_h))
    else:
        return words
    if bottom - top < 4:
        return words
    ink = ink_box(page.image, Box(0, top, width, bottom - top), min_height=0.5 * value_h)
    if ink is None or (words and ink.width <= 1.3 * box.width):
        return words
    again = read_box(
        engine, page.image, ink, lang="rus", whitelist=NAME_CHARS, limits=(0, width, top, bottom)
    )
    again = [w for w in again if re.search(r"[А-ЯЁа-яё]{2}", w.text)]
    if sum(len(w.text) for w in again) <= sum(len(w.text) for w in words):
        return words
    return again


def _first_digit_date(page: PageText, start: int, stop: int) -> list[Word]:
    for line in page.lines[start:stop]:
        found = [w for w in line.words if re.search(r"\d{1,2}\.\d{1,2}\.\d{4}", w.text)]
        if found:
            return found
    return []


def read_certificate(engine: OcrEngine, page: PageText) -> dict[str, FieldValue]:
    # The series and number, at the bottom in red, are read on their own: on the second core
    # while the fields above are read here; then the place of birth and the act record there
    # too, while the names and the dates are read here (each reader only reads the page; the
    # jobs on the second core run one after the other).
    series_and_number = beside(lambda: _series_and_number(engine, page))
    value_h = _median_value_height(page)
    all_hits = find_labels(page, _ALL_LABEL_VARIANTS)

    # The child's fields come before the parents' (whose captions repeat "фамилия, имя, отчество").
    parent_lines = [
        h.line_index for h in all_hits if h.label in ("Отец", "Мать", "Родители", "Гражданство")
    ]
    parents_start = min(parent_lines, default=len(page.lines))
    own_fields = ("last_name", "first_name", "patronymic", "first_and_patronymic", "birth_date")

    def hits(name: str) -> list[LabelHit]:
        found = [h for h in all_hits if h.label in LABELS[name]]
        if name in own_fields:
            found = [h for h in found if h.line_index < parents_start]
        return found

    fields: dict[str, FieldValue] = {}
    place_and_record = beside(
        lambda: (
            _birth_place(engine, page, hits("birth_place"), all_hits, value_h),
            _act_record(engine, page, hits("act_record")),
        )
    )
    name_reader = _name_reader(engine, page)

    # --- names: labelled, or over captions "фамилия" / "имя, отчество"
    last = _value_words(page, hits("last_name"), all_hits)
    fields["last_name"] = name_reader(last, parse_single_name)
    combined_hits = hits("first_and_patronymic")
    first_words = _value_words(page, hits("first_name"), all_hits) if not combined_hits else []
    if first_words:
        fields["first_name"] = name_reader(first_words, parse_single_name)
        fields["patronymic"] = name_reader(
            _value_words(page, hits("patronymic"), all_hits), parse_name
        )
    else:
        both = _value_words(page, combined_hits, all_hits) if combined_hits else []
        if not both:
            both = _line_after_caption(page, hits("last_name"), value_h)
        if len(both) < 2:
            caption = page.lines[combined_hits[0].line_index] if combined_hits else None
            both = _whole_row(engine, page, both, value_h, caption)
        glued = split_glued_names(both[0].text) if len(both) == 1 else None
        if glued is not None:
            # «МИРОСЛАВАРИНАТОВНА»: the space between the two names lost; cut where the
            # dictionary sees a first name and a patronymic, and shown for review.
            for name, part, parser in (
                ("first_name", glued[0], parse_single_name),
                ("patronymic", glued[1], parse_name),
            ):
                fields[name] = FieldValue(
                    value=parser(part),
                    confidence=0.6,
                    box=both[0].box,
                    raw=both[0].text,
                    needs_review=True,
                )
        else:
            fields["first_name"] = name_reader(both[:1], parse_single_name)
            fields["patronymic"] = name_reader(both[1:], parse_name)

    # --- date of birth: digits, confirmed or corrected by the date in words below them
    date_hits = hits("birth_date")
    date_words = _value_words(page, date_hits, all_hits)
    by_position = not date_words
    if by_position:
        # The label unread (a smudge, a seal): the first date in digits above the place of birth.
        place_line = min((h.line_index for h in hits("birth_place")), default=parents_start)
        date_words = _first_digit_date(page, 0, place_line)
    fields["birth_date"] = _birth_date(
        engine, page, date_words, date_hits, by_position=by_position, stop=parents_start
    )

    # --- date of issue: checked against the date of birth and the date of registration
    registered = _registration_date(page, hits("act_record") + hits("about"))
    issued = _issue_date(
        engine,
        page,
        hits("issue_date"),
        all_hits,
        max([h.line_index for h in hits("registration")] + [parents_start], default=0),
        fields["birth_date"],
        registered,
    )
    # --- place of birth (the value and its continuation lines) and the act record number
    # (after "запись акта о рождении №", or on the next line): read on the second core, above
    fields["birth_place"], fields["birth_act_record_number"] = place_and_record()
    fields["birth_certificate_issue_date"] = issued

    # --- series and number, at the bottom, often in red
    series, number = series_and_number()
    fields["birth_certificate_series"] = series
    fields["birth_certificate_number"] = number
    return fields


_MONTH_FORMS = tuple(MONTHS_GENITIVE)
_GLUED_ONE = frozenset("ГгIl|!]")
_REGISTERED_WORDS_RE = re.compile(
    r"(\d{4})\s*г\w*\.?\s+([а-яё]{3,})\s+м\w*\.?\s+(\d{1,2})\s*ч", re.IGNORECASE
)


def _registration_date(page: PageText, hits: list[LabelHit]) -> dt.date | None:
    """The day the act record was made: "о чем 12.03.2019 составлена запись акта ..." or
    "о чем 2019 года марта месяца 12 числа составлена ...", on the line of the label or the
    line above it."""
    for hit in hits:
        texts = [page.lines[hit.line_index].text]
        above = line_above(page, hit.line_index)
        if above is not None:
            texts.insert(0, page.lines[above].text + " " + texts[0])
        for text in texts:
            head = re.split(r"составл|запис", text, maxsplit=1)[0]
            m = re.search(r"\d{1,2}\s*[.,]\s*\d{1,2}\s*[.,]\s*\d{4}", head)
            value = parse_date_value(m.group(0)) if m else None
            if value is None:
                w = _REGISTERED_WORDS_RE.search(head)
                if w is not None:
                    value = parse_date_value(f"{w.group(3)} {w.group(2)} {w.group(1)}")
            if value is not None:
                return dt.date.fromisoformat(value)
    return None


def _parse_issue(text: str) -> tuple[str | None, tuple[int, int] | None, bool]:
    """A date of issue, failing that its year and month alone, and whether the day is a guess.

    Besides :func:`parse_date_value`, reads "1 июня 2021 г." where OCR glued the day to the
    month ("1июня", "Гиюня") or misread the month by a letter: the month is matched fuzzily, the
    day taken from the digits before it; a day that is not digits leaves only year and month.
    """
    value = parse_date_value(text)
    if value is not None:
        return value, None, False
    clean = re.sub(r"[«»\"'“”„‘’‚`]", " ", text)
    tokens = clean.split()
    for i, token in enumerate(tokens):
        lower = token.lower()
        scored = [
            (fuzz.ratio(lower[cut:], name), k + 1, cut)
            for k, name in enumerate(_MONTH_FORMS)
            for cut in range(min(3, len(lower) - 2))
        ]
        if not scored:
            continue
        score, month, cut = max(scored, key=lambda t: (t[0], -t[2]))
        if score < 80:
            continue
        prefix = token[:cut]
        year_m = re.match(r"(\d{4})", " ".join(tokens[i + 1 : i + 2]))
        if year_m is None:
            continue
        year = int(year_m.group(1))
        day_text = prefix or (tokens[i - 1] if i > 0 else "")
        day = letters_to_digits(day_text.strip(".,:;"))
        guess = day != day_text.strip(".,:;")
        if prefix and len(prefix) == 1 and prefix in _GLUED_ONE:
            day, guess = "1", True  # a serif "1" glued to the month: "Гиюня"
        if re.fullmatch(r"\d{1,2}", day):
            value = parse_date_value(f"{day} {_MONTH_FORMS[month - 1]} {year}")
            if value is not None:
                return value, None, guess
        return None, (year, month), False
    return None, None, False


def _plausible_issue(value: str, birth: str | None) -> bool:
    """A certificate is issued on or after the birth, and not after today."""
    day = dt.date.fromisoformat(value)
    if day > dt.date.today():
        return False
    if birth is not None:
        born = dt.date.fromisoformat(birth)
        return born <= day
    return day.year >= 1950


def _issue_date(
    engine: OcrEngine,
    page: PageText,
    hits: list[LabelHit],
    all_hits: list[LabelHit],
    after_line: int,
    birth: FieldValue,
    registered: dt.date | None,
) -> FieldValue:
    """The date of issue, in digits or with the month in words ("5 сентября 2025 г.").

    Read from the page pass and re-read at several scales (a seal over it, a day glued to the
    month); readings before the date of birth are dropped (a parent's date of birth found when
    the label is hidden). The date of registration printed above is a second source: a
    certificate is normally issued the day the birth is registered. Agreement with it
    confirms the date; a reading a digit away from it, or only its month and year, is shown
    with it for review.
    """
    birth_value = birth.value if not birth.needs_review or birth.confidence >= 0.5 else None
    boxes: list[Box] = []
    texts: list[tuple[str, float]] = []
    words = _value_words(page, hits, all_hits)
    if words:
        texts.append((_join(words), mean_confidence(words)))
        boxes.append(union_boxes([w.box for w in words]))
    if hits:
        boxes.append(box_right_of(page, hits[0]))
    if not any(_parse_issue(t)[0] for t, _ in texts):
        # The label may be hidden by the seal or broken over two lines: the date of issue is
        # the first plausible date printed after the place of registration.
        for line in page.lines[after_line + 1 :]:
            value, _, _ = _parse_issue(line.text)
            if value is not None and _plausible_issue(value, birth_value):
                texts.append((line.text, line.confidence))
                boxes.insert(0, line.box)
                break
    # The value's box at three letter sizes, and the band right of the label once.
    rereads = [(boxes[0], height) for height in (36.0, 28.0, 46.0)] if boxes else []
    rereads += [(boxes[1], 36.0)] if len(boxes) > 1 else []
    for region, height in rereads:
        again = read_region(engine, page, region, lang="rus", height=height)
        texts.append((_join(again), mean_confidence(again)))
    readings: list[Reading] = []
    partial: list[tuple[int, int]] = []
    guessed: set[str] = set()
    exact: set[str] = set()
    box = boxes[0] if boxes else None
    for text, conf in texts:
        value, year_month, guess = _parse_issue(text)
        if value is not None and not _plausible_issue(value, birth_value):
            value = None
        if year_month is not None:
            partial.append(year_month)
        if value is not None:
            (guessed if guess else exact).add(value)
        readings.append(Reading(text, value, conf, box))
    field = decide(readings) if readings else FieldValue(value=None, confidence=0.0)
    if field.value is not None and field.value not in exact:
        field = _with(field, confidence=min(field.confidence, 0.6))
    if field.alternatives or _another_day_read(texts, field.value):
        # Re-reads of one crop are not independent: any reading of another day means a digit
        # is in doubt (a "3" read as "5" at one scale and not at another), even one that is
        # no date as a whole (a "21" read "2 02.2014" once and "24.02.2014" three times).
        field = _with(field, confidence=min(field.confidence, 0.7))
    if registered is None or (
        birth_value is not None and registered < dt.date.fromisoformat(birth_value)
    ):
        return field
    reg = registered.isoformat()
    if field.value == reg:
        return field
    read_values = {r.value for r in readings if r.value}
    near = field.value is not None and _one_char_apart(field.value, reg)
    if reg in read_values or near:
        # Readings split, one of them the registration day; or a digit misread.
        return _with(field, value=reg, confidence=0.6, extra=field.value)
    if field.value is None and (registered.year, registered.month) in partial:
        return _with(field, value=reg, confidence=0.6)
    if field.value is None and not partial:
        # Nothing legible: propose the registration day, for the user to confirm.
        return _with(field, value=reg, confidence=0.3)
    return field


_DIGIT_DATE = re.compile(r"(?<!\d)(\d{1,2})\D{0,2}?(\d{2})\D{0,2}?((?:19|20)\d{2})(?!\d)")
"""A date in digits, loosely: «2 02.2014», «24:02.2014», «2402.2014»."""


def _another_day_read(texts: Sequence[tuple[str, float]], value: str | None) -> bool:
    """Does a reading give ``value``'s month and year with another day?"""
    if value is None:
        return False
    year, month, day = (int(part) for part in value.split("-"))
    return any(
        (int(m.group(2)), int(m.group(3))) == (month, year) and int(m.group(1)) != day
        for text, _ in texts
        for m in _DIGIT_DATE.finditer(text)
    )


def _one_char_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _with(
    field: FieldValue,
    *,
    value: str | None = None,
    confidence: float,
    needs_review: bool | None = None,
    extra: str | None = None,
) -> FieldValue:
    """``field`` with another value or confidence; the value it had joins the alternatives."""
    chosen = field.value if value is None else value
    alternatives = {*field.alternatives, field.value or "", extra or ""} - {"", chosen or ""}
    return dataclasses.replace(
        field,
        value=chosen,
        confidence=confidence,
        needs_review=confidence < REVIEW_THRESHOLD if needs_review is None else needs_review,
        alternatives=tuple(sorted(alternatives)),
    )


def _name_reader(
    engine: OcrEngine, page: PageText
) -> Callable[[list[Word], Callable[[str], str | None]], FieldValue]:
    def read(
        words: list[Word], parser: Callable[[str], str | None] = parse_single_name
    ) -> FieldValue:
        words = [w for w in words if re.search(r"[А-ЯЁа-яёA-Za-z]", w.text)]
        box = union_boxes([w.box for w in words]) if words else None
        wide = unread_ink_beside(page, box) if box is not None else None
        if wide is None or wide == box:
            return read_field(engine, page, words, parser, lang="rus", whitelist=NAME_CHARS)
        # Letters beside the name the page pass did not read (a «Д» whose feet cross the
        # underline, dropped with them: «МИТРИЙ»): the widened box is read twice more, and
        # readings that disagree are never certain.
        first = reading_of(words, parser)
        # The crop shown for the field is the widened one: the whole name, as printed.
        readings = [Reading(first.text, first.value, first.confidence, wide)]
        for height in (FIELD_WORD_HEIGHT, REREAD_HEIGHT):
            again = reading_of(
                read_region(engine, page, wide, lang="rus", whitelist=NAME_CHARS, height=height),
                parser,
            )
            readings.append(Reading(again.text, again.value, again.confidence, wide))
        decided = decide(readings)
        if decided.alternatives:
            decided = dataclasses.replace(
                decided, confidence=min(decided.confidence, 0.6), needs_review=True
            )
        return decided

    return read


def _birth_date(
    engine: OcrEngine,
    page: PageText,
    words: list[Word],
    hits: list[LabelHit],
    *,
    by_position: bool = False,
    stop: int | None = None,
) -> FieldValue:
    """The date of birth in digits, checked against the date in words printed under it.

    ``by_position``: the label was not read and ``words`` are the first date in digits on the
    page (the date of registration can be it, when the page pass lost the line of the date of
    birth): certain only where the date in words agrees. Without a date in words under the
    digits, one anywhere above line ``stop`` (the parents' part) is taken.
    """
    digit_words = [w for w in words if re.search(r"\d", w.text)]
    if not digit_words and hits:
        digit_words = [
            w
            for w in read_region(engine, page, box_right_of(page, hits[0]))
            if re.search(r"\d", w.text)
        ]
    first = reading_of(digit_words, parse_date_value)
    readings: list[Reading] = []
    if first.box is not None:
        readings.append(first)
        again = read_region(engine, page, first.box, lang="eng", whitelist=DATE_CHARS)
        second = reading_of(again, parse_date_value)
        readings.append(Reading(second.text, second.value, second.confidence, first.box))
    # The date in words: the line(s) just below the digits.
    in_words = None
    anchor = None
    if digit_words:
        anchor = next(
            (i for i, ln in enumerate(page.lines) if digit_words[0] in ln.words),
            None,
        )
    elif hits:
        anchor = hits[0].line_index
    if anchor is not None:
        below = line_below(page, anchor)
        if below is not None:
            text = page.lines[below].text
            parsed = date_from_words(text)
            if parsed is None:
                again = read_region(
                    engine, page, page.lines[below].box, lang="rus", whitelist=CYRILLIC + " "
                )
                parsed = date_from_words(" ".join(w.text for w in again))
            if parsed is not None:
                in_words = Reading(text, parsed.isoformat(), 0.9, page.lines[below].box)
    if in_words is None:
        in_words = _date_in_words_above(page, stop if stop is not None else len(page.lines))
    if in_words is not None:
        readings.append(in_words)
    field = decide(readings)
    if by_position and (in_words is None or field.value != in_words.value):
        # Found by its place only, and the words do not confirm it: never certain; where the
        # words give a date, it is the one shown (the digits may be another date's).
        shown = in_words.value if in_words is not None else None
        doubtful = _with(
            field, value=shown, confidence=min(field.confidence, 0.5), needs_review=True
        )
        # The crop shown is where the value shown was read.
        return doubtful if in_words is None else dataclasses.replace(doubtful, box=in_words.box)
    if in_words is not None and field.value != in_words.value and readings[:-1]:
        # The digits and the words disagree: the words are an independent reading; prefer the
        # value two of three readings share, and always ask the user to look.
        return FieldValue(
            value=field.value,
            confidence=min(field.confidence, 0.5),
            box=field.box,
            raw=field.raw,
            needs_review=True,
            alternatives=tuple(
                sorted({*field.alternatives, in_words.value or ""} - {"", field.value or ""})
            ),
        )
    return field


def _date_in_words_above(page: PageText, stop: int) -> Reading | None:
    """The first date in words («семнадцатого июля две тысячи одиннадцатого года») on the
    lines before ``stop``, as a reading."""
    for line in page.lines[:stop]:
        parsed = date_from_words(line.text)
        if parsed is not None:
            return Reading(line.text, parsed.isoformat(), 0.9, line.box)
    return None


def _birth_place(
    engine: OcrEngine,
    page: PageText,
    hits: list[LabelHit],
    all_hits: list[LabelHit],
    value_h: float,
) -> FieldValue:
    if not hits:
        return FieldValue(value=None, confidence=0.0, needs_review=True)
    hit = hits[0]
    first = words_right_of(page, hit, all_hits)
    label_lines = {h.line_index for h in all_hits}
    idx = hit.line_index
    off_row = False
    if not first:
        # A tilted page splits the row: the value is a line of its own beside the label.
        side = _value_line_beside(page, hit, label_lines)
        if side is not None:
            first, idx, off_row = list(page.lines[side].words), side, True
    parts: list[list[Word]] = [first] if first else []
    heights = sorted(w.box.height for w in first) if first else [int(page.lines[idx].height)]
    ref_h = heights[len(heights) // 2]
    for _ in range(3):
        nxt = line_below(page, idx, max_gap=1.2)
        if nxt is not None and nxt == hit.line_index:
            idx = nxt  # the label's own line, under the value it was split from
            continue
        if nxt is None or nxt in label_lines:
            break
        line = page.lines[nxt]
        if line.height < 0.7 * ref_h or _is_caption_text(line.text):  # a caption under it
            break
        if any(re.search(r"\d{2}\.\d{2}\.\d{4}|№", w.text) for w in line.words):
            break
        parts.append(list(line.words))
        idx = nxt
    lost = _lost_line_below(engine, page, idx, ref_h) if parts and len(parts) < 3 else []
    if lost:
        parts.append(lost)
    readings_text: list[str] = []
    confidences: list[float] = []
    boxes: list[Box] = []
    for words in parts:
        box = union_boxes([w.box for w in words])
        # Letters the page pass did not read, beside the line or between its words (letters
        # standing on the underline, dropped with it): a re-read of the same crop tends to
        # drop them too, and agree. Such a line is read again wide enough to take them in,
        # with its underline taken out, and is never certain.
        wide = unread_ink_beside(page, box, letter_h=ref_h)
        holes = wide != box or unread_ink_between(page, words, ref_h)
        if holes:
            again = read_box(engine, page.image, wide, lang="rus", limits=free_area(page, wide))
        else:
            again = read_region(engine, page, box, lang="rus")
        chosen = again if again else words
        readings_text.append(" ".join(w.text for w in chosen))
        first_text = " ".join(w.text for w in words)
        agree = first_text == readings_text[-1]
        c = sum(w.confidence for w in chosen) / max(1, len(chosen))
        confidences.append(min(1.0, c + 0.05) if agree else c * 0.8)
        if holes:
            confidences[-1] = min(confidences[-1], 0.6)
        boxes.append(wide)
    text = parse_place(" ".join(readings_text))
    if not text:
        return FieldValue(value=None, confidence=0.0, needs_review=True)
    conf = min(confidences)
    if off_row:
        conf = min(conf, 0.75)  # found by position only: show it for review
    return FieldValue(
        value=text,
        confidence=conf,
        box=union_boxes(boxes),
        raw=text,
        needs_review=conf < REVIEW_THRESHOLD,
    )


def _value_line_beside(page: PageText, hit: LabelHit, label_lines: set[int]) -> int | None:
    """The line next to the label's (just above or below) that lies right of it, on its row."""
    label = hit.box(page)
    label_mid = label.y + label.height / 2
    best: tuple[float, int] | None = None
    for j in (hit.line_index - 1, hit.line_index + 1):
        if not 0 <= j < len(page.lines) or j in label_lines:
            continue
        box = page.lines[j].box
        if box.x < label.x + label.width:
            continue
        distance = abs(box.y + box.height / 2 - label_mid)
        if distance < max(page.lines[j].height, label.height) and (
            best is None or distance < best[0]
        ):
            best = (distance, j)
    return best[1] if best else None


def _lost_line_below(engine: OcrEngine, page: PageText, index: int, ref_h: float) -> list[Word]:
    """A value line the page pass dropped between ``index`` and the caption under it.

    A wrapped place of birth ("... Краснодарского" / "края") can lose its short second line.
    When the next line is a caption and a value line would fit in the gap, the gap is read.
    """
    here = page.lines[index].box
    bottom = here.y + here.height
    below = [j for j in range(index + 1, len(page.lines)) if page.lines[j].box.y >= bottom]
    nxt = below[0] if below else None
    if nxt is None:
        return []
    caption = page.lines[nxt]
    if not (caption.height < 0.8 * ref_h or _is_caption_text(caption.text)):
        return []
    gap = caption.box.y - bottom
    if gap < 0.9 * ref_h or gap > 3.5 * ref_h:
        return []
    left = min(ln.box.x for ln in page.lines)
    right = max(ln.box.x + ln.box.width for ln in page.lines)
    # The band is taller than the text: scale it so the letters come out at the usual size.
    words = read_region(
        engine,
        page,
        Box(left, bottom, right - left, gap),
        lang="rus",
        psm=PSM_BLOCK,
        height=36.0 * gap / ref_h,
    )
    words = [w for w in words if re.search(r"[А-ЯЁа-яё]{2}", w.text)]
    text = _join(words)
    if not words or _is_caption_text(text) or mean_confidence(words) < 0.6:
        return []
    return words


def _act_record(engine: OcrEngine, page: PageText, hits: list[LabelHit]) -> FieldValue:
    """The number after "... составлена запись акта о рождении №", on that line or the next.

    Every digit group after the "№" is taken (OCR splits "18" into "1 8"); without a "№" in
    sight, the first run of digit groups that is not a date.
    """
    for hit in hits:
        line = page.lines[hit.line_index]
        candidates = list(line.words[hit.end :])
        below = line_below(page, hit.line_index)
        if below is not None:
            candidates += list(page.lines[below].words)
        numero = next((i for i, w in enumerate(candidates) if "№" in w.text), None)
        start = numero if numero is not None else 0
        run: list[Word] = []
        for w in candidates[start:]:
            text = w.text.replace("№", "")
            if not text:
                continue
            digit_like = re.fullmatch(r"[\dOОоlI|]+", text) and re.search(r"\d", text)
            if digit_like and not re.search(r"\d\.\d", text):
                run.append(w)
            elif run:
                break
        if run:
            return _checked_small(engine, page, _act_number(engine, page, run))
    if hits:
        # The page pass lost the line with the number: read the band under the label.
        line = page.lines[hits[0].line_index]
        right = max(ln.box.x + ln.box.width for ln in page.lines)
        band = Box(
            line.box.x, line.box.y + line.box.height, right - line.box.x, line.box.height * 2
        )
        words = read_region(engine, page, band, lang="rus")
        numero = next((i for i, w in enumerate(words) if "№" in w.text), None)
        if numero is not None:
            run = [w for w in words[numero + 1 :] if re.fullmatch(r"\d+", w.text)]
            if run:
                return _checked_small(engine, page, _act_number(engine, page, run))
    return FieldValue(value=None, confidence=0.0, needs_review=True)


def _act_number(engine: OcrEngine, page: PageText, run: list[Word]) -> FieldValue:
    return read_field(engine, page, run, parse_digits((1, 24)), lang="eng", whitelist=DIGITS)


# Digits read again at this height (px) after the re-read at FIELD_WORD_HEIGHT.
_SMALL_DIGITS_HEIGHT = 22.0


def _checked_small(engine: OcrEngine, page: PageText, field: FieldValue) -> FieldValue:
    """The act record number read once more, its digits smaller.

    A serif «3» with a flat top reads as «5» at the re-read's height and in the page pass
    alike («3708» as «5708», certain), and as «3» when small: a reading at another scale that
    differs puts the number in doubt, with both shown.
    """
    if field.value is None or field.box is None:
        return field
    again = reading_of(
        read_region(
            engine, page, field.box, lang="eng", whitelist=DIGITS, height=_SMALL_DIGITS_HEIGHT
        ),
        parse_digits((1, 24)),
    )
    if again.value is None or again.value == field.value:
        return field
    return _with(field, confidence=min(field.confidence, 0.6), needs_review=True, extra=again.value)


def _parse_series_line(text: str) -> tuple[str, str, str] | None:
    """Split "XL-ВК № 017967" into its parts, each normalised but not yet validated."""
    compact = re.sub(r"\b(?:N[eoº°]|No\.?)(?=\s|\d)", " № ", text.replace("№", " № "))
    m = _SERIES_RE.search(compact)
    if not m:
        return None
    numeral = roman_to_latin(m.group(1))
    letters = series_letters_to_cyrillic(m.group(2))
    number = re.sub(r"\D", "", m.group(3))
    return numeral, letters, number


def _valid_numeral(text: str) -> bool:
    return bool(re.fullmatch(r"[IVXLCDM]{1,6}", text)) and roman_value(text) is not None


# Where the series and number are looked for again when the page pass missed them: the
# bottom of the page from this share of its height down, in Tesseract's automatic layout and
# as sparse text (which does not take print beside a seal for a picture).
_SERIES_REREADS = ((0.7, PSM_AUTO), (0.7, PSM_SPARSE), (0.85, PSM_AUTO))


def _series_line(lines: Sequence[Line]) -> Line | None:
    """The lowest line that reads as the series and number (or has «№» and six digits)."""
    for line in reversed(lines):
        if _parse_series_line(line.text) or re.search(r"№\s*\d{6,7}(?!\d)", line.text):
            return line
    return None


def _series_and_number(engine: OcrEngine, page: PageText) -> tuple[FieldValue, FieldValue]:
    """Series ("XL-ВК") and number at the bottom of the certificate.

    The numeral is Latin and the letters Cyrillic, so the line is read several ways — the
    English model (also restricted to I V X L C D M), the Russian model (also restricted to
    capitals) — and each part is decided by a weighted vote: the English readings count most for
    the numeral, the Russian ones for the letters. Disagreement lowers the confidence.
    """
    line = _series_line(page.lines)
    h = page.image.shape[0]
    for top, psm in _SERIES_REREADS:
        if line is not None:
            break
        # The page pass can drop the big red line beside the seal as part of a picture:
        # read the bottom of the page again on its own.
        line = _series_line(reread_band(engine, page, int(h * top), h, psm=psm))
    if line is None:
        empty = FieldValue(value=None, confidence=0.0, needs_review=True)
        return empty, empty
    box = line.box
    series_box = _series_box(line.words)
    numerals: list[tuple[str, float]] = []
    letters: list[tuple[str, float]] = []
    numbers: list[tuple[str, float]] = []

    def add(parsed: tuple[str, str, str] | None, w_numeral: float, w_letters: float) -> None:
        if parsed is None:
            return
        numerals.append((parsed[0], w_numeral))
        letters.append((parsed[1], w_letters))
        numbers.append((parsed[2], 1.0))

    add(_parse_series_line(line.text), 0.5, 1.0)
    add(_parse_series_line(_join(read_region(engine, page, box, lang="eng"))), 1.5, 0.5)
    add(_parse_series_line(_join(read_region(engine, page, box, lang="rus"))), 0.5, 1.5)
    # Bold serif "III" often loses a stroke; readings at three scales out-vote a single slip.
    for height, weight in ((36.0, 2.0), (24.0, 1.5), (48.0, 1.5)):
        roman = _join(
            read_region(engine, page, series_box, lang="eng", whitelist="IVXLCDM-", height=height)
        )
        numerals.append((roman.split("-")[0].strip(), weight))
    caps = _join(read_region(engine, page, series_box, lang="rus", whitelist=CAPITALS + "-"))
    if "-" in caps:
        letters.append((series_letters_to_cyrillic(caps.rsplit("-", 1)[1].strip()), 2.0))
    elif not letters and caps.strip():
        # The hyphen lost ("ХИЕЗИ"): the series ends with its two letters; a weak reading.
        letters.append((series_letters_to_cyrillic(caps.split()[-1][-2:]), 0.5))
    # The number alone, digits only: reading the whole line with a digit whitelist turns "№"
    # into a digit ("2358113").
    number_word = next(
        (w for w in reversed(line.words) if len(re.sub(r"\D", "", w.text)) >= 5), None
    )
    if number_word is not None:
        digits = _join(read_region(engine, page, number_word.box, lang="eng", whitelist=DIGITS))
        m = re.fullmatch(r"\s*(\d{6,7})\s*", digits)
        if m:
            numbers.append((m.group(1), 1.0))

    shape = _numeral_shape(page, series_box)
    numeral, n_share, other_numerals = _decide_numeral(numerals, shape)
    letter, l_share = _vote(letters, lambda x: bool(re.fullmatch(r"[А-ЯЁ]{2}", x)))
    number, d_share = _vote(numbers, lambda x: len(x) in (6, 7))
    conf = line.confidence
    series_value = f"{numeral}-{letter}" if numeral and letter else None
    series_conf = min(n_share, l_share) * (0.5 + 0.5 * conf) if series_value else 0.0
    number_conf = d_share * (0.5 + 0.5 * conf) if number else 0.0
    raw = line.text
    return (
        FieldValue(
            value=series_value,
            confidence=series_conf,
            box=series_box,
            raw=raw,
            needs_review=series_conf < REVIEW_THRESHOLD,
            alternatives=tuple(sorted(f"{n}-{letter}" for n in other_numerals)) if letter else (),
        ),
        FieldValue(
            value=number,
            confidence=number_conf,
            box=box,
            raw=raw,
            needs_review=number_conf < REVIEW_THRESHOLD,
        ),
    )


@dataclass(frozen=True)
class NumeralShape:
    """What the ink of a series' Roman numeral shows, independent of Tesseract.

    ``stems``: upright strokes running through the middle of the cap height (I, L and the bowl
    of C have one; X and V have none, their strokes are slanted). ``width``: the numeral's width
    in cap heights.
    """

    stems: int
    width: float


def _series_box(words: tuple[Word, ...]) -> Box:
    """The series part of the bottom line: the words before "№" or the number."""
    head: list[Word] = []
    for w in words:
        if "№" in w.text or len(re.sub(r"\D", "", w.text)) >= 5:
            break
        head.append(w)
    # Stray marks or digits before the series ("542 XIX-УТ"): the series has letters.
    lettered = [w for w in head if re.search(r"[^\W\d_]", w.text)]
    return union_boxes([w.box for w in lettered or head or words[:1]])


def _numeral_shape(page: PageText, box: Box) -> NumeralShape | None:
    """Measure the numeral printed at the start of ``box`` (up to the hyphen of the series).

    The print is binarised, letter-sized components are kept, and the hyphen (a short wide
    component at mid-height) ends the numeral. In the band between 20% and 80% of the cap
    height, away from the serifs that join neighbouring letters, an upright stroke is a run of
    columns inked in nearly every row of the band.
    """
    region, _ = crop(page.image, box, pad_x=0.2, pad_y=0.25)
    if region.size == 0 or min(region.shape[:2]) < 8:
        return None
    _, ink = cv2.threshold(region, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return None
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    cap = float(np.max(heights))
    if cap < 10:
        return None
    comps = [
        (i, *(int(v) for v in stats[i, :4])) for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] > 4
    ]
    tall = [c for c in comps if c[4] >= 0.6 * cap]
    if not tall:
        return None
    top = float(np.median([c[2] for c in tall]))
    bottom = float(np.median([c[2] + c[4] for c in tall]))
    cap_h = bottom - top
    if cap_h < 10:
        return None
    first_x = min(c[1] for c in tall)
    hyphen = None
    for c in sorted(comps, key=lambda c: c[1]):
        _, x, y, w, h = c
        mid = y + h / 2
        if (
            x > first_x
            and h < 0.3 * cap_h
            and w > 1.2 * h
            and w < 0.8 * cap_h
            and top + 0.3 * cap_h < mid < top + 0.8 * cap_h
        ):
            hyphen = c
            break
    if hyphen is None:
        return None
    letters = [c for c in tall if c[1] + c[3] <= hyphen[1] + 2]
    if not letters:
        return None
    x0 = min(c[1] for c in letters)
    x1 = hyphen[1]
    keep = np.isin(labels, [c[0] for c in letters]).astype(np.uint8)
    y0 = round(top + 0.2 * cap_h)
    y1 = round(top + 0.8 * cap_h)
    if y1 - y0 < 4 or x1 - x0 < 4:
        return None
    min_core = max(2.0, 0.04 * cap_h)
    # A photo straightened imperfectly leaves the print slanted. The shear that makes the most
    # columns of the whole series fully inked (the upright strokes of its Cyrillic letters
    # too, so that one arm of a V cannot decide it) straightens it; upright unless it clearly
    # helps.
    whole = np.isin(labels, [c[0] for c in tall]).astype(np.uint8)
    x_end = max(c[1] + c[3] for c in tall)
    mid = top + 0.5 * cap_h
    best_shear = 0.0
    best_full = int(np.sum(_band_cover(whole, 0.0, mid, y0, y1, x0, x_end) >= 0.95))
    for shear in (-0.25, -0.2, -0.15, -0.1, -0.05, 0.05, 0.1, 0.15, 0.2, 0.25):
        full = int(np.sum(_band_cover(whole, shear, mid, y0, y1, x0, x_end) >= 0.95))
        if full > 1.2 * best_full + min_core:
            best_shear, best_full = shear, full
    cover = _band_cover(keep, best_shear, mid, y0, y1, x0, x1)
    stems = 0
    i = 0
    while i < len(cover):
        if cover[i] < 0.95:
            i += 1
            continue
        j = i
        while j < len(cover) and cover[j] >= 0.95:
            j += 1
        # An upright stroke has straight sides: the columns it fully inks are most of the
        # columns it inks at all. The joint of V's arms or X's crossing fades out gradually.
        lo, hi = i, j
        while lo > 0 and cover[lo - 1] >= 0.5:
            lo -= 1
        while hi < len(cover) and cover[hi] >= 0.5:
            hi += 1
        if j - i >= min_core and j - i >= 0.6 * (hi - lo):
            stems += 1
        i = j
    return NumeralShape(stems=stems, width=(x1 - x0) / cap_h)


def _band_cover(
    mask: np.ndarray, shear: float, y_mid: float, y0: int, y1: int, x0: int, x1: int
) -> np.ndarray:
    """Share of inked rows per column of ``mask[y0:y1, x0:x1]`` after a horizontal shear."""
    if shear:
        matrix = np.array([[1.0, shear, -shear * y_mid], [0.0, 1.0, 0.0]], dtype=np.float64)
        h, w = mask.shape[:2]
        mask = np.asarray(
            cv2.warpAffine(mask, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        )
    band = mask[y0:y1, x0:x1]
    return np.asarray(band.mean(axis=0), dtype=np.float64)


# Upright strokes (min, max) and width in cap heights (min, max) of each Roman letter in the
# print of a series: wide bounds, to hold for serif and sans, regular and bold type.
_LETTER_STEMS = {
    "I": (1, 1),
    "L": (1, 1),
    "C": (0, 1),
    "D": (1, 2),
    "M": (0, 2),
    "X": (0, 0),
    "V": (0, 0),
}
_LETTER_WIDTH = {
    "I": (0.3, 0.9),
    "L": (0.65, 1.3),
    "C": (0.65, 1.4),
    "D": (0.7, 1.5),
    "M": (0.9, 1.8),
    "X": (0.75, 1.4),
    "V": (0.75, 1.4),
}


def _numeral_fits(numeral: str, shape: NumeralShape) -> bool:
    """Whether the ink measured can be ``numeral``: its upright strokes and its width."""
    if not numeral or any(ch not in _LETTER_STEMS for ch in numeral):
        return False
    lo = sum(_LETTER_STEMS[ch][0] for ch in numeral)
    hi = sum(_LETTER_STEMS[ch][1] for ch in numeral)
    w_lo = sum(_LETTER_WIDTH[ch][0] for ch in numeral)
    w_hi = sum(_LETTER_WIDTH[ch][1] for ch in numeral)
    return lo <= shape.stems <= hi and w_lo <= shape.width <= w_hi


def _one_stroke_apart(numeral: str) -> set[str]:
    """Valid numerals with one "I" more or fewer: the slip Tesseract makes on "III"."""
    out = {numeral[:i] + "I" + numeral[i:] for i in range(len(numeral) + 1)}
    out |= {numeral[:i] + numeral[i + 1 :] for i, ch in enumerate(numeral) if ch == "I"}
    return {n for n in out if _valid_numeral(n)}


def _decide_numeral(
    readings: list[tuple[str, float]], shape: NumeralShape | None
) -> tuple[str | None, float, set[str]]:
    """The numeral, its confidence share, and the other numerals read.

    Tesseract's readings are weighed as in :func:`_vote`; the shape of the ink, where it could
    be measured, then rules out readings with the wrong number of upright strokes or the wrong
    width (the usual slip is a lost "I" of a bold "III"). When every reading is ruled out, a
    numeral one "I" away from a reading that fits the ink is proposed, with low confidence.
    """
    weights, total = _tally(readings, _valid_numeral)
    if total <= 0:
        return None, 0.0, set()
    best_read = max(weights, key=lambda v: weights[v]) if weights else None
    if shape is None:
        if best_read is None:
            return None, 0.0, set()
        return best_read, weights[best_read] / total, set(weights) - {best_read}
    fitting = {v: w for v, w in weights.items() if _numeral_fits(v, shape)}
    if fitting:
        best = max(fitting, key=lambda v: fitting[v])
        # The measure can fail too (a slanted photo): it confirms by leaving the vote as it is,
        # and overrules Tesseract only with a confidence that asks for review.
        share = fitting[best] / total
        if best != best_read:
            share = min(share, 0.6)
        return best, share, set(weights) - {best}
    proposals: dict[str, float] = {}
    for value, w in readings:
        for near in _one_stroke_apart(value):
            if _numeral_fits(near, shape):
                proposals[near] = proposals.get(near, 0.0) + w
    if proposals:
        best = max(proposals, key=lambda v: proposals[v])
        return best, min(0.5, proposals[best] / total), set(weights) - {best}
    if best_read is None:
        return None, 0.0, set()
    # No reading matches the ink: keep the best reading, but never as certain.
    return best_read, min(0.4, weights[best_read] / total), set(weights) - {best_read}


def _join(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def _tally(
    readings: list[tuple[str, float]], valid: Callable[[str], bool]
) -> tuple[dict[str, float], float]:
    """The weight of each valid value read, and the weight of all readings."""
    weights: dict[str, float] = {}
    for value, w in readings:
        if valid(value):
            weights[value] = weights.get(value, 0.0) + w
    return weights, sum(w for _, w in readings)


def _vote(
    readings: list[tuple[str, float]], valid: Callable[[str], bool]
) -> tuple[str | None, float]:
    """The valid value with the most weight, and its share of the weight of all readings."""
    weights, total = _tally(readings, valid)
    if not weights or total <= 0:
        return None, 0.0
    best = max(weights, key=lambda v: weights[v])
    return best, weights[best] / total

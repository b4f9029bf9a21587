"""The birth certificate: both layouts (labels on the left; values over small captions)."""

from __future__ import annotations

import re
from collections.abc import Callable

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
from omsdesktop.forms.normalize import (
    date_from_words,
    roman_to_latin,
    roman_value,
    series_letters_to_cyrillic,
)
from omsdesktop.ocr.engine import OcrEngine, Word
from omsdesktop.ocr.layout import PageText, read_region, union_boxes
from omsdesktop.ocr.types import Box

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
    "father": ("Отец",),
    "mother": ("Мать",),
}

_ALL_LABEL_VARIANTS = (
    *tuple(v for vs in LABELS.values() for v in vs),
    "Гражданство",
    "Родители",
    "о чем",
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
    folded = text.lower().replace("ё", "е")
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


def _first_digit_date(page: PageText, start: int, stop: int) -> list[Word]:
    for line in page.lines[start:stop]:
        found = [w for w in line.words if re.search(r"\d{1,2}\.\d{1,2}\.\d{4}", w.text)]
        if found:
            return found
    return []


def _first_date_after(page: PageText, start: int) -> list[Word]:
    for line in page.lines[start + 1 :]:
        words = list(line.words)
        first_digit = next((i for i, w in enumerate(words) if re.search(r"\d", w.text)), None)
        if first_digit is None:
            continue
        tail = words[max(0, first_digit - 1) :]
        if parse_date_value(" ".join(w.text for w in tail)) is not None:
            return tail
    return []


def read_certificate(engine: OcrEngine, page: PageText) -> dict[str, FieldValue]:
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
        fields["first_name"] = name_reader(both[:1], parse_single_name)
        fields["patronymic"] = name_reader(both[1:], parse_name)

    # --- date of birth: digits, confirmed or corrected by the date in words below them
    date_hits = hits("birth_date")
    date_words = _value_words(page, date_hits, all_hits)
    if not date_words:
        # The label unread (a smudge, a seal): the first date in digits above the place of birth.
        place_line = min((h.line_index for h in hits("birth_place")), default=parents_start)
        date_words = _first_digit_date(page, 0, place_line)
    fields["birth_date"] = _birth_date(engine, page, date_words, date_hits)

    # --- place of birth: the value and its continuation lines
    place_hits = hits("birth_place")
    fields["birth_place"] = _birth_place(engine, page, place_hits, all_hits, value_h)

    # --- act record number: after "запись акта о рождении №", or on the next line
    fields["birth_act_record_number"] = _act_record(engine, page, hits("act_record"))

    # --- date of issue
    issue_words = _value_words(page, hits("issue_date"), all_hits)
    if not any(re.search(r"\d", w.text) for w in issue_words) and hits("issue_date"):
        issue_words = read_region(engine, page, box_right_of(page, hits("issue_date")[0]))
    if parse_date_value(" ".join(w.text for w in issue_words)) is None:
        # The label may be hidden by the seal or broken over two lines: the date of issue is
        # the first date printed after the place of registration.
        after = max([h.line_index for h in hits("registration")] + [parents_start], default=0)
        issue_words = _first_date_after(page, after) or issue_words
    # Printed in digits or with the month in words ("5 сентября 2025 г."): no whitelist.
    fields["birth_certificate_issue_date"] = read_field(
        engine, page, issue_words, parse_date_value, lang="rus"
    )

    # --- series and number, at the bottom, often in red
    series, number = _series_and_number(engine, page)
    fields["birth_certificate_series"] = series
    fields["birth_certificate_number"] = number
    return fields


def _name_reader(
    engine: OcrEngine, page: PageText
) -> Callable[[list[Word], Callable[[str], str | None]], FieldValue]:
    def read(
        words: list[Word], parser: Callable[[str], str | None] = parse_single_name
    ) -> FieldValue:
        words = [w for w in words if re.search(r"[А-ЯЁа-яёA-Za-z]", w.text)]
        return read_field(engine, page, words, parser, lang="rus", whitelist=NAME_CHARS)

    return read


def _birth_date(
    engine: OcrEngine, page: PageText, words: list[Word], hits: list[LabelHit]
) -> FieldValue:
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
    if in_words is not None:
        readings.append(in_words)
    field = decide(readings)
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
    parts: list[list[Word]] = [first] if first else []
    label_lines = {h.line_index for h in all_hits}
    idx = hit.line_index
    heights = sorted(w.box.height for w in first) if first else [int(page.lines[idx].height)]
    ref_h = heights[len(heights) // 2]
    for _ in range(2):
        nxt = line_below(page, idx, max_gap=1.2)
        if nxt is None or nxt in label_lines:
            break
        line = page.lines[nxt]
        if line.height < 0.7 * ref_h or _is_caption_text(line.text):  # a caption under it
            break
        if any(re.search(r"\d{2}\.\d{2}\.\d{4}|№", w.text) for w in line.words):
            break
        parts.append(list(line.words))
        idx = nxt
    readings_text: list[str] = []
    confidences: list[float] = []
    boxes: list[Box] = []
    for words in parts:
        box = union_boxes([w.box for w in words])
        again = read_region(engine, page, box, lang="rus")
        chosen = again if again else words
        readings_text.append(" ".join(w.text for w in chosen))
        first_text = " ".join(w.text for w in words)
        agree = first_text == readings_text[-1]
        c = sum(w.confidence for w in chosen) / max(1, len(chosen))
        confidences.append(min(1.0, c + 0.05) if agree else c * 0.8)
        boxes.append(box)
    text = parse_place(" ".join(readings_text))
    if not text:
        return FieldValue(value=None, confidence=0.0, needs_review=True)
    conf = min(confidences)
    return FieldValue(
        value=text,
        confidence=conf,
        box=union_boxes(boxes),
        raw=text,
        needs_review=conf < REVIEW_THRESHOLD,
    )


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
            return read_field(
                engine, page, run, parse_digits((1, 24)), lang="eng", whitelist=DIGITS
            )
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
                return read_field(
                    engine, page, run, parse_digits((1, 24)), lang="eng", whitelist=DIGITS
                )
    return FieldValue(value=None, confidence=0.0, needs_review=True)


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


def _series_and_number(engine: OcrEngine, page: PageText) -> tuple[FieldValue, FieldValue]:
    """Series ("XL-ВК") and number at the bottom of the certificate.

    The numeral is Latin and the letters Cyrillic, so the line is read several ways — the
    English model (also restricted to I V X L C D M), the Russian model (also restricted to
    capitals) — and each part is decided by a weighted vote: the English readings count most for
    the numeral, the Russian ones for the letters. Disagreement lowers the confidence.
    """
    index = None
    for i in range(len(page.lines) - 1, -1, -1):
        text = page.lines[i].text
        if _parse_series_line(text) or re.search(r"№\s*\d{6}", text):
            index = i
            break
    if index is None:
        empty = FieldValue(value=None, confidence=0.0, needs_review=True)
        return empty, empty
    line = page.lines[index]
    box = line.box
    series_word = line.words[0]
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
            read_region(
                engine, page, series_word.box, lang="eng", whitelist="IVXLCDM-", height=height
            )
        )
        numerals.append((roman.split("-")[0].strip(), weight))
    caps = _join(read_region(engine, page, series_word.box, lang="rus", whitelist=CAPITALS + "-"))
    if "-" in caps:
        letters.append((series_letters_to_cyrillic(caps.rsplit("-", 1)[1].strip()), 2.0))
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

    numeral, n_share = _vote(numerals, _valid_numeral)
    letter, l_share = _vote(letters, lambda x: bool(re.fullmatch(r"[А-ЯЁ]{2}", x)))
    number, d_share = _vote(numbers, lambda x: len(x) in (6, 7))
    conf = line.confidence
    series_value = f"{numeral}-{letter}" if numeral and letter else None
    series_conf = min(n_share, l_share) * (0.5 + 0.5 * conf) if series_value else 0.0
    number_conf = d_share * (0.5 + 0.5 * conf) if number else 0.0
    raw = line.text
    other_numerals = {n for n, _ in numerals if _valid_numeral(n)} - {numeral or ""}
    return (
        FieldValue(
            value=series_value,
            confidence=series_conf,
            box=series_word.box,
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


def _join(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def _vote(
    readings: list[tuple[str, float]], valid: Callable[[str], bool]
) -> tuple[str | None, float]:
    """The valid value with the most weight, and its share of the weight of all readings."""
    total = sum(w for _, w in readings)
    weights: dict[str, float] = {}
    for value, w in readings:
        if valid(value):
            weights[value] = weights.get(value, 0.0) + w
    if not weights or total <= 0:
        return None, 0.0
    best = max(weights, key=lambda v: weights[v])
    return best, weights[best] / total

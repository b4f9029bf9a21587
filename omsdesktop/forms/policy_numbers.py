"""The policy's numbers found as runs of digits: the 16-digit ENP (unified paper policy, card,
electronic extract) and the temporary certificate's nine digits.

The blank's own serial number («Бланк № ...») is never the policy number.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from omsdesktop.forms.fields import DIGITS, decide, reading_of
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.normalize import fold, to_cyrillic
from omsdesktop.forms.policy_page import PolicyContext, decide_rereading
from omsdesktop.forms.policy_parse import DATE_IN_WORD_RE, NUMBER_SIGN_RE, digits_parser, parse_enp
from omsdesktop.forms.validators import is_valid_enp
from omsdesktop.ocr.engine import Word
from omsdesktop.ocr.layout import PageText
from omsdesktop.text import LETTER_TO_DIGIT

_LETTER_TO_DIGIT_TABLE = str.maketrans(LETTER_TO_DIGIT)


@dataclass(frozen=True)
class DigitRun:
    """Number-like words side by side on one line of the page pass, and their digits."""

    line_index: int
    words: tuple[Word, ...]
    digits: str


def _digit_word(text: str) -> str | None:
    """The digits of a word that is a number (group), or None for dates, SNILS and words."""
    if DATE_IN_WORD_RE.search(text) or re.search(r"\d-\d", text):
        return None
    core = text.strip("№|:;,.()[]!'\"«»")
    core = re.sub(r"^(№|N[oо°º]?)", "", core)
    # Specks read between digits ("52'7096'725381'7995").
    core = re.sub(r"[`'’‘,]", "", core)
    core = core.translate(_LETTER_TO_DIGIT_TABLE)
    if not core or not core.isdigit():
        return None
    return core


def _digit_runs(page: PageText, skip_lines: set[int]) -> list[DigitRun]:
    runs: list[DigitRun] = []
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
                runs.append(DigitRun(li, tuple(current), digits))
            current, digits = [], ""
    return runs


def _blank_serial_lines(page: PageText) -> set[int]:
    """Lines printing the blank's own serial ("Бланк № ..."): never the policy number."""
    return {i for i, line in enumerate(page.lines) if "бланк" in fold(to_cyrillic(line.text))}


def find_enp_runs(ctx: PolicyContext) -> list[DigitRun]:
    """Digit runs that may be the 16-digit ENP, best first."""
    runs = [
        r for r in _digit_runs(ctx.page, _blank_serial_lines(ctx.page)) if 13 <= len(r.digits) <= 19
    ]
    label_lines = {h.line_index for h in ctx.of("enp")}

    def rank(r: DigitRun) -> tuple[int, int, int, int]:
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


def read_enp(ctx: PolicyContext, runs: list[DigitRun], *, reread: bool) -> FieldValue:
    if not runs:
        return FieldValue(value=None, confidence=0.0, needs_review=True)
    run = runs[0]
    ctx.used_lines.add(run.line_index)
    first = reading_of(run.words, parse_enp)
    if reread and first.box is not None:
        field = decide_rereading(
            ctx,
            first,
            parse_enp,
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


def temporary_number(ctx: PolicyContext) -> FieldValue:
    """Nine digits (sometimes printed 3 + 6) after "№" under the title."""
    runs = [
        r for r in _digit_runs(ctx.page, _blank_serial_lines(ctx.page)) if 7 <= len(r.digits) <= 11
    ]
    if not runs:
        return FieldValue(value=None, confidence=0.0, needs_review=True)

    def rank(r: DigitRun) -> tuple[int, int, int]:
        line = ctx.page.lines[r.line_index]
        has_sign = any(NUMBER_SIGN_RE.match(w.text) or w.text.startswith("№") for w in line.words)
        return (0 if len(r.digits) == 9 else 1, 0 if has_sign else 1, r.line_index)

    run = sorted(runs, key=rank)[0]
    ctx.used_lines.add(run.line_index)
    parser = digits_parser(7, 11)
    first = reading_of(run.words, parser)
    assert first.box is not None
    return decide_rereading(
        ctx, first, parser, lang="eng", whitelist=DIGITS + " ", validate=lambda v: len(v) == 9
    )

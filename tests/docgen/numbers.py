"""Document numbers, check digits, dates and dates written out in Russian words."""

from __future__ import annotations

import datetime as dt
import random

TODAY_LIMIT = dt.date(2026, 11, 21)
"""No generated date lies after this day."""

EPOCH_1900 = dt.date(1900, 1, 1)

# --- check digits ----------------------------------------------------------------------------


def luhn_check_digit(payload: str) -> str:
    """The Luhn digit that completes ``payload`` (digits only)."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) >= 2 and luhn_check_digit(number[:-1]) == number[-1]


def random_enp(rnd: random.Random, prefix: str) -> str:
    """A 16-digit ENP with a valid Luhn check digit, starting with a region prefix."""
    body = prefix + "".join(rnd.choice("0123456789") for _ in range(15 - len(prefix)))
    return body + luhn_check_digit(body)


def ogrn_check_digit(first12: str) -> str:
    return str(int(first12) % 11 % 10)


def random_ogrn(rnd: random.Random) -> str:
    """A 13-digit OGRN of a legal entity (invented, valid check digit)."""
    first12 = "10" + "".join(rnd.choice("0123456789") for _ in range(10))
    return first12 + ogrn_check_digit(first12)


def snils_check(first9: str) -> str:
    total = sum(int(d) * w for d, w in zip(first9, range(9, 0, -1), strict=True))
    if total < 100:
        return f"{total:02d}"
    if total in (100, 101):
        return "00"
    rest = total % 101
    return "00" if rest == 100 else f"{rest:02d}"


def random_snils(rnd: random.Random) -> str:
    """A SNILS formatted "XXX-XXX-XXX YY" (printed as a distractor on some extracts)."""
    first9 = str(rnd.randint(2_000_000, 999_999_999)).zfill(9)
    return f"{first9[0:3]}-{first9[3:6]}-{first9[6:9]} {snils_check(first9)}"


# --- birth certificate numbers ---------------------------------------------------------------

_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


# Two-letter series codes use capitals that print unambiguously; soft/hard signs and Й never.
_SERIES_LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"


def random_certificate_series(rnd: random.Random) -> str:
    """E.g. "II-МЮ", "XIX-КБ": a region's Roman numeral, a hyphen, two Cyrillic capitals."""
    while True:
        numeral = roman(rnd.randint(1, 99))
        if len(numeral) <= 6:
            break
    letters = rnd.choice(_SERIES_LETTERS) + rnd.choice(_SERIES_LETTERS)
    return f"{numeral}-{letters}"


def random_certificate_number(rnd: random.Random) -> str:
    return f"{rnd.randint(0, 999_999):06d}"


def random_act_record_number(rnd: random.Random, registered: dt.date, okato: int) -> str:
    """Short numbers before 2018; 21-digit numbers from the unified register after."""
    if registered.year < 2018:
        return str(rnd.choice((rnd.randint(1, 99), rnd.randint(100, 999), rnd.randint(1, 4999))))
    office = f"{okato // 1000:02d}{rnd.randint(0, 99999):05d}"
    serial = f"{rnd.randint(1, 999_999_999):09d}"
    return f"1{registered.year:04d}{office}{serial}"


# --- policy numbers --------------------------------------------------------------------------


def random_temporary_number(rnd: random.Random) -> str:
    return f"{rnd.randint(100, 999)}{rnd.randint(0, 999_999):06d}"


def random_old_series(rnd: random.Random, enp_prefix: str) -> str:
    letters = "АБВГДЕЖЗИКЛМНПРСТУХЭЮЯ"
    kind = rnd.randrange(4)
    if kind == 0:
        return "".join(rnd.choice(letters) for _ in range(3))
    if kind == 1:
        return f"{enp_prefix} {rnd.choice(letters)}{rnd.choice(letters)}"
    if kind == 2:
        return f"{enp_prefix}{rnd.randint(0, 99):02d}"
    return f"{rnd.choice(letters)}{rnd.choice(letters)}-{rnd.randint(1, 99):02d}"


def random_old_number(rnd: random.Random) -> str:
    length = rnd.choice((6, 7, 8, 10, 12))
    return "".join(rnd.choice("0123456789") for _ in range(length))


def random_blank_serial(rnd: random.Random) -> str:
    """The 11-digit serial of the unified policy blank (NOT the policy number)."""
    return f"{rnd.randint(1, 99):02d}" + "".join(rnd.choice("0123456789") for _ in range(9))


# --- dates -----------------------------------------------------------------------------------


def days_since_1900(day: dt.date) -> int:
    return (day - EPOCH_1900).days


def iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def dotted(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


MONTHS_GENITIVE: tuple[str, ...] = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)

_UNITS_ORD = (
    "",
    "первого",
    "второго",
    "третьего",
    "четвертого",
    "пятого",
    "шестого",
    "седьмого",
    "восьмого",
    "девятого",
)
_TEENS_ORD = (
    "десятого",
    "одиннадцатого",
    "двенадцатого",
    "тринадцатого",
    "четырнадцатого",
    "пятнадцатого",
    "шестнадцатого",
    "семнадцатого",
    "восемнадцатого",
    "девятнадцатого",
)
_TENS_ORD = (
    "",
    "",
    "двадцатого",
    "тридцатого",
    "сорокового",
    "пятидесятого",
    "шестидесятого",
    "семидесятого",
    "восьмидесятого",
    "девяностого",
)
_TENS_CARD = (
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
)
_HUNDREDS_CARD = (
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
)
_HUNDREDS_ORD = (
    "",
    "сотого",
    "двухсотого",
    "трехсотого",
    "четырехсотого",
    "пятисотого",
    "шестисотого",
    "семисотого",
    "восьмисотого",
    "девятисотого",
)


def ordinal_genitive(n: int) -> str:
    """Ordinal numeral, masculine/neuter genitive, 1 <= n <= 99: 21 -> "двадцать первого"."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    if n < 10:
        return _UNITS_ORD[n]
    if n < 20:
        return _TEENS_ORD[n - 10]
    tens, units = divmod(n, 10)
    if units == 0:
        return _TENS_ORD[tens]
    return f"{_TENS_CARD[tens]} {_UNITS_ORD[units]}"


def year_genitive(year: int) -> str:
    """1985 -> "тысяча девятьсот восемьдесят пятого", 2019 -> "две тысячи девятнадцатого"."""
    thousands, rest = divmod(year, 1000)
    if thousands not in (1, 2):
        raise ValueError(year)
    if rest == 0:
        return "тысячного" if thousands == 1 else "двухтысячного"
    head = "тысяча" if thousands == 1 else "две тысячи"
    hundreds, low = divmod(rest, 100)
    if low == 0:
        return f"{head} {_HUNDREDS_ORD[hundreds]}"
    parts = [head]
    if hundreds:
        parts.append(_HUNDREDS_CARD[hundreds])
    parts.append(ordinal_genitive(low))
    return " ".join(parts)


def date_in_words(day: dt.date) -> str:
    """ "двенадцатого марта две тысячи девятнадцатого года"."""
    return (
        f"{ordinal_genitive(day.day)} {MONTHS_GENITIVE[day.month - 1]} "
        f"{year_genitive(day.year)} года"
    )


def date_long(day: dt.date, quotes: bool) -> str:
    """ "«20» марта 2019 г." or "20 марта 2019 г."."""
    d = f"«{day.day:02d}»" if quotes else str(day.day)
    return f"{d} {MONTHS_GENITIVE[day.month - 1]} {day.year} г."


def reference_date(rnd: random.Random) -> dt.date:
    """The day a generated document "was made": within the year before TODAY_LIMIT."""
    return TODAY_LIMIT - dt.timedelta(days=rnd.randint(0, 330))


def random_birth_date(rnd: random.Random, reference: dt.date) -> dt.date:
    """A child's birth date, 3 weeks to 16 years before the reference day.

    Ages stop at 16 so that a child generated today is still under 18 in the next year or so,
    when the tests keep running.
    """
    # Some babies (often without a policy of their own yet), the rest up to 16 years.
    days = rnd.randint(21, 120) if rnd.random() < 0.08 else rnd.randint(21, 16 * 365)
    return reference - dt.timedelta(days=days)

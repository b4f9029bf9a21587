"""Checking names as names: surname, first name and patronymic against a Russian dictionary.

OCR on a policy or a birth certificate can put the right word into the wrong field (the first
name read as the surname), read a printed caption as a value («(при наличии)» as the
patronymic «Приналичин»), glue a caption to a value («Фамилиязахаров») or misread one letter
(«Алексанлр»). The reader is confident about all of these. This module says when a value must
not be shown as certain, and why.

The dictionary is pymorphy3's Russian one (OpenCorpora), with the grammemes ``Surn`` (surname),
``Name`` (first name) and ``Patr`` (patronymic). It is loaded once, lazily, on the first check.

Rules (each makes ``certain_ok`` False unless said otherwise):

* A caption or label of the forms (фамилия, имя, отчество, при наличии, дата рождения, пол,
  подпись застрахованного лица, срок действия, место рождения, номер полиса ОМС, …) is never
  a name, nor is a run of caption words («Номерполисаомс»). Spaces, brackets and case are
  ignored, ё = е. Captions of 7–11 letters may carry one misread letter, longer ones two
  («Приналичин»), but never when the dictionary knows the word as a name; shorter ones match
  only exactly, because real names are that short and that close (Ия, Полина / «полиса»).
* A caption glued to the value («Фамилиязахаров», «ИмяАнна») is never certain; the value
  without the caption is offered as a candidate.
* Surname field: a word the dictionary knows as a first name (``Name`` in the nominative
  singular) and never as a surname is a first name in the wrong field; likewise a patronymic.
  «Александров», «Роман» (also ``Surn``) pass; so do surnames the dictionary does not know.
* First-name field: a patronymic, or a word known only as a surname with a surname's suffix
  (-ов, -ин, -ский, …), is in the wrong field.
* Patronymic field: the value must end like a patronymic (-ович, -евич, -ич, -овна, -евна,
  -ична, -инична) or be «<name> оглы / кызы / улы / гызы / уулу».
* A first name or patronymic the dictionary does not know is *unusual*: a warning, still
  certain (rare and non-Russian names exist; the commonest ones the dictionary lacks, such as
  София and Амелия, are added here). It is not certain when it is a likely misread: a known
  one is one look-alike letter away, or the word is no dictionary word at all and a known one
  is one dropped or stray letter away, or it is a known name in another case («Анны»).
  Candidates keep the reading's form: the gender of a patronymic, and a first name ending in
  -а/-я only gives names ending so (Амир is not offered Амира, Никита stays masculine).
* Hyphenated and multi-word values are checked part by part (Римский-Корсаков, Анна-Мария).

OCR-style edit: one letter replaced by a look-alike (л/д, н/п/и, и/й, ш/щ, е/ё/с, …), one
letter dropped or one stray letter added. Only the first kind is corrected automatically.
Known limitation: the dictionary also holds some misspelt names from its source texts
(«Алексанр», «Алексагдр»); such a reading passes as a known name.

Nothing here logs or prints, and no message contains the value: values are a child's personal
data.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from rapidfuzz.distance import Levenshtein

from omsdesktop.forms.normalize import fold, name_case, normalize_name_chars
from omsdesktop.ocr.types import Problem, ProblemSpec

NameSlot = Literal["last_name", "first_name", "patronymic"]
NAME_SLOTS: tuple[NameSlot, ...] = ("last_name", "first_name", "patronymic")

_LABELS: dict[str, tuple[str, str]] = {
    "last_name": ("Фамилия", "Surname"),
    "first_name": ("Имя", "Name"),
    "patronymic": ("Отчество", "Patronymic"),
}

# --- problem specs --------------------------------------------------------------------------

NAME_IS_CAPTION = ProblemSpec(
    "name_is_caption",
    "В поле «{label}» попала надпись с бланка («фамилия», «при наличии» и т. п.), а не само "
    "значение. Впишите значение из документа.",
    "The field “{label_en}” holds a caption printed on the form (“фамилия”, “при наличии”, "
    "…), not the value. Enter the value from the document.",
)
NAME_GLUED_CAPTION = ProblemSpec(
    "name_glued_caption",
    "В поле «{label}» к значению приклеилась надпись с бланка. Уберите её и сверьте значение "
    "с документом.",
    "In “{label_en}” a caption printed on the form is glued to the value. Remove it and "
    "compare the value with the document.",
)
FIRST_NAME_IN_SURNAME = ProblemSpec(
    "name_first_name_in_surname",
    "Похоже, в поле «Фамилия» записано имя. Сверьте с документом.",
    "The “Surname” field seems to hold a first name. Compare it with the document.",
)
PATRONYMIC_IN_WRONG_FIELD = ProblemSpec(
    "name_patronymic_in_wrong_field",
    "Похоже, в поле «{label}» записано отчество. Сверьте с документом.",
    "The “{label_en}” field seems to hold a patronymic. Compare it with the document.",
)
SURNAME_IN_FIRST_NAME = ProblemSpec(
    "name_surname_in_first_name",
    "Похоже, в поле «Имя» записана фамилия. Сверьте с документом.",
    "The “Name” field seems to hold a surname. Compare it with the document.",
)
PATRONYMIC_ENDING = ProblemSpec(
    "name_patronymic_ending",
    "В поле «Отчество» записано не отчество: отчество оканчивается на -ович, -евич, -ич, "
    "-овна, -евна или -ична (или пишется с «оглы», «кызы»). Сверьте с документом.",
    "The “Patronymic” field does not hold a patronymic: a patronymic ends in -ович, -евич, "
    "-ич, -овна, -евна or -ична (or is written with “оглы”, “кызы”). Compare it with the "
    "document.",
)
NAME_UNUSUAL = ProblemSpec(
    "name_unusual",
    "Такого варианта нет в словаре имён для поля «{label}». Если имя редкое, всё в порядке; "
    "просто проверьте написание по документу.",
    "This spelling is not in the dictionary for “{label_en}”. If the name is rare that is "
    "fine; just check the spelling against the document.",
)
NAME_MAYBE_MISREAD = ProblemSpec(
    "name_maybe_misread",
    "В поле «{label}», похоже, неверно прочитана буква: такого варианта нет в словаре, а "
    "похожий есть. Сверьте с документом и выберите вариант из подсказки или впишите верный.",
    "A letter in “{label_en}” seems misread: this spelling is not in the dictionary but a "
    "close one is. Compare it with the document and pick a suggestion or type the right one.",
)
NAME_CORRECTED = ProblemSpec(
    "name_corrected",
    "В поле «{label}» буква была прочитана неразборчиво и исправлена по словарю. Сверьте с "
    "документом; прочитанный вариант есть в подсказках.",
    "A letter in “{label_en}” was unclear and has been corrected from the dictionary. Compare "
    "it with the document; the reading as scanned is among the suggestions.",
)
NAME_SAME_AS_OTHER = ProblemSpec(
    "name_same_as_other",
    "В полях «{label}» и «{other}» записано одно и то же. Скорее всего, строки перепутаны: "
    "сверьте с документом.",
    "“{label_en}” and “{other_en}” hold the same word. The lines were probably mixed up: "
    "compare them with the document.",
)


def name_problem(spec: ProblemSpec, slot: str, severity: Literal["blocking", "warning"]) -> Problem:
    """A problem about the name field ``slot`` (labels filled in, no value in the text)."""
    label, label_en = _LABELS.get(slot, (slot, slot))
    return Problem.of(spec, severity, label=label, label_en=label_en)


def same_as_other_problem(slot: str, other: str) -> Problem:
    label, label_en = _LABELS.get(slot, (slot, slot))
    other_ru, other_en = _LABELS.get(other, (other, other))
    return Problem.of(
        NAME_SAME_AS_OTHER, "warning", label=label, label_en=label_en, other=other_ru,
        other_en=other_en,
    )  # fmt: skip


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameCheck:
    """The verdict on one name field.

    Attributes:
        problems: what is wrong or unusual, in Russian with English twins.
        certain_ok: False when the value must not be shown as certain (needs review).
        candidates: readings to offer the user instead (name-cased), best first.
    """

    problems: tuple[Problem, ...] = ()
    certain_ok: bool = True
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class NameCorrection:
    """``value`` is the corrected reading (or the value unchanged); ``candidates`` are the
    other plausible readings to show, best first (never including ``value``)."""

    value: str
    candidates: tuple[str, ...] = ()


# --- captions -------------------------------------------------------------------------------

# Captions and labels printed on the policy, the temporary certificate, the electronic extract
# and the birth certificate, written without spaces (compared on letters only).
_CAPTIONS: tuple[str, ...] = (
    "фамилия", "имя", "отчество", "приналичии", "отчествоприналичии", "имяотчество",
    "фамилияимяотчество", "датарождения", "датарожденияпол", "пол", "подпись",
    "подписьзастрахованноголица", "застрахованного", "застрахованноголица", "лица",
    "срокдействия", "срок", "действия", "месторождения", "место", "рождения", "дата",
    "датавыдачи", "выдачи", "полис", "обязательного", "медицинского", "страхования",
    "обязательногомедицинскогострахования", "свидетельство", "свидетельствоорождении",
    "орождении", "родился", "родилась", "родилсялась", "гражданство", "гражданин",
    "гражданка", "национальность", "отец", "мать", "число", "месяц", "год", "цифрами",
    "прописью", "муж", "жен", "мужской", "женский", "наименование", "серия", "номер",
    "образец", "российская", "федерация", "российскаяфедерация", "временное", "застрахованное",
    "лицо", "застрахованноелицо", "представитель", "печать", "наличии", "страховой",
    "медицинской", "организации", "запись", "акта", "записьакта",
    # The electronic extract and the plastic card.
    "номерполиса", "единыйномерполиса", "номерполисаомс", "единыйномерполисаомс", "омс",
    "полисомс", "енп", "снилс", "статус", "статусполиса", "смо", "страховаяорганизация",
    "страховаямедицинскаяорганизация", "выписка", "регистр", "реестр", "субъект",
    "единый", "полиса", "страховая", "медицинская", "рф",
)  # fmt: skip

# Words that make up the captions: a reading made only of them («Номерполисаомс») is a
# caption too, whatever the order.
_CAPTION_TOKENS: frozenset[str] = frozenset(
    {"фамилия", "имя", "отчество", "при", "наличии", "дата", "рождения", "пол", "подпись",
     "застрахованного", "застрахованное", "лица", "лицо", "срок", "действия", "место", "выдачи",
     "полис", "полиса", "обязательного", "медицинского", "страхования", "номер", "единый",
     "омс", "енп", "снилс", "серия", "свидетельство", "рождении", "статус", "страховая",
     "страховой", "медицинская", "медицинской", "организация", "организации", "смо", "выписка",
     "регистра", "реестра", "субъект", "российская", "федерация", "рф", "гражданство"}
)  # fmt: skip

# Captions that may open a line and get glued to the value that follows, per field.
_GLUED_PREFIXES: dict[str, tuple[str, ...]] = {
    "last_name": ("фамилия",),
    "first_name": ("имяотчество", "имя"),
    "patronymic": ("отчество",),
}
_ANY_GLUED: tuple[str, ...] = ("фамилия", "отчество", "имяотчество", "имя")


def _letters(text: str) -> str:
    return re.sub(r"[^а-я]", "", fold(text))


def _allowed_typos(caption: str) -> int:
    if len(caption) <= 6:
        return 0  # имя, пол, дата, полиса: real names are this short and this close (Полина)
    return 1 if len(caption) <= 11 else 2  # «страховой» must not swallow «Страхов»


_LONGEST_TOKEN = 15  # «застрахованного»


def _made_of_tokens(letters: str) -> bool:
    """``letters`` is two or more caption words run together («номерполисаомс»)."""
    reach = [0] + [-1] * len(letters)  # reach[i]: fewest words covering letters[:i], or -1
    for i in range(len(letters)):
        if reach[i] < 0:
            continue
        for j in range(i + 2, min(len(letters), i + _LONGEST_TOKEN) + 1):
            if letters[i:j] in _CAPTION_TOKENS and (reach[j] < 0 or reach[j] > reach[i] + 1):
                reach[j] = reach[i] + 1
    return reach[-1] >= 2


def is_caption(text: str) -> bool:
    """True when ``text`` is a caption of the forms, read with up to an OCR-typo or two."""
    letters = _letters(text)
    if not letters:
        return False
    if _made_of_tokens(letters):
        return True
    if letters in _CAPTIONS:
        return True
    for caption in _CAPTIONS:
        typos = _allowed_typos(caption)
        if abs(len(caption) - len(letters)) > typos:
            continue
        if Levenshtein.distance(letters, caption, score_cutoff=typos) <= typos:
            # A misread caption, unless the dictionary knows the word as a name.
            info = _analyze(letters)
            return not (info.name or info.patr or info.surname)
    return False


def _without_captions(words: list[str]) -> list[str]:
    """The words that are not captions (a two-word caption such as «при наличии» included)."""
    kept: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words) and is_caption(words[i] + words[i + 1]):
            i += 2
        elif is_caption(words[i]):
            i += 1
        else:
            kept.append(words[i])
            i += 1
    return kept


def _strip_glued(word: str, prefixes: Iterable[str]) -> str | None:
    """The rest of ``word`` when it starts or ends with a caption glued to it, else None."""
    letters = fold(word)
    best: tuple[int, int, str] | None = None  # (typos, |cut - caption length|, rest)
    for caption in prefixes:
        typos = _allowed_typos(caption)
        for cut in range(len(caption) - typos, len(caption) + typos + 1):
            if len(letters) - cut < 2:
                continue
            for piece, rest in ((letters[:cut], word[cut:]), (letters[-cut:], word[:-cut])):
                distance = Levenshtein.distance(piece, caption, score_cutoff=typos)
                if distance <= typos:
                    key = (distance, abs(cut - len(caption)), rest)
                    if best is None or key[:2] < best[:2]:
                        best = key
    return None if best is None else best[2]


# --- the dictionary -------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _morph() -> Any:
    """pymorphy3's Russian analyser (about 0.3 s and 15 MB): loaded on first use, kept."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


# Common first names the dictionary lacks or knows only as another word (София is a city there).
_EXTRA_FEMALE_NAMES = frozenset(
    {"софия", "амелия", "амина", "сафия", "асия", "доминика", "мирра", "лея", "элиф", "хадижат",
     "ясмина", "аиша", "эмилия", "мия", "ясмин"}
)  # fmt: skip
_EXTRA_MALE_NAMES = frozenset({"эмир", "ясмин", "мухаммад", "мухаммед", "даниэль"})


@dataclass(frozen=True)
class _Word:
    name: frozenset[str]  # genders ("masc"/"femn") of known first names in the nominative
    patr: frozenset[str]  # genders of known patronymics in the nominative
    surname: bool  # known as a surname (any form)
    surname_nominative: bool  # known as a surname in the nominative singular


def _known_parses(word: str) -> list[Any]:
    """The dictionary's analyses of ``word`` (none for a word it does not know: guessing from
    the ending is of no use here, and slow)."""
    if not _is_known(word):
        return []
    return [p for p in _morph().parse(word) if p.is_known]


def _analyze(word: str) -> _Word:
    name: set[str] = set()
    patr: set[str] = set()
    surname = surname_nominative = False
    for parse in _known_parses(word):
        if not parse.is_known:
            continue
        tag = parse.tag
        nominative = "nomn" in tag and "sing" in tag
        gender = "femn" if "femn" in tag else "masc"
        if "Surn" in tag:
            surname = True
            surname_nominative = surname_nominative or nominative
        if nominative and "Name" in tag:
            name.add(gender)
        if nominative and "Patr" in tag:
            patr.add(gender)
    key = fold(word)
    if key in _EXTRA_FEMALE_NAMES:
        name.add("femn")
    if key in _EXTRA_MALE_NAMES:
        name.add("masc")
    return _Word(frozenset(name), frozenset(patr), surname, surname_nominative)


# The neighbour searches are cached for the last few words: check_name and correct_name of one
# field ask for the same word (a few hundred bytes in memory, nothing written anywhere).
@functools.lru_cache(maxsize=64)
def _nominatives(slot: str, word: str) -> tuple[str, ...]:
    """The nominative singular, same gender, of a first name / patronymic read in another case
    («Анны» → «Анна»)."""
    grammeme = {"first_name": "Name", "patronymic": "Patr"}.get(slot)
    out: list[str] = []
    for parse in _known_parses(word):
        tag = parse.tag
        if not parse.is_known or grammeme not in tag or "sing" not in tag or "nomn" in tag:
            continue
        form = parse.inflect({"sing", "nomn"})
        if form is not None and str(form.word) not in out:
            out.append(str(form.word))
    return tuple(out)


def _is_known(word: str) -> bool:
    return bool(_morph().word_is_known(word))


def _spelled(word: str) -> str | None:
    """The dictionary's spelling of a known word (with ё where it has one)."""
    for parse in _known_parses(word):
        return str(parse.word)
    return None


# --- OCR-style neighbours -------------------------------------------------------------------

_LOOKALIKE_PAIRS: tuple[str, ...] = (
    "лд", "лп", "нп", "ни", "пи", "ий", "шщ", "цщ", "ьъ", "ьб", "ьы", "зэ", "её", "ес", "еэ",
    "ос", "оа", "ад", "гт", "гр", "кх", "жх", "уч", "вз", "вб", "ыи", "яа", "ия",
)  # fmt: skip
_ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


@functools.lru_cache(maxsize=1)
def _lookalikes() -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in _LOOKALIKE_PAIRS:
        a, b = pair[0], pair[1]
        out[a] = out.get(a, "") + b
        out[b] = out.get(b, "") + a
    return out


def _substitutions(word: str) -> Iterable[str]:
    table = _lookalikes()
    for i, ch in enumerate(word):
        for other in table.get(ch, ""):
            yield word[:i] + other + word[i + 1 :]


def _insertions_deletions(word: str) -> Iterable[str]:
    """Dictionary words one dropped or one stray letter away from ``word`` (strict spelling).

    Walks the dictionary's DAWG prefix by prefix where the pure-Python reader allows it (about
    0.3 ms for a 9-letter word); otherwise tries every variant (about 1.5 ms).
    """
    words = _morph().dictionary.words
    for i in range(len(word)):
        variant = word[:i] + word[i + 1 :]
        if variant in words:
            yield variant
    dct = getattr(words, "dct", None)
    separator = getattr(words, "_payload_separator", None)
    if dct is None or not isinstance(separator, bytes):
        for i in range(1, len(word) + 1):
            for ch in _ALPHABET:
                variant = word[:i] + ch + word[i:]
                if variant in words:
                    yield variant
        return
    prefix = dct.ROOT
    for i in range(1, len(word) + 1):
        prefix = dct.follow_bytes(word[i - 1].encode(), prefix)
        if not prefix:
            break
        tail = word[i:].encode() + separator
        for ch in _ALPHABET:
            index = dct.follow_bytes(ch.encode(), prefix)
            if index and dct.follow_bytes(tail, index):
                yield word[:i] + ch + word[i:]


def _gender_of(slot: str, word: str) -> str | None:
    """The gender a patronymic shows by its ending (None when it does not show one)."""
    if slot != "patronymic":
        return None  # first names: Никита and Илья are masculine; see _same_ending_class
    if re.search(r"(ич|оглы|улы|уулу)$", word):
        return "masc"
    if re.search(r"(на|кызы|гызы|кзы)$", word):
        return "femn"
    return None


def _same_ending_class(a: str, b: str) -> bool:
    """Both or neither end in -а/-я: a candidate keeps the reading's form (Амир is not Амира,
    Анна is not Анн)."""
    return (a[-1:] in ("а", "я")) == (b[-1:] in ("а", "я"))


def _slot_genders(slot: str, info: _Word) -> frozenset[str]:
    return info.name if slot == "first_name" else info.patr if slot == "patronymic" else frozenset()


def _slot_word(slot: str, variant: str, gender: str | None) -> str | None:
    """The dictionary spelling of ``variant`` if it is a first name / patronymic of the field
    in the nominative with the gender the reading shows; else None."""
    genders = _slot_genders(slot, _analyze(variant))
    if not genders or (gender is not None and gender not in genders):
        return None
    return _spelled(variant) or variant


@functools.lru_cache(maxsize=64)
def _lookalike_neighbours(slot: str, word: str) -> tuple[str, ...]:
    """Known first names / patronymics one look-alike letter from ``word`` (folded)."""
    gender = _gender_of(slot, word)
    found: dict[str, str] = {}
    for variant in _substitutions(word):
        key = fold(variant)
        if key in found or key == word or not _same_ending_class(key, word):
            continue
        if not _is_known(variant):
            continue
        spelled = _slot_word(slot, variant, gender)
        if spelled is not None:
            found[key] = spelled
    return tuple(found.values())


@functools.lru_cache(maxsize=64)
def _surname_lookalike(word: str) -> str | None:
    """The one known surname (nominative) one look-alike letter from ``word`` (folded), if
    there is exactly one."""
    found = {
        fold(variant)
        for variant in _substitutions(word)
        if fold(variant) != word
        and _same_ending_class(fold(variant), word)
        and _is_known(variant)
        and _analyze(variant).surname_nominative
    }
    return found.pop() if len(found) == 1 else None


@functools.lru_cache(maxsize=64)
def _edit_neighbours(slot: str, word: str) -> tuple[str, ...]:
    """Known first names / patronymics one dropped or stray letter from ``word``."""
    gender = _gender_of(slot, word)
    found: dict[str, str] = {}
    for variant in _insertions_deletions(word):
        key = fold(variant)
        if len(variant) < 2 or key in found or key == word:
            continue
        if not _same_ending_class(key, word):
            continue
        spelled = _slot_word(slot, variant, gender)
        if spelled is not None:
            found[key] = spelled
    return tuple(found.values())


# --- the checks -----------------------------------------------------------------------------

_PARTICLES = frozenset({"оглы", "кызы", "улы", "гызы", "уулу", "кзы"})
_PATRONYMIC_RE = re.compile(r"(ич|вна|чна)$")
_SURNAME_SUFFIX_RE = re.compile(r"(ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|цкий|ская|цкая)$")


def _parts(value: str) -> list[str]:
    """The words and hyphen parts of a value, folded."""
    return [fold(p) for p in re.split(r"[ \-]+", value) if p]


def _known_in_slot(slot: str, part: str) -> bool:
    return bool(_slot_genders(slot, _analyze(part)))


def check_name(slot: str, value: str) -> NameCheck:
    """Check one name field; ``slot`` is "last_name", "first_name" or "patronymic"."""
    text = normalize_name_chars(value).strip()
    if slot not in _LABELS or not text:
        return NameCheck()
    problems: list[Problem] = []

    # Captions read as values, whole or glued.
    words = [w for w in text.split(" ") if _parts(w)]
    if not words:
        return NameCheck()  # no letters: the validators say what is wrong
    kept = _without_captions(words)
    if not kept or is_caption(text):
        return NameCheck((name_problem(NAME_IS_CAPTION, slot, "blocking"),), False, ())
    unglued: list[str] = []
    glued = len(kept) != len(words)
    for word in kept:
        rest = _strip_glued(word, _GLUED_PREFIXES.get(slot, ()) or _ANY_GLUED)
        if rest is None:
            rest = _strip_glued(word, _ANY_GLUED)
        if rest is not None and not is_caption(rest):
            glued = True
            unglued.append(rest)
        else:
            unglued.append(word)
    if glued:
        rest_text = name_case(" ".join(unglued))
        sub = check_name(slot, rest_text)
        return NameCheck(
            (name_problem(NAME_GLUED_CAPTION, slot, "warning"), *sub.problems),
            False,
            (rest_text, *sub.candidates),
        )

    parts = _parts(text)
    # Each space-separated word by its hyphen parts' analyses: a hyphenated word is a first
    # name (Анна-Мария) only if all its parts are; one such word among several is enough.
    word_infos = [[_analyze(p) for p in _parts(w)] for w in words]
    if slot == "last_name":
        if any(all(i.name and not i.surname for i in w) for w in word_infos):
            problems.append(name_problem(FIRST_NAME_IN_SURNAME, slot, "warning"))
        elif any(all(i.patr and not i.surname for i in w) for w in word_infos):
            problems.append(name_problem(PATRONYMIC_IN_WRONG_FIELD, slot, "warning"))
        if problems:
            return NameCheck(tuple(problems), False, ())
        # A surname the dictionary does not know, one look-alike letter from exactly one it
        # does («Талиева» for «Галиева»): likely misread. Not corrected (many real surnames
        # are not in the dictionary), but not certain either.
        pieces = re.split(r"([ \-]+)", text)
        suggestions: list[str] = []
        for index, piece in enumerate(pieces):
            part = fold(piece)
            if index % 2 or len(part) < 4 or _is_known(part):
                continue
            near = _surname_lookalike(part)
            if near is not None:
                suggestions.append(_whole(pieces, index, near))
        if suggestions:
            problem = name_problem(NAME_MAYBE_MISREAD, slot, "warning")
            return NameCheck((problem,), False, tuple(suggestions))
        return NameCheck()

    if slot == "patronymic":
        turkic = len(words) >= 2 and fold(words[-1]) in _PARTICLES
        if turkic:
            return NameCheck()
        if not all(_PATRONYMIC_RE.search(_parts(w)[-1]) for w in words if _parts(w)):
            last = parts[-1]
            close = _nominatives(slot, last) or _lookalike_neighbours(slot, last)
            options = _options(slot, text) if close and len(words) == 1 else ()
            if options:  # «Владимировпч», «Владимировича»: a misread patronymic, not a wrong word
                problem = name_problem(NAME_MAYBE_MISREAD, slot, "warning")
                return NameCheck((problem,), False, options)
            problems.append(name_problem(PATRONYMIC_ENDING, slot, "warning"))
            return NameCheck(tuple(problems), False, ())
    else:  # first_name
        if any(all(i.patr and not i.name for i in w) for w in word_infos):
            problems.append(name_problem(PATRONYMIC_IN_WRONG_FIELD, slot, "warning"))
            return NameCheck(tuple(problems), False, ())
        if any(
            all(
                i.surname_nominative and not i.name and _SURNAME_SUFFIX_RE.search(p)
                for i, p in zip(infos, _parts(w), strict=True)
            )
            for infos, w in zip(word_infos, words, strict=True)
        ):
            problems.append(name_problem(SURNAME_IN_FIRST_NAME, slot, "warning"))
            return NameCheck(tuple(problems), False, ())

    # Unknown first names / patronymics: unusual, or a likely misread of a known one.
    unknown = [p for p in parts if not _known_in_slot(slot, p) and p not in _PARTICLES]
    if not unknown:
        return NameCheck()
    misread = any(
        _nominatives(slot, p)
        or _lookalike_neighbours(slot, p)
        or (not _is_known(p) and _edit_neighbours(slot, p))
        for p in unknown
    )
    if not misread:
        return NameCheck((name_problem(NAME_UNUSUAL, slot, "warning"),), True, ())
    problem = name_problem(NAME_MAYBE_MISREAD, slot, "warning")
    return NameCheck((problem,), False, _options(slot, text))


def _options(slot: str, text: str) -> tuple[str, ...]:
    """What :func:`correct_name` would put in the field and offer, without ``text`` itself."""
    correction = correct_name(slot, text)
    options = [correction.value, *correction.candidates]
    return tuple(o for o in options if fold(o) != fold(text))


def correct_name(slot: str, value: str) -> NameCorrection:
    """Correct an OCR reading toward a dictionary first name or patronymic.

    A part of the value that the dictionary does not know for the field is replaced only when
    exactly one known name (or patronymic) of the same gender is one look-alike letter away
    («Алексанлр» → «Александр»); then the other close ones are the candidates. Otherwise the
    value comes back unchanged with every close one (look-alike, dropped or stray letter) as a
    candidate. Surnames are never corrected: the dictionary knows only a small share of them.
    """
    text = normalize_name_chars(value).strip()
    if slot not in ("first_name", "patronymic") or not text:
        return NameCorrection(value)
    pieces = re.split(r"([ \-]+)", text)
    corrected: list[str] = []
    alternatives: list[str] = []
    changed = False
    for index, piece in enumerate(pieces):
        part = fold(piece)
        if not part or not re.fullmatch(r"[а-яё]+", part) or len(part) < 3:
            corrected.append(piece)
            continue
        if part in _PARTICLES or _known_in_slot(slot, part):
            corrected.append(piece)
            continue
        nominatives = _nominatives(slot, part)
        if nominatives:  # a name in another case: show its nominative, correct nothing
            corrected.append(piece)
            alternatives.extend(_whole(pieces, index, o) for o in nominatives)
            continue
        lookalike = _lookalike_neighbours(slot, part)
        other = [o for o in _edit_neighbours(slot, part) if fold(o) not in map(fold, lookalike)]
        if len(lookalike) == 1:
            corrected.append(_match_case(piece, lookalike[0]))
            changed = True
            alternatives.extend(_whole(pieces, index, o) for o in other)
        else:
            corrected.append(piece)
            alternatives.extend(_whole(pieces, index, o) for o in (*lookalike, *other))
    result = "".join(corrected) if changed else value
    seen = {fold(result)}
    unique: list[str] = []
    for alt in alternatives:
        if fold(alt) not in seen:
            seen.add(fold(alt))
            unique.append(alt)
    return NameCorrection(result, tuple(unique[:6]))


def _match_case(original: str, replacement: str) -> str:
    if original.isupper():
        return replacement.upper()
    return name_case(replacement) if original[:1].isupper() else replacement


def _whole(pieces: list[str], index: int, option: str) -> str:
    """The whole value with the piece at ``index`` replaced by ``option``."""
    return "".join(_match_case(p, option) if i == index else p for i, p in enumerate(pieces))


def known_name_parts(full_name: str) -> int:
    """How many words of «Фамилия Имя Отчество» the dictionary knows for their place: the
    first as a surname, the second as a first name, the third as a patronymic. Two readings
    of one name line that disagree («Емельянов» on the page, «Мельянов» in a re-read that lost
    the letter on the underline) are ranked by it; neither is certain."""
    words = [fold(w) for w in full_name.split()]
    words = [w for w in words if w not in _PARTICLES] + [w for w in words if w in _PARTICLES]
    # A word past the three (a caption or a speck read with the line) counts against.
    known = -sum(1 for w in words[3:] if w not in _PARTICLES)
    for slot, word in zip(("last_name", "first_name", "patronymic"), words, strict=False):
        parts = [p for p in word.split("-") if p]
        if not parts or any(len(p) < 3 for p in parts):
            continue  # «Но»: a scrap, even where the dictionary has it
        if slot == "last_name":
            known += all(_analyze(p).surname for p in parts)
        else:
            known += all(_known_in_slot(slot, p) for p in parts)
    return known


def split_glued_names(word: str) -> tuple[str, str] | None:
    """A first name and a patronymic read as one word («МИРОСЛАВАРИНАТОВНА»), apart.

    Only where exactly one cut gives a first name the dictionary knows followed by a known
    patronymic of the same gender; None otherwise (the caller keeps the word for review).
    """
    text = word.strip()
    letters = fold(text)
    if " " in text or len(letters) < 8 or not _PATRONYMIC_RE.search(letters):
        return None
    whole = _analyze(letters)
    if whole.name or whole.patr:
        return None  # one name, not two
    found = [
        cut
        for cut in range(3, len(letters) - 4)
        if _analyze(letters[:cut]).name & _analyze(letters[cut:]).patr
    ]
    if len(found) != 1:
        return None
    head, tail = text[: found[0]], text[found[0] :]
    if not text.isupper():
        tail = tail[:1].upper() + tail[1:]
    return head, tail


__all__ = [
    "NAME_SLOTS",
    "NameCheck",
    "NameCorrection",
    "check_name",
    "correct_name",
    "is_caption",
    "known_name_parts",
    "name_problem",
    "same_as_other_problem",
    "split_glued_names",
]

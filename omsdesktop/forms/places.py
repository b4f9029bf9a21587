"""The region in a place of birth, checked against the closed list of Russia's oblasts and krais.

A place of birth is a town (any of thousands) and, for most, its region: «г. Дзержинск
Нижегородской области», «с. Знаменка … Краснодарского края». The towns are an open list, but
the regions are not: an adjective standing before «области» / «края» (or «область» / «край»)
that is one misread letter away from exactly one region («Нижегоролской», «Красноларского»)
is that region. Anything else is left as read.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

# Stems of the oblasts' adjectives (…ская область / …ской области).
_OBLAST_STEMS = (
    "Амур",
    "Архангель",
    "Астрахан",
    "Белгород",
    "Брян",
    "Владимир",
    "Волгоград",
    "Вологод",
    "Воронеж",
    "Запорож",
    "Иванов",
    "Иркут",
    "Калининград",
    "Калуж",
    "Кемеров",
    "Киров",
    "Костром",
    "Курган",
    "Кур",
    "Ленинград",
    "Магадан",
    "Москов",
    "Мурман",
    "Нижегород",
    "Новгород",
    "Новосибир",
    "Ом",
    "Оренбург",
    "Орлов",
    "Пензен",
    "Псков",
    "Ростов",
    "Рязан",
    "Самар",
    "Саратов",
    "Сахалин",
    "Свердлов",
    "Смолен",
    "Тамбов",
    "Твер",
    "Том",
    "Туль",
    "Тюмен",
    "Ульянов",
    "Херсон",
    "Челябин",
    "Ярослав",
)
# Oblasts whose adjective is not stem + «ская».
_OBLAST_OTHER = ("Липецкая", "Еврейская")

# The krais' adjectives (…ский край / …ского края).
_KRAI_STEMS = (
    "Алтай",
    "Забайкаль",
    "Камчат",
    "Краснодар",
    "Краснояр",
    "Перм",
    "Примор",
    "Ставрополь",
    "Хабаров",
)


def _forms() -> dict[str, str]:
    """Every region adjective in the two cases a place is written in, keyed by its fold."""
    words: list[str] = []
    for stem in _OBLAST_STEMS:
        words += [f"{stem}ская", f"{stem}ской"]
    for word in _OBLAST_OTHER:
        words += [word, word[:-2] + "ой"]
    for stem in _KRAI_STEMS:
        words += [f"{stem}ский", f"{stem}ского"]
    return {w.casefold(): w for w in words}


_REGION_FORMS = _forms()

# The word after the adjective: область / области / обл., край / края.
_REGION_NOUN = re.compile(r"^(обл|кра[йя])", re.IGNORECASE)


def mend_region(place: str) -> str:
    """``place`` with the adjective of its region put right where one region is closest and
    within one misread letter (two for long words); otherwise ``place`` unchanged."""
    words = place.split(" ")
    for i in range(len(words) - 1):
        if not _REGION_NOUN.match(words[i + 1]):
            continue
        word = words[i]
        key = word.casefold()
        if key in _REGION_FORMS or len(key) < 6:
            continue
        budget = 1 if len(key) < 10 else 2
        scored = sorted(
            (Levenshtein.distance(key, fold, score_cutoff=budget + 1), form)
            for fold, form in _REGION_FORMS.items()
        )
        (best, form), (second, _) = scored[0], scored[1]
        if best > budget or second <= best:
            continue
        words[i] = form.upper() if word.isupper() else form
    return " ".join(words)


__all__ = ["mend_region"]

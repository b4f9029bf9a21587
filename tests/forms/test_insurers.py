"""The shipped insurers list and fuzzy matching of OCR text to it."""

from __future__ import annotations

import pytest

from omsdesktop.forms.insurers import MATCH_THRESHOLD, Insurer, load_insurers, match_insurer

GENERATOR_SHORT_NAMES = [
    "АО «СОГАЗ-Мед»",
    "ООО «Капитал МС»",
    "АО «МАКС-М»",
    "ООО «СМК РЕСО-Мед»",
    "ООО «АльфаСтрахование-ОМС»",
    "ООО «Ингосстрах-М»",
]


def ogrn_ok(ogrn: str) -> bool:
    return len(ogrn) == 13 and ogrn.isdigit() and int(ogrn[:12]) % 11 % 10 == int(ogrn[12])


def test_list_loads_and_is_well_formed() -> None:
    insurers = load_insurers()
    assert len(insurers) >= 35
    for insurer in insurers:
        assert insurer.full_name and insurer.short_name
        assert "«" in insurer.full_name
        assert insurer.ogrn is None or ogrn_ok(insurer.ogrn), insurer
        assert insurer.region_code is None or (
            len(insurer.region_code) == 2 and insurer.region_code.isdigit()
        )
        assert insurer.smocod is None or len(insurer.smocod) == 5
    # One row per insurer and region, as in F002.
    keys = [(i.short_name, i.region_code) for i in insurers]
    assert len(keys) == len(set(keys))


def test_short_names_a_generator_may_print_are_listed() -> None:
    shorts = {i.short_name for i in load_insurers()}
    for name in GENERATOR_SHORT_NAMES:
        assert name in shorts


@pytest.mark.parametrize("name", GENERATOR_SHORT_NAMES)
def test_exact_short_names_match_fully(name: str) -> None:
    insurer, score = match_insurer(name)
    assert insurer is not None and insurer.short_name == name
    assert score == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "short_name"),
    [
        ("АО «Страховая компания «СОГАЗ-Мед»", "АО «СОГАЗ-Мед»"),
        ('АО "СОГАЗ-Мед"', "АО «СОГАЗ-Мед»"),
        ("Акционерное общество «СОГАЗ-Мед»", "АО «СОГАЗ-Мед»"),
        ("A0 «Страхов4я комлания «СОГА3-Мeд»", "АО «СОГАЗ-Мед»"),  # OCR noise, Latin letters
        ("СОГАЗМед", "АО «СОГАЗ-Мед»"),
        ("ООО «Капитал Медицинское Страхование»", "ООО «Капитал МС»"),
        (
            "Страховая медицинская организация: ООО “Капитал Медицинское Страхование” "
            "филиал в г. Москве",
            "ООО «Капитал МС»",
        ),
        ("АО «Медицинская акционерная страховая компания»", "АО «МАКС-М»"),
        ("МАКС-M", "АО «МАКС-М»"),
        ("ООО «Страховая медицинская компания РЕСО-Мед»", "ООО «СМК РЕСО-Мед»"),
        ("ООО СМК «РЕСО Мед»", "ООО «СМК РЕСО-Мед»"),
        ("Альфа Страхование - ОМС", "ООО «АльфаСтрахование-ОМС»"),
        ("ООО «Страховая компания «Ингосстрах-М»", "ООО «Ингосстрах-М»"),
        ("ООО «Ингоострах-М»", "ООО «Ингосстрах-М»"),  # one letter misread
        ("АО СМК Астрамед-МС", "АО «СМК «Астрамед-МС»"),
        ("ООО «СМО «АК БАРС-Мед»", "ООО «СМО «АК БАРС-Мед»"),
        # An underline read as «_» between two misread words.
        ("АО «Медииинская_акиионевная страховая компания", "АО «МАКС-М»"),
    ],
)
def test_noisy_text_matches(text: str, short_name: str) -> None:
    insurer, score = match_insurer(text)
    assert insurer is not None, (text, score)
    assert insurer.short_name == short_name
    assert MATCH_THRESHOLD <= score <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "«»",
        "Страховая медицинская организация",
        "Медицинская страховая компания",
        "Полис обязательного медицинского страхования",
        "Выдан отделом ЗАГС администрации района",
        "Иванова Анна Сергеевна",
        "Акционерное общество «Ромашка»",
        "Росгосстрах-Медицина",
        "бессрочно",
    ],
)
def test_unrelated_text_matches_nothing(text: str) -> None:
    insurer, score = match_insurer(text)
    assert insurer is None
    assert 0.0 <= score < MATCH_THRESHOLD


def test_region_picks_the_branch() -> None:
    moscow, _ = match_insurer("АО «СОГАЗ-Мед»", region_code="77")
    saratov, _ = match_insurer("АО «СОГАЗ-Мед»", region_code="64")
    assert moscow is not None and moscow.region_code == "77"
    assert saratov is not None and saratov.region_code == "64"
    # A region without a branch still gives the insurer.
    elsewhere, _ = match_insurer("АО «СОГАЗ-Мед»", region_code="99")
    assert elsewhere is not None and elsewhere.short_name == "АО «СОГАЗ-Мед»"


def test_custom_list() -> None:
    mine = (Insurer("12345", "ООО «Тестовая СМО «Ромашка»", "ООО «Ромашка»", None, "12"),)
    insurer, score = match_insurer("ООО Ромашка", insurers=mine)
    assert insurer == mine[0] and score == pytest.approx(1.0)
    assert match_insurer("АО «СОГАЗ-Мед»", insurers=mine)[0] is None
    assert match_insurer("ООО Ромашка", insurers=())[0] is None

"""Names checked as names (forms/names.py) with the real pymorphy3 dictionary, and the hook
into the field rules (forms/checks.py)."""

from __future__ import annotations

import time

import pytest

from omsdesktop.forms.checks import apply_field_rules
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.names import check_name, correct_name, is_caption, split_glued_names
from tests.docgen import data


def codes(check) -> list[str]:
    return [p.code for p in check.problems]


# --- the wrong word in the field ------------------------------------------------------------


@pytest.mark.parametrize("value", ["Александр", "АЛЕКСАНДР", "Анна", "Владимир"])
def test_a_first_name_in_the_surname_field_is_not_certain(value):
    check = check_name("last_name", value)
    assert not check.certain_ok
    assert codes(check) == ["name_first_name_in_surname"]
    assert check.problems[0].message == (
        "Похоже, в поле «Фамилия» записано имя. Сверьте с документом."
    )


@pytest.mark.parametrize(
    "value",
    [
        "Чернодубровский",
        "Александров",  # also a genitive plural of Александр: still a surname
        "Александрова",
        "Роман",  # a first name, and a surname too
        "Иванова",
        "Ким",
        "Черных",
        "Римский-Корсаков",
        "Мамедов",
        "Зыскинд",  # a surname the dictionary does not know is not a problem
    ],
)
def test_surnames_pass(value):
    check = check_name("last_name", value)
    assert check.certain_ok and check.problems == ()


def test_a_patronymic_in_the_surname_or_name_field_is_not_certain():
    assert codes(check_name("last_name", "Владимирович")) == ["name_patronymic_in_wrong_field"]
    assert not check_name("first_name", "Владимирович").certain_ok
    assert not check_name("first_name", "Сергеевна").certain_ok


def test_a_surname_in_the_first_name_field_is_not_certain():
    check = check_name("first_name", "Захаров")
    assert not check.certain_ok
    assert codes(check) == ["name_surname_in_first_name"]


# --- captions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slot", "value"),
    [
        ("patronymic", "Приналичин"),
        ("patronymic", "При наличии"),
        ("patronymic", "(при наличии)"),
        ("patronymic", "Отчество"),
        ("last_name", "Фамилия"),
        ("last_name", "ФАМИЛИЯ"),
        ("first_name", "Имя"),
        ("first_name", "Дата рождения"),
        ("first_name", "пол"),
        ("last_name", "Подпись застрахованного лица"),
        ("last_name", "Срок действия"),
        ("first_name", "Место рождения"),
        ("last_name", "Фамнлия"),  # misread caption
        ("last_name", "Номерполисаомс"),  # caption words run together (electronic extract)
        ("last_name", "Единый номер полиса ОМС"),
        ("last_name", "ОМС"),
    ],
)
def test_a_caption_is_never_a_name(slot, value):
    check = check_name(slot, value)
    assert not check.certain_ok
    assert codes(check) == ["name_is_caption"]
    assert check.candidates == ()


def test_short_captions_match_only_exactly():
    assert is_caption("имя") and is_caption("Пол")
    assert not is_caption("Ия") and not is_caption("Ян") and not is_caption("Страхов")
    assert check_name("first_name", "Ия").certain_ok
    # One letter from the caption «полиса», but a name the dictionary knows.
    assert not is_caption("Полина") and check_name("first_name", "Полина").certain_ok


@pytest.mark.parametrize(
    ("slot", "value", "rest"),
    [
        ("last_name", "Фамилиязахаров", "Захаров"),
        ("last_name", "ФАМИЛИЯЗАХАРОВ", "Захаров"),
        ("first_name", "ИмяАнна", "Анна"),
        ("patronymic", "ОтчествоВладимирович", "Владимирович"),
        ("patronymic", "Владимирович (при наличии)", "Владимирович"),
    ],
)
def test_a_caption_glued_to_the_value_is_not_certain_and_the_value_is_offered(slot, value, rest):
    check = check_name(slot, value)
    assert not check.certain_ok
    assert codes(check)[0] == "name_glued_caption"
    assert check.candidates[0] == rest


# --- patronymics ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["Владимирович", "Владимировна", "Ильич", "Ильинична", "Лукинична", "Львовна", "Юрьевич",
     "Эльдар оглы", "Эльдар кызы", "Али оглы", "ВЛАДИМИРОВИЧ"],
)  # fmt: skip
def test_patronymics_pass(value):
    check = check_name("patronymic", value)
    assert check.certain_ok and check.problems == (), value


@pytest.mark.parametrize("value", ["Владимиров", "Владимир", "Иванова", "Анна"])
def test_a_patronymic_without_a_patronymic_ending_is_not_certain(value):
    check = check_name("patronymic", value)
    assert not check.certain_ok
    assert codes(check) == ["name_patronymic_ending"]


def test_a_patronymic_in_another_case_offers_its_nominative_of_the_same_gender():
    assert check_name("patronymic", "Владимировича").candidates == ("Владимирович",)
    assert check_name("patronymic", "Владимировне").candidates == ("Владимировна",)
    assert not check_name("patronymic", "Владимировне").certain_ok


# --- first names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["Анна", "Александра", "Алёна", "Алена", "Анна-Мария", "Мария-Виктория", "Никита"]
)
def test_first_names_and_female_forms_pass(value):
    check = check_name("first_name", value)
    assert check.certain_ok and check.problems == ()


def test_a_rare_name_the_dictionary_lacks_is_a_warning_only():
    check = check_name("first_name", "Зульфиякан")
    assert check.certain_ok
    assert codes(check) == ["name_unusual"]
    assert check.problems[0].severity == "warning"


def test_a_name_in_another_case_is_not_certain_and_its_nominative_is_offered():
    check = check_name("first_name", "Анны")
    assert not check.certain_ok
    assert check.candidates == ("Анна",)
    assert correct_name("first_name", "Анны").value == "Анны"  # offered, not corrected


# --- correction -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slot", "value", "expected"),
    [
        ("first_name", "Алексанлр", "Александр"),
        ("first_name", "АЛЕКСАНЛР", "АЛЕКСАНДР"),
        ("first_name", "Ннкита", "Никита"),  # masculine in -а keeps its ending
        ("first_name", "Милапа", "Милана"),
        ("patronymic", "Владимировпч", "Владимирович"),
        ("patronymic", "Владимнровна", "Владимировна"),  # the feminine form stays feminine
        ("patronymic", "Ильиничпа", "Ильинична"),
        ("first_name", "Анна-Марпя", "Анна-Мария"),
    ],
)
def test_one_misread_look_alike_letter_is_corrected(slot, value, expected):
    assert correct_name(slot, value).value == expected
    check = check_name(slot, value)
    assert not check.certain_ok
    assert codes(check) == ["name_maybe_misread"]
    assert check.candidates[0] == expected


def test_an_ambiguous_misread_is_left_alone_with_candidates():
    corrected = correct_name("first_name", "Ннна")
    assert corrected.value == "Ннна"
    assert {"Инна", "Нина"} <= set(corrected.candidates)
    check = check_name("first_name", "Ннна")
    assert not check.certain_ok and {"Инна", "Нина"} <= set(check.candidates)


def test_known_names_and_surnames_are_never_corrected():
    assert correct_name("first_name", "Анна") == correct_name("first_name", "Анна")
    assert correct_name("first_name", "Анна").value == "Анна"
    assert correct_name("first_name", "Анна").candidates == ()
    assert correct_name("last_name", "Ивапов").value == "Ивапов"  # surnames: open set
    assert correct_name("first_name", "Амир").value == "Амир"  # not «Амира»


# --- the honest guard against false alarms --------------------------------------------------


def _generator_names() -> dict[str, set[str]]:
    firsts = set(
        data.BOY_NAMES
        + data.GIRL_NAMES
        + data.HYPHENATED_GIRL_NAMES
        + data.FATHER_NAMES
        + data.MOTHER_NAMES
    )
    patronymics = {data.patronymic(f, sex) for f in data.FATHER_NAMES for sex in "МЖ"}
    surnames = set(data._SURNAMES_A) | {s + "а" for s in data._SURNAMES_A}
    surnames |= {s for pair in data._SURNAMES_PAIRS for s in pair}
    return {"first_name": firsts, "patronymic": patronymics, "last_name": surnames}


def test_every_name_of_the_document_generator_passes_as_certain():
    """Real Russian names (tests/docgen/data.py), in Title case and in capitals."""
    flagged = []
    warned = []
    count = 0
    for slot, values in _generator_names().items():
        for value in sorted(values):
            for text in (value, value.upper()):
                count += 1
                check = check_name(slot, text)
                if not check.certain_ok:
                    flagged.append((slot, text, codes(check)))
                elif check.problems:
                    warned.append((slot, text, codes(check)))
    assert count > 1000
    assert not flagged
    assert not warned


def test_checks_are_fast_after_warm_up():
    check_name("first_name", "Анна")
    values = [("last_name", "Чернодубровский"), ("first_name", "Алексанлр"),
              ("patronymic", "Владимирович"), ("first_name", "Зульфиякан")]  # fmt: skip
    start = time.perf_counter()
    for slot, value in values * 5:
        check_name(slot, value)
    per_call = (time.perf_counter() - start) / (len(values) * 5)
    assert per_call < 0.01  # about 0.2–2 ms here; generous for slow CI machines


# --- apply_field_rules ----------------------------------------------------------------------


def _fields(**values: str | None) -> dict[str, FieldValue]:
    return {name: FieldValue(value=v, confidence=0.95) for name, v in values.items()}


def test_field_rules_flag_a_first_name_read_as_the_surname():
    out = apply_field_rules(
        _fields(last_name="Александр", first_name="Александр", patronymic="Приналичин")
    )
    surname, first, patronymic = out["last_name"], out["first_name"], out["patronymic"]
    assert surname.needs_review and surname.confidence <= 0.5
    assert "name_first_name_in_surname" in [p.code for p in surname.problems]
    assert "name_same_as_other" in [p.code for p in surname.problems]
    assert first.needs_review and first.confidence <= 0.5
    assert "name_same_as_other" in [p.code for p in first.problems]
    assert patronymic.needs_review and patronymic.confidence <= 0.5
    assert "name_is_caption" in [p.code for p in patronymic.problems]


def test_field_rules_leave_a_right_reading_alone():
    fields = _fields(last_name="Чернодубровский", first_name="Александр", patronymic="Владимирович")
    out = apply_field_rules(fields)
    for name in ("last_name", "first_name", "patronymic"):
        assert out[name] == fields[name], name


def test_field_rules_correct_a_misread_letter_and_keep_the_reading():
    out = apply_field_rules(_fields(last_name="Иванов", first_name="Алексанлр"))
    first = out["first_name"]
    assert first.value == "Александр"
    assert first.alternatives[0] == "Алексанлр"
    assert first.needs_review and first.confidence <= 0.5
    assert first.problems[0].code == "name_corrected"
    assert "Алексанлр" not in first.problems[0].message  # no personal data in messages


def test_field_rules_put_candidates_into_alternatives():
    out = apply_field_rules(_fields(last_name="Фамилиязахаров", first_name="Ннна"))
    assert out["last_name"].alternatives[0] == "Захаров"
    assert out["last_name"].needs_review
    assert {"Инна", "Нина"} <= set(out["first_name"].alternatives)
    assert out["first_name"].value == "Ннна"


def test_field_rules_trust_barcode_and_typed_names():
    fields = {
        "last_name": FieldValue("Марк", 1.0, source="barcode"),
        "first_name": FieldValue("Марк", 1.0, source="typed"),
    }
    out = apply_field_rules(fields)
    assert out == fields


def test_a_rare_name_keeps_its_confidence_with_a_warning():
    out = apply_field_rules(_fields(first_name="Зульфиякан"))
    assert not out["first_name"].needs_review
    assert out["first_name"].confidence == 0.95
    assert [p.code for p in out["first_name"].problems] == ["name_unusual"]


@pytest.mark.parametrize(
    ("slot", "value", "code"),
    [
        ("first_name", "Анна Владимировна", "name_patronymic_in_wrong_field"),
        ("first_name", "Анна Иванова", "name_surname_in_first_name"),
        ("last_name", "Иванов Александр", "name_first_name_in_surname"),
        ("last_name", "Анна-Мария", "name_first_name_in_surname"),
        ("patronymic", "Иванов Владимирович", "name_patronymic_ending"),
    ],
)
def test_two_lines_read_into_one_field_are_not_certain(slot, value, code):
    check = check_name(slot, value)
    assert not check.certain_ok
    assert codes(check) == [code]


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("МИРОСЛАВАРИНАТОВНА", ("МИРОСЛАВА", "РИНАТОВНА")),
        ("Аннасергеевна", ("Анна", "Сергеевна")),
        ("ЕкатеринаИльинична", ("Екатерина", "Ильинична")),
        ("Иванович", None),  # one patronymic, not a name and a patronymic
        ("Мирослава", None),
        ("Анна Сергеевна", None),  # already two words
    ],
)
def test_split_glued_names_only_where_one_cut_gives_a_name_and_a_patronymic(word, parts):
    assert split_glued_names(word) == parts


@pytest.mark.parametrize(
    ("value", "candidate"),
    [("Талиева", "Галиева"), ("СМИРНАВА", "СМИРНОВА")],
)
def test_unknown_surname_one_lookalike_from_a_known_one_is_not_certain(value, candidate):
    check = check_name("last_name", value)
    assert not check.certain_ok
    assert codes(check) == ["name_maybe_misread"]
    assert check.candidates == (candidate,)
    assert correct_name("last_name", value).value == value  # surnames are never corrected


@pytest.mark.parametrize("value", ["Галиева", "Чернодубровский", "Римского-Корсакова"])
def test_known_or_far_surnames_stay_certain(value):
    assert check_name("last_name", value).certain_ok


def test_known_name_parts_counts_each_word_in_its_place() -> None:
    from omsdesktop.forms.names import known_name_parts

    assert known_name_parts("Емельянов Михаил Яковлевич") == 3
    assert known_name_parts("Мельянов Михаил") == 1  # the surname lost its first letter
    assert known_name_parts("Михаил Емельянов") == 0  # each word out of its place
    assert known_name_parts("Савицкая Кира Тимофеевна Сене") == 2  # a word too many
    assert known_name_parts("Но Миа") == 1  # a two-letter scrap never counts


def test_decide_prefers_the_reading_the_dictionary_knows_and_flags_it() -> None:
    from omsdesktop.forms.fields import Reading, decide
    from omsdesktop.forms.names import known_name_parts

    readings = [
        Reading("Емельянов Михаил", "Емельянов Михаил", 0.58, None),
        Reading("мельянов Михаил", "Мельянов Михаил", 0.93, None),
        Reading("мельянов Михаил", "Мельянов Михаил", 0.90, None),
        Reading("Но Миа", "Но Миа", 0.18, None),  # too unsure to rank
    ]
    plain = decide(readings)
    assert plain.value == "Мельянов Михаил"
    ranked = decide(readings, rank=known_name_parts)
    assert ranked.value == "Емельянов Михаил"
    assert ranked.needs_review

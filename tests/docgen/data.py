"""Invented but plausible personal data: names, places, registry offices, insurers.

Nothing here belongs to a real person. Surnames, first names and places are common words of
the language; a child's full name is a random combination of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# --- first names -----------------------------------------------------------------------------

BOY_NAMES: tuple[str, ...] = (
    "Александр",
    "Михаил",
    "Максим",
    "Артём",
    "Иван",
    "Дмитрий",
    "Даниил",
    "Кирилл",
    "Андрей",
    "Егор",
    "Никита",
    "Илья",
    "Алексей",
    "Матвей",
    "Тимофей",
    "Роман",
    "Владимир",
    "Ярослав",
    "Фёдор",
    "Георгий",
    "Константин",
    "Лев",
    "Марк",
    "Арсений",
    "Степан",
    "Владислав",
    "Сергей",
    "Платон",
    "Тимур",
    "Николай",
    "Глеб",
    "Денис",
    "Савелий",
    "Павел",
    "Елисей",
    "Захар",
    "Богдан",
    "Пётр",
    "Семён",
    "Григорий",
    "Демид",
    "Мирон",
    "Всеволод",
    "Святослав",
    "Вячеслав",
    "Эмиль",
    "Рустам",
    "Амир",
)

GIRL_NAMES: tuple[str, ...] = (
    "Анна",
    "Мария",
    "София",
    "Алиса",
    "Виктория",
    "Анастасия",
    "Полина",
    "Елизавета",
    "Александра",
    "Дарья",
    "Варвара",
    "Ксения",
    "Вероника",
    "Василиса",
    "Арина",
    "Милана",
    "Ева",
    "Валерия",
    "Екатерина",
    "Кира",
    "Ульяна",
    "Алёна",
    "Таисия",
    "Маргарита",
    "Есения",
    "Злата",
    "Софья",
    "Юлия",
    "Ольга",
    "Татьяна",
    "Агата",
    "Мирослава",
    "Стефания",
    "Аделина",
    "Камила",
    "Амелия",
    "Василина",
    "Ярослава",
    "Диана",
    "Эвелина",
)

HYPHENATED_GIRL_NAMES: tuple[str, ...] = ("Анна-Мария", "Анна-София", "Мария-Виктория")

# Adult men's names (fathers) with the patronymics they give, masculine and feminine.
# Irregular forms are spelled out; `patronymic()` derives the rest by the standard rules.
_PATRONYMIC_EXCEPTIONS: dict[str, tuple[str, str]] = {
    "Илья": ("Ильич", "Ильинична"),
    "Никита": ("Никитич", "Никитична"),
    "Лука": ("Лукич", "Лукинична"),
    "Кузьма": ("Кузьмич", "Кузьминична"),
    "Фома": ("Фомич", "Фоминична"),
    "Савва": ("Саввич", "Саввична"),
    "Лев": ("Львович", "Львовна"),
    "Павел": ("Павлович", "Павловна"),
    "Пётр": ("Петрович", "Петровна"),
    "Михаил": ("Михайлович", "Михайловна"),
    "Яков": ("Яковлевич", "Яковлевна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Георгий": ("Георгиевич", "Георгиевна"),
    "Игорь": ("Игоревич", "Игоревна"),
    "Олег": ("Олегович", "Олеговна"),
}

FATHER_NAMES: tuple[str, ...] = (
    "Александр",
    "Алексей",
    "Андрей",
    "Антон",
    "Артём",
    "Борис",
    "Вадим",
    "Валерий",
    "Василий",
    "Виктор",
    "Виталий",
    "Владимир",
    "Владислав",
    "Вячеслав",
    "Геннадий",
    "Георгий",
    "Григорий",
    "Денис",
    "Дмитрий",
    "Евгений",
    "Егор",
    "Иван",
    "Игорь",
    "Илья",
    "Кирилл",
    "Константин",
    "Лев",
    "Максим",
    "Михаил",
    "Никита",
    "Николай",
    "Олег",
    "Павел",
    "Пётр",
    "Роман",
    "Руслан",
    "Сергей",
    "Станислав",
    "Степан",
    "Тимур",
    "Фёдор",
    "Юрий",
    "Яков",
    "Ринат",
    "Ильдар",
    "Анатолий",
    "Аркадий",
    "Матвей",
    "Тимофей",
)

MOTHER_NAMES: tuple[str, ...] = (
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Татьяна",
    "Наталья",
    "Ирина",
    "Светлана",
    "Екатерина",
    "Юлия",
    "Анастасия",
    "Дарья",
    "Ксения",
    "Марина",
    "Евгения",
    "Виктория",
    "Надежда",
    "Людмила",
    "Алёна",
    "Оксана",
    "Кристина",
    "Галина",
    "Вера",
    "Любовь",
    "Алина",
    "Гульнара",
    "Диляра",
    "Валентина",
    "Полина",
    "Яна",
)

_VOWELS = "аеёиоуыэюя"


def patronymic(father: str, sex: str) -> str:
    """The patronymic a father's first name gives a son (sex "М") or a daughter ("Ж")."""
    female = sex == "Ж"
    if father in _PATRONYMIC_EXCEPTIONS:
        male_form, female_form = _PATRONYMIC_EXCEPTIONS[father]
        return female_form if female else male_form
    if father.endswith("ий"):
        stem = father[:-2] + "ь"  # Юрий -> Юрьевич, Василий -> Васильевич
        return stem + ("евна" if female else "евич")
    if father.endswith("й"):
        stem = father[:-1]  # Сергей -> Сергеевич, Николай -> Николаевич
        return stem + ("евна" if female else "евич")
    if father.endswith("ь"):
        stem = father[:-1]
        return stem + ("евна" if female else "евич")
    if father[-1] in _VOWELS:
        stem = father[:-1]
        return stem + ("ична" if female else "ич")
    return father + ("овна" if female else "ович")


# --- surnames --------------------------------------------------------------------------------

# Masculine surnames whose feminine form adds "а" (-ов, -ев, -ёв, -ин, -ын).
_SURNAMES_A: tuple[str, ...] = (
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Петров",
    "Волков",
    "Соловьёв",
    "Васильев",
    "Зайцев",
    "Павлов",
    "Семёнов",
    "Голубев",
    "Виноградов",
    "Богданов",
    "Воробьёв",
    "Фёдоров",
    "Михайлов",
    "Беляев",
    "Тарасов",
    "Белов",
    "Комаров",
    "Орлов",
    "Киселёв",
    "Макаров",
    "Андреев",
    "Ковалёв",
    "Ильин",
    "Гусев",
    "Титов",
    "Кузьмин",
    "Кудрявцев",
    "Баранов",
    "Куликов",
    "Алексеев",
    "Степанов",
    "Яковлев",
    "Сорокин",
    "Сергеев",
    "Романов",
    "Захаров",
    "Борисов",
    "Королёв",
    "Герасимов",
    "Пономарёв",
    "Григорьев",
    "Лазарев",
    "Медведев",
    "Ершов",
    "Никитин",
    "Соболев",
    "Рябов",
    "Поляков",
    "Цветков",
    "Данилов",
    "Жуков",
    "Фролов",
    "Журавлёв",
    "Николаев",
    "Крылов",
    "Максимов",
    "Сидоров",
    "Осипов",
    "Белоусов",
    "Федотов",
    "Дорофеев",
    "Егоров",
    "Матвеев",
    "Бобров",
    "Дмитриев",
    "Калинин",
    "Анисимов",
    "Петухов",
    "Антонов",
    "Тимофеев",
    "Никифоров",
    "Веселов",
    "Филиппов",
    "Марков",
    "Большаков",
    "Суханов",
    "Миронов",
    "Ширяев",
    "Александров",
    "Коновалов",
    "Шестаков",
    "Казаков",
    "Ефимов",
    "Денисов",
    "Громов",
    "Фомин",
    "Давыдов",
    "Мельников",
    "Щербаков",
    "Блинов",
    "Колесников",
    "Карпов",
    "Афанасьев",
    "Власов",
    "Маслов",
    "Исаков",
    "Тихонов",
    "Аксёнов",
    "Гаврилов",
    "Родионов",
    "Котов",
    "Горбунов",
    "Кудряшов",
    "Быков",
    "Зуев",
    "Третьяков",
    "Савельев",
    "Панов",
    "Рыбаков",
    "Суворов",
    "Абрамов",
    "Воронов",
    "Мухин",
    "Архипов",
    "Трофимов",
    "Мартынов",
    "Емельянов",
    "Горшков",
    "Чернов",
    "Овчинников",
    "Селезнёв",
    "Панфилов",
    "Копылов",
    "Михеев",
    "Галкин",
    "Назаров",
    "Лобанов",
    "Лукин",
    "Белозёров",
    "Потапов",
    "Некрасов",
    "Хохлов",
    "Жданов",
    "Наумов",
    "Шилов",
    "Воронцов",
    "Ермаков",
    "Дроздов",
    "Игнатьев",
    "Савин",
    "Логинов",
    "Сафонов",
    "Капустин",
    "Кириллов",
    "Моисеев",
    "Елисеев",
    "Кошелев",
    "Костин",
    "Горбачёв",
    "Орехов",
    "Ефремов",
    "Исаев",
    "Евдокимов",
    "Калашников",
    "Кабанов",
    "Хабибуллин",
    "Галиев",
    "Сафин",
    "Гарипов",
    "Шарафутдинов",
    "Нуриев",
    "Зарипов",
    "Муравьёв",
    "Ларионов",
    "Красильников",
    "Колокольцев",
    "Преображенцев",
)

# (masculine, feminine) pairs with other endings, and invariant surnames.
_SURNAMES_PAIRS: tuple[tuple[str, str], ...] = (
    ("Вишневский", "Вишневская"),
    ("Загорский", "Загорская"),
    ("Островский", "Островская"),
    ("Покровский", "Покровская"),
    ("Успенский", "Успенская"),
    ("Рождественский", "Рождественская"),
    ("Яновский", "Яновская"),
    ("Савицкий", "Савицкая"),
    ("Белецкий", "Белецкая"),
    ("Высоцкий", "Высоцкая"),
    ("Троицкий", "Троицкая"),
    ("Толстой", "Толстая"),
    ("Донской", "Донская"),
    ("Полевой", "Полевая"),
    ("Шевченко", "Шевченко"),
    ("Бондаренко", "Бондаренко"),
    ("Коваленко", "Коваленко"),
    ("Ткаченко", "Ткаченко"),
    ("Кравченко", "Кравченко"),
    ("Черных", "Черных"),
    ("Седых", "Седых"),
    ("Долгих", "Долгих"),
    ("Ковальчук", "Ковальчук"),
    ("Мельничук", "Мельничук"),
    ("Гончарук", "Гончарук"),
    ("Ким", "Ким"),
)


def random_surname(rnd: random.Random) -> tuple[str, str]:
    """A (masculine, feminine) surname pair."""
    if rnd.random() < 0.82:
        male = rnd.choice(_SURNAMES_A)
        return male, male + "а"
    return rnd.choice(_SURNAMES_PAIRS)


def gendered_surname(pair: tuple[str, str], sex: str) -> str:
    return pair[1] if sex == "Ж" else pair[0]


# --- people ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    patronymic: str

    @property
    def full(self) -> str:
        return f"{self.last_name} {self.first_name} {self.patronymic}"


@dataclass(frozen=True)
class Family:
    """A child and the parents printed on the birth certificate."""

    child: Person
    sex: str  # "М" or "Ж"
    father: Person | None  # None: a single mother, the father's line is dashed out
    mother: Person


def random_family(rnd: random.Random) -> Family:
    sex = rnd.choice("МЖ")
    surname = random_surname(rnd)
    father_first = rnd.choice(FATHER_NAMES)
    grandfather = rnd.choice(FATHER_NAMES)
    if sex == "М":
        first = rnd.choice(BOY_NAMES)
    elif rnd.random() < 0.03:
        first = rnd.choice(HYPHENATED_GIRL_NAMES)
    else:
        first = rnd.choice(GIRL_NAMES)
    has_father = rnd.random() > 0.06
    father = Person(gendered_surname(surname, "М"), father_first, patronymic(grandfather, "М"))
    if rnd.random() < 0.8:
        mother_surname = gendered_surname(surname, "Ж")
    else:
        mother_surname = gendered_surname(random_surname(rnd), "Ж")
    mother = Person(
        mother_surname, rnd.choice(MOTHER_NAMES), patronymic(rnd.choice(FATHER_NAMES), "Ж")
    )
    if has_father:
        child = Person(gendered_surname(surname, sex), first, patronymic(father_first, sex))
    else:
        # Without a registered father the child takes the mother's surname; the patronymic is
        # given by the mother's statement.
        child_surname = mother.last_name
        if sex == "М" and child_surname.endswith("а") and child_surname[:-1] in _SURNAMES_A:
            child_surname = child_surname[:-1]
        for male_form, female_form in _SURNAMES_PAIRS:
            if sex == "М" and child_surname == female_form:
                child_surname = male_form
        child = Person(child_surname, first, patronymic(father_first, sex))
    return Family(child=child, sex=sex, father=father if has_father else None, mother=mother)


def random_official(rnd: random.Random) -> str:
    """A registrar's initials and surname, e.g. "Т.В. Сидорова"."""
    sex = rnd.choice("МЖ")
    surname = gendered_surname(random_surname(rnd), sex)
    first = rnd.choice(FATHER_NAMES if sex == "М" else MOTHER_NAMES)
    pat = patronymic(rnd.choice(FATHER_NAMES), sex)
    return f"{first[0]}.{pat[0]}. {surname}"


# --- places ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    nominative: str  # "Тамбовская область"
    genitive: str  # "Тамбовской области"
    cities: tuple[tuple[str, str], ...]  # (nominative, genitive)
    districts: tuple[str, ...]  # genitive adjective: "Тамбовского"
    okato: int  # region OKATO code (first two digits, as in the barcode)
    enp_prefix: str  # two leading digits of ENPs issued here


REGIONS: tuple[Region, ...] = (
    Region(
        "Тамбовская область",
        "Тамбовской области",
        (("Тамбов", "Тамбова"), ("Мичуринск", "Мичуринска"), ("Моршанск", "Моршанска")),
        ("Тамбовского", "Мичуринского", "Моршанского", "Рассказовского"),
        68000,
        "68",
    ),
    Region(
        "Воронежская область",
        "Воронежской области",
        (("Воронеж", "Воронежа"), ("Борисоглебск", "Борисоглебска"), ("Лиски", "Лисок")),
        ("Рамонского", "Новоусманского", "Лискинского", "Семилукского"),
        20000,
        "36",
    ),
    Region(
        "Московская область",
        "Московской области",
        (
            ("Подольск", "Подольска"),
            ("Химки", "Химок"),
            ("Балашиха", "Балашихи"),
            ("Коломна", "Коломны"),
            ("Серпухов", "Серпухова"),
        ),
        ("Одинцовского", "Раменского", "Дмитровского", "Истринского"),
        46000,
        "50",
    ),
    Region(
        "Свердловская область",
        "Свердловской области",
        (
            ("Екатеринбург", "Екатеринбурга"),
            ("Нижний Тагил", "Нижнего Тагила"),
            ("Каменск-Уральский", "Каменска-Уральского"),
        ),
        ("Сысертского", "Белоярского", "Талицкого"),
        65000,
        "66",
    ),
    Region(
        "Новосибирская область",
        "Новосибирской области",
        (("Новосибирск", "Новосибирска"), ("Бердск", "Бердска")),
        ("Новосибирского", "Искитимского", "Коченёвского"),
        50000,
        "54",
    ),
    Region(
        "Нижегородская область",
        "Нижегородской области",
        (
            ("Нижний Новгород", "Нижнего Новгорода"),
            ("Дзержинск", "Дзержинска"),
            ("Арзамас", "Арзамаса"),
        ),
        ("Богородского", "Кстовского", "Павловского"),
        22000,
        "52",
    ),
    Region(
        "Ростовская область",
        "Ростовской области",
        (("Ростов-на-Дону", "Ростова-на-Дону"), ("Таганрог", "Таганрога"), ("Шахты", "Шахт")),
        ("Аксайского", "Азовского", "Неклиновского"),
        60000,
        "61",
    ),
    Region(
        "Самарская область",
        "Самарской области",
        (("Самара", "Самары"), ("Тольятти", "Тольятти"), ("Сызрань", "Сызрани")),
        ("Волжского", "Кинельского", "Ставропольского"),
        36000,
        "63",
    ),
    Region(
        "Ярославская область",
        "Ярославской области",
        (("Ярославль", "Ярославля"), ("Рыбинск", "Рыбинска")),
        ("Ярославского", "Ростовского", "Угличского"),
        78000,
        "76",
    ),
    Region(
        "Республика Татарстан",
        "Республики Татарстан",
        (
            ("Казань", "Казани"),
            ("Набережные Челны", "Набережных Челнов"),
            ("Альметьевск", "Альметьевска"),
        ),
        ("Лаишевского", "Зеленодольского", "Высокогорского"),
        92000,
        "16",
    ),
    Region(
        "Республика Башкортостан",
        "Республики Башкортостан",
        (("Уфа", "Уфы"), ("Стерлитамак", "Стерлитамака")),
        ("Уфимского", "Благовещенского", "Чишминского"),
        80000,
        "02",
    ),
    Region(
        "Краснодарский край",
        "Краснодарского края",
        (("Краснодар", "Краснодара"), ("Сочи", "Сочи"), ("Новороссийск", "Новороссийска")),
        ("Динского", "Кореновского", "Северского"),
        3000,
        "23",
    ),
    Region(
        "Пермский край",
        "Пермского края",
        (("Пермь", "Перми"), ("Березники", "Березников")),
        ("Пермского", "Краснокамского", "Кунгурского"),
        57000,
        "59",
    ),
    Region(
        "Алтайский край",
        "Алтайского края",
        (("Барнаул", "Барнаула"), ("Бийск", "Бийска")),
        ("Первомайского", "Павловского", "Топчихинского"),
        1000,
        "22",
    ),
)

FEDERAL_CITIES: tuple[tuple[str, str, int, str], ...] = (
    # (name, genitive, OKATO, ENP prefix)
    ("Москва", "Москвы", 45000, "77"),
    ("Санкт-Петербург", "Санкт-Петербурга", 40000, "78"),
    ("Севастополь", "Севастополя", 67000, "92"),
)

MOSCOW_DISTRICTS: tuple[str, ...] = (
    "Хамовнический",
    "Тверской",
    "Пресненский",
    "Дорогомиловский",
    "Кунцевский",
    "Бабушкинский",
    "Бутырский",
    "Люблинский",
    "Перовский",
    "Тимирязевский",
    "Измайловский",
)
SPB_DISTRICTS: tuple[str, ...] = (
    "Приморского",
    "Калининского",
    "Выборгского",
    "Невского",
    "Московского",
    "Кировского",
)

VILLAGES: tuple[str, ...] = (
    "Ивановка",
    "Петровка",
    "Александровка",
    "Никольское",
    "Покровское",
    "Берёзовка",
    "Михайловка",
    "Знаменка",
    "Сосновка",
    "Вознесенское",
    "Троицкое",
    "Ольховка",
    "Каменка",
    "Дубровка",
    "Красное",
    "Воскресенское",
)


@dataclass(frozen=True)
class Place:
    """Where a child was born and registered."""

    birth_place: str
    registry_office: str
    okato: int
    enp_prefix: str
    region_genitive: str
    region_name: str  # nominative: "Тамбовская область", "г. Москва"


def random_place(rnd: random.Random) -> Place:
    roll = rnd.random()
    if roll < 0.3:
        name, gen, okato, prefix = rnd.choice(FEDERAL_CITIES)
        city_prefix = rnd.choice(("гор.", "г.", "город"))
        birth_place = f"{city_prefix} {name}"
        if name == "Москва":
            district = rnd.choice(MOSCOW_DISTRICTS)
            office = rnd.choice(
                (
                    f"{district} отдел ЗАГС Управления ЗАГС Москвы",
                    f"Отдел ЗАГС {district[:-2]}ого района Управления ЗАГС Москвы",
                    f"Органы ЗАГС Москвы № {rnd.randint(1, 60)}",
                )
            )
        elif name == "Санкт-Петербург":
            district = rnd.choice(SPB_DISTRICTS)
            office = (
                f"Отдел записи актов гражданского состояния {district} района "
                "Комитета по делам записи актов гражданского состояния Санкт-Петербурга"
            )
        else:
            office = f"Отдел ЗАГС города {gen} Управления ЗАГС города {gen}"
        return Place(birth_place, office, okato, prefix, gen, f"г. {name}")
    region = rnd.choice(REGIONS)
    if roll < 0.78:
        city, city_gen = rnd.choice(region.cities)
        city_prefix = rnd.choice(("гор.", "г.", "г."))
        region_part = rnd.choice((region.nominative, region.genitive))
        birth_place = f"{city_prefix} {city} {region_part}"
        office = rnd.choice(
            (
                f"Отдел ЗАГС администрации города {city_gen}",
                f"Отдел записи актов гражданского состояния города {city_gen} {region.genitive}",
                f"Отдел ЗАГС по городу {city_gen} Управления ЗАГС {region.genitive}",
            )
        )
    else:
        village = rnd.choice(VILLAGES)
        district = rnd.choice(region.districts)
        village_prefix = rnd.choice(("с.", "с.", "пос.", "дер."))
        birth_place = f"{village_prefix} {village} {district} района {region.genitive}"
        office = rnd.choice(
            (
                f"Отдел ЗАГС {district} района управления ЗАГС {region.genitive}",
                f"{district[:-3]}ий районный отдел ЗАГС {region.genitive}",
                f"Отдел записи актов гражданского состояния администрации {district} "
                f"муниципального района {region.genitive}",
            )
        )
    return Place(
        birth_place, office, region.okato, region.enp_prefix, region.genitive, region.nominative
    )


# --- insurers --------------------------------------------------------------------------------

INSURERS: tuple[str, ...] = (
    "АО «Страховая компания «СОГАЗ-Мед»",
    "АО «СОГАЗ-Мед»",
    "ООО «Капитал Медицинское Страхование»",
    "ООО «Капитал МС»",
    "АО «МАКС-М»",
    "ООО «СМК РЕСО-Мед»",
    "ООО «АльфаСтрахование-ОМС»",
    "ООО «Страховая компания «Ингосстрах-М»",
    "ООО «ВТБ Медицинское страхование»",
    "ООО «Медицинская страховая компания «ИНКО-МЕД»",
    "ООО «Страховая медицинская компания «АСТРА-МЕТАЛЛ»",
    "АО «Медицинская акционерная страховая компания»",
    "ООО «Медицинская страховая компания «Максимус»",
    "ООО «Югория-Мед»",
    "АО «Страховая компания «Чулпан-Мед»",
    "ООО «Страховая медицинская организация «Аско-Мед-Плюс»",
)
"""Insurer (СМО) names as the generator prints them; the truth uses exactly these strings.

All are real insurers (some since reorganised), so all are in the shipped list; the legal
form and the full or short name vary as they do on real policies."""


def printed_insurer(rnd: random.Random, insurer: str, region_genitive: str) -> str:
    """How a policy prints the insurer: sometimes as a regional branch of it."""
    roll = rnd.random()
    if roll < 0.15:
        return f"Филиал {insurer} в {_prepositional(region_genitive)}"
    return insurer


def _prepositional(genitive: str) -> str:
    """Prepositional case of a region's genitive, for "Филиал ... в <region>"."""
    fixes = {
        "Москвы": "г. Москве",
        "Санкт-Петербурга": "г. Санкт-Петербурге",
        "Севастополя": "г. Севастополе",
    }
    if genitive in fixes:
        return fixes[genitive]
    if genitive.endswith("ого края"):
        return genitive[:-8] + "ом крае"
    if genitive.startswith("Республики "):
        return "Республике " + genitive.split(" ", 1)[1]
    return genitive

"""Sample application data: valid by domain.md's rules, distinctive enough to grep for."""

from __future__ import annotations

import random

from omsdesktop.storage.model import DraftField


def enp_with_check_digit(first15: str) -> str:
    """A 16-digit ENP whose last digit is the Luhn check digit of the first 15."""
    total = 0
    for index, char in enumerate(reversed(first15)):
        digit = int(char)
        if index % 2 == 0:  # doubled: the rightmost of the 15 and every second one leftwards
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return first15 + str((10 - total % 10) % 10)


def snils_with_checksum(first9: str) -> str:
    """An 11-digit SNILS ``XXX-XXX-XXX YY`` with the checksum of domain.md."""
    total = sum(int(d) * w for d, w in zip(first9, range(9, 0, -1), strict=True))
    if total < 100:
        check = total
    elif total in (100, 101):
        check = 0
    else:
        check = total % 101
        if check == 100:
            check = 0
    return f"{first9[:3]}-{first9[3:6]}-{first9[6:9]} {check:02d}"


def typed(value: str) -> DraftField:
    return DraftField(value, "typed", 1.0)


def sample_fields(rng: random.Random | None = None) -> dict[str, DraftField]:
    """A complete, portal-valid application; numbers random (unique policy) when rng given."""
    rng = rng or random.Random(1)
    policy = enp_with_check_digit("77" + "".join(str(rng.randint(0, 9)) for _ in range(13)))
    child_snils = snils_with_checksum("".join(str(rng.randint(0, 9)) for _ in range(9)))
    parent_snils = snils_with_checksum("".join(str(rng.randint(0, 9)) for _ in range(9)))
    return {
        "applicant.full_name": typed("Белоусова Ефросинья Тимофеевна"),
        "applicant.snils": typed(parent_snils),
        "child.last_name": DraftField("Белоусова", "ocr", 0.91),
        "child.first_name": DraftField("Аглая", "ocr", 0.87),
        "child.patronymic": DraftField("Святославовна", "barcode", 1.0),
        "child.birth_date": DraftField("2019-03-12", "barcode", 1.0),
        "child.snils": typed(child_snils),
        "cert.series": DraftField("IV-МЮ", "ocr", 0.8),
        "cert.number": DraftField(f"{rng.randint(100000, 999999)}", "ocr", 0.93),
        "cert.issue_date": DraftField("2019-03-20", "ocr", 0.9),
        "cert.act_record_number": DraftField("170199100001200345678", "ocr", 0.7),
        "cert.birth_place": DraftField("город Кологрив Костромская область", "ocr", 0.6),
        "policy.form": typed("unified"),
        "policy.number": DraftField(policy, "barcode", 1.0),
        "policy.issue_date": DraftField("2019-04-02", "ocr", 0.88),
        "policy.insurer": DraftField("АО «СОГАЗ-Мед»", "ocr", 0.75),
        "policy.sex": DraftField("Ж", "barcode", 1.0),
    }


PERSONAL_FIELDS: tuple[str, ...] = (
    "applicant.full_name",
    "applicant.snils",
    "child.last_name",
    "child.first_name",
    "child.patronymic",
    "child.snils",
    "cert.number",
    "cert.act_record_number",
    "cert.birth_place",
    "policy.number",
)
"""Fields whose values must never appear in clear in the database."""

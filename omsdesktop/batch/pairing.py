"""Pairing birth certificates with policies by what the documents say, not by file names.

One application is one child: a birth certificate and an OMS policy that name the same child.
The child's surname, name, patronymic and date of birth are printed on both. Pairing rules:

* **date of birth exact, names similar** (each name read on both documents at least 60 %
  alike, 80 % on average; OCR slips allowed) — a sure pair;
* **date of birth exact, names unreadable** on one document (a plastic card whose name did not
  read) — a pair *by date of birth only*, and only when no other document shares that date
  (twins!); the application says to check the names;
* **names alike (≥ 90 %), date of birth doubtful** — the date is missing, marked for review by
  the reader, or differs in a single digit (or day and month swapped) — a pair *by names only*;
  the application says to check the date;
* the same date of birth with clearly different names is two different children (birthdays
  coincide in a service centre's day); different dates with confident readings are never paired.

Pairs are chosen best score first; each document joins at most one application. A document
left over is reported with the reason: nothing matches it, it matches several equally (two
cards with the same date and no names), it repeats a document already in an application, or
its identity could not be read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz

from omsdesktop.forms.model import FieldValue
from omsdesktop.text import collapse_spaces, name_key

NAME_FIELDS = ("last_name", "first_name", "patronymic")
IDENTITY_FIELDS = (*NAME_FIELDS, "birth_date")

Basis = Literal["names_and_birth_date", "birth_date_only", "names_only"]
UnpairedReason = Literal["no_partner", "ambiguous", "duplicate", "unreadable_identity"]

_NON_LETTERS = re.compile(r"[^a-zа-я\- ]+")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SURE_MIN, SURE_MEAN = 0.6, 0.8
NAMES_ONLY_MIN, NAMES_ONLY_MEAN = 0.8, 0.9
AMBIGUITY_MARGIN = 0.05


def normalise_name(text: str) -> str:
    """The name's comparison key (:func:`omsdesktop.text.name_key`: OCR's Latin look-alikes
    read as Cyrillic, folded) with everything but letters, hyphens and spaces dropped."""
    return collapse_spaces(_NON_LETTERS.sub(" ", name_key(text)))


@dataclass(frozen=True)
class Identity:
    """Who a document is about, as read (None where nothing usable was read).

    ``unsure`` names the fields the reader marked for review.
    """

    last_name: str | None = None
    first_name: str | None = None
    patronymic: str | None = None
    birth_date: str | None = None
    unsure: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_fields(cls, fields: Mapping[str, FieldValue]) -> Identity:
        values: dict[str, str | None] = {}
        unsure = set()
        for name in IDENTITY_FIELDS:
            fv = fields.get(name)
            value = fv.value.strip() if fv is not None and fv.value else None
            if name == "birth_date" and value is not None and not _ISO_DATE.match(value):
                value = None
            if name != "birth_date" and value is not None:
                value = normalise_name(value) or None
            values[name] = value
            if fv is not None and (fv.needs_review or value is None):
                unsure.add(name)
        return cls(
            last_name=values["last_name"],
            first_name=values["first_name"],
            patronymic=values["patronymic"],
            birth_date=values["birth_date"],
            unsure=frozenset(unsure),
        )

    def name(self, part: str) -> str | None:
        value: str | None = getattr(self, part)
        return value

    @property
    def readable(self) -> bool:
        return self.birth_date is not None or any(self.name(p) for p in NAME_FIELDS)


@dataclass(frozen=True)
class Match:
    score: float
    basis: Basis
    name_similarity: float | None


def _dates(a: Identity, b: Identity) -> Literal["same", "near", "unknown", "different"]:
    if a.birth_date is None or b.birth_date is None:
        return "unknown"
    if a.birth_date == b.birth_date:
        return "same"
    da, db = a.birth_date.replace("-", ""), b.birth_date.replace("-", "")
    if sum(x != y for x, y in zip(da, db, strict=True)) == 1:
        return "near"
    ya, ma, dda = a.birth_date.split("-")
    yb, mb, ddb = b.birth_date.split("-")
    if ya == yb and ma == ddb and dda == mb:
        return "near"  # day and month swapped
    if "birth_date" in a.unsure or "birth_date" in b.unsure:
        return "unknown"  # a reading its reader doubted is no evidence against the pair
    return "different"


def _names(a: Identity, b: Identity) -> list[tuple[str, float]]:
    out = []
    for part in NAME_FIELDS:
        x, y = a.name(part), b.name(part)
        if x and y:
            out.append((part, fuzz.ratio(x, y) / 100.0))
    return out


def match(certificate: Identity, policy: Identity) -> Match | None:
    """Whether two documents name the same child, and how sure that is (see module doc)."""
    dates = _dates(certificate, policy)
    names = _names(certificate, policy)
    sims = [s for _, s in names]
    mean = sum(sims) / len(sims) if sims else None
    if dates == "same":
        if not sims:
            return Match(0.5, "birth_date_only", None)
        if min(sims) >= SURE_MIN and mean is not None and mean >= SURE_MEAN:
            return Match(1.0 + mean, "names_and_birth_date", mean)
        return None
    if dates in ("near", "unknown"):
        compared = {part for part, _ in names}
        if (
            {"last_name", "first_name"} <= compared
            and min(sims) >= NAMES_ONLY_MIN
            and mean is not None
            and mean >= NAMES_ONLY_MEAN
        ):
            return Match(0.6 + 0.3 * mean, "names_only", mean)
    return None


@dataclass(frozen=True)
class Pairing:
    """Indices of paired documents and the reasons the others stayed alone."""

    pairs: tuple[tuple[int, int, Match], ...]
    unpaired_certificates: dict[int, tuple[UnpairedReason, int | None]]
    unpaired_policies: dict[int, tuple[UnpairedReason, int | None]]


def pair(certificates: Sequence[Identity], policies: Sequence[Identity]) -> Pairing:
    """Pair certificates with policies (indices into the two lists).

    An unpaired document's reason comes with the index (into ``pairs``) of the application it
    duplicates, for ``duplicate``; None otherwise.
    """
    edges: list[tuple[float, int, int, Match]] = []
    for ci, cert in enumerate(certificates):
        for pi, pol in enumerate(policies):
            found = match(cert, pol)
            if found is not None:
                edges.append((found.score, ci, pi, found))
    # Best first; ties by file order so the result is deterministic.
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    used_c: set[int] = set()
    used_p: set[int] = set()
    ambiguous_c: set[int] = set()
    ambiguous_p: set[int] = set()
    pairs: list[tuple[int, int, Match]] = []
    for score, ci, pi, found in edges:
        if ci in used_c or pi in used_p:
            continue
        if found.basis == "birth_date_only":
            rivals = [
                e
                for e in edges
                if (e[1] == ci) != (e[2] == pi)
                and e[0] >= score - AMBIGUITY_MARGIN
                and e[1] not in used_c
                and e[2] not in used_p
            ]
            if rivals:
                ambiguous_c.add(ci)
                ambiguous_p.add(pi)
                for e in rivals:
                    ambiguous_c.add(e[1])
                    ambiguous_p.add(e[2])
                continue
        used_c.add(ci)
        used_p.add(pi)
        pairs.append((ci, pi, found))

    def reason(
        index: int, identity: Identity, own_is_cert: bool, ambiguous: set[int]
    ) -> tuple[UnpairedReason, int | None]:
        if not identity.readable:
            return "unreadable_identity", None
        # A second scan of a document already in an application: it matches that
        # application's other document surely, or is the same as its own document.
        for number, (ci, pi, _) in enumerate(pairs):
            partner = policies[pi] if own_is_cert else certificates[ci]
            same_kind = certificates[ci] if own_is_cert else policies[pi]
            other = match(identity, partner) if own_is_cert else match(partner, identity)
            if other is not None and other.basis == "names_and_birth_date":
                return "duplicate", number
            if identity == same_kind and identity.birth_date is not None:
                return "duplicate", number
        if index in ambiguous:
            return "ambiguous", None
        return "no_partner", None

    unpaired_c = {
        ci: reason(ci, cert, True, ambiguous_c)
        for ci, cert in enumerate(certificates)
        if ci not in used_c
    }
    unpaired_p = {
        pi: reason(pi, pol, False, ambiguous_p)
        for pi, pol in enumerate(policies)
        if pi not in used_p
    }
    return Pairing(tuple(pairs), unpaired_c, unpaired_p)

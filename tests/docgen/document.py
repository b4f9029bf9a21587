"""The generated document and the child record shared by a seed's certificate and policy."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import numpy as np

from .data import Family, Place, random_family, random_place
from .numbers import random_birth_date, reference_date

DPI = 300


@dataclass(frozen=True, eq=False)
class GeneratedDocument:
    """A rendered document with exact ground truth.

    Attributes:
        image: H x W x 3 BGR uint8, a clean flat scan of the whole sheet (edge to edge).
        dpi: resolution of ``image`` (300).
        kind: "birth_certificate" or "oms_policy".
        layout: certificate layout ("labels_left", "caption_below") or policy form.
        truth: every field of the kind, normalised (dates YYYY-MM-DD, names Title case as
            printed apart from case, None where the document has no such value).
        boxes: x, y, w, h of each printed value on ``image``; a key is present when its value
            is printed (also "бессрочно" for policy_expiry_date, whose truth is None).
        barcode_payload: the 130-byte PDF417 payload on unified paper policies, else None.
        seed: the seed it was made from.
        font_set: "train" or "holdout".
        text_height: typical capital height of the printed values, in pixels.
        corner_radius: rounded corners of a plastic card, in pixels (0 for paper).
    """

    image: np.ndarray
    dpi: int
    kind: str
    layout: str
    truth: dict[str, str | None]
    boxes: dict[str, tuple[int, int, int, int]]
    barcode_payload: bytes | None
    seed: int
    font_set: str
    text_height: int
    corner_radius: int = 0
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChildRecord:
    """Who the documents of one seed are about; the same for the certificate and the policy."""

    family: Family
    place: Place
    birth_date: dt.date
    reference: dt.date  # the day the documents "were made"; nothing is dated after it
    registered: dt.date  # the day the birth was registered (act record date)


def child_record(seed: int) -> ChildRecord:
    rnd = random.Random(f"child:{seed}")
    family = random_family(rnd)
    place = random_place(rnd)
    reference = reference_date(rnd)
    birth = random_birth_date(rnd, reference)
    registered = min(reference, birth + dt.timedelta(days=rnd.randint(2, 30)))
    return ChildRecord(family, place, birth, reference, registered)

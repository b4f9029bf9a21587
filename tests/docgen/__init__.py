"""Synthetic test documents with exact ground truth: birth certificates and OMS policies.

All personal data is invented. Everything is deterministic from a seed; the certificate and
the policy generated from the same seed describe the same child (name, birth date), so pairs
can be used for cross-document checks.

    doc = generate_certificate(7, layout="caption_below")
    img, info = degrade(doc, "photo", seed=1)

Policies on the real blank forms (docs/forms.md): ``generate_real(seed, "unified_real")``,
"temporary_real", "unified_blank", "temporary_blank".
"""

from __future__ import annotations

import random

from .barcode import ALPHABET_6BIT, PAYLOAD_SIZE
from .corpus import build_corpus
from .data import INSURERS
from .degrade import DEGRADATIONS, EXPECTED_PROBLEMS, DegradeInfo, degrade
from .document import GeneratedDocument
from .fonts import FONT_SETS, REQUIRED_APT_PACKAGES, MissingFontError
from .numbers import luhn_valid
from .render_certificate import CERTIFICATE_LAYOUTS, generate_certificate
from .render_policy import POLICY_FORMS, generate_policy
from .render_real import REAL_FORMS, generate_real

KINDS: tuple[str, ...] = ("birth_certificate", "oms_policy")


def generate(seed: int, kind: str | None = None, font_set: str = "train") -> GeneratedDocument:
    """A certificate or a policy; the kind (when not given), layout and form follow the seed."""
    if kind is None:
        kind = random.Random(f"kind:{seed}").choice(KINDS)
    if kind == "birth_certificate":
        return generate_certificate(seed, None, font_set)
    if kind == "oms_policy":
        return generate_policy(seed, None, font_set)
    raise ValueError(f"unknown document kind {kind!r}; use one of {KINDS}")


__all__ = [
    "ALPHABET_6BIT",
    "CERTIFICATE_LAYOUTS",
    "DEGRADATIONS",
    "EXPECTED_PROBLEMS",
    "FONT_SETS",
    "INSURERS",
    "KINDS",
    "PAYLOAD_SIZE",
    "POLICY_FORMS",
    "REAL_FORMS",
    "REQUIRED_APT_PACKAGES",
    "DegradeInfo",
    "GeneratedDocument",
    "MissingFontError",
    "build_corpus",
    "degrade",
    "generate",
    "generate_certificate",
    "generate_policy",
    "generate_real",
    "luhn_valid",
]

"""The policy's PDF417 merged with what was read from the print.

Where the barcode decodes, its fields (number, names, sex, date of birth, validity) are exact:
they win, and a printed reading that disagrees (after one re-read) is kept as an alternative
with a warning. A barcode field that did not decode leaves the printed reading as it is.

Nothing here logs or prints: the values are a child's personal data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from omsdesktop.forms.fields import (
    CYRILLIC,
    DATE_CHARS,
    DIGITS,
    NAME_CHARS,
    Parser,
    Reading,
    decide,
    parse_name,
)
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.policy_page import PolicyContext, reread_value
from omsdesktop.forms.policy_parse import NO_EXPIRY, parse_enp, parse_policy_date, parse_sex
from omsdesktop.forms.template import Registration
from omsdesktop.forms.unified import BARCODE_ZONE
from omsdesktop.forms.validators import normalize_name
from omsdesktop.ocr.barcode import BarcodeError, PolicyBarcode, read_policy_barcode
from omsdesktop.ocr.types import Box, Image, Problem, ProblemSpec
from omsdesktop.text import same_name

BARCODE_OCR_MISMATCH = ProblemSpec(
    "barcode_ocr_mismatch",
    "Значение взято из штрих-кода полиса: напечатанный текст распознан иначе. Штрих-код "
    "надёжнее текста, но сверьте поле с полисом.",
    "The value was taken from the policy barcode: the printed text was read differently. The "
    "barcode is more reliable than the text, but compare the field with the policy.",
)


def unreadable_barcode_problem(exc: BarcodeError) -> Problem:
    """A barcode that was found but not read: a warning on the number, the text is used."""
    return Problem(
        code=exc.code, severity="warning", message=exc.message("ru"), message_en=exc.message("en")
    )


def with_barcode(
    ctx: PolicyContext,
    fields: dict[str, FieldValue],
    barcode: PolicyBarcode | BarcodeError | None,
) -> dict[str, FieldValue]:
    """The fields checked against the policy's PDF417 where it decoded (its fields are
    exact); ``barcode`` is what :func:`registered_barcode_or_error` found."""
    if isinstance(barcode, BarcodeError):
        number = fields["policy_number"]
        problems = (*number.problems, unreadable_barcode_problem(barcode))
        fields["policy_number"] = dataclasses.replace(number, problems=problems)
        return fields
    if barcode is None:
        return fields
    return apply_barcode(ctx, fields, barcode)


def registered_barcode_or_error(
    image: Image, registration: Registration
) -> PolicyBarcode | BarcodeError | None:
    """:func:`registered_barcode`, with a symbol found but not decoded returned as its error
    (so the decoding can run beside the reading of the fields, see :func:`with_barcode`)."""
    try:
        return registered_barcode(image, registration)
    except BarcodeError as exc:
        return exc


def registered_barcode(image: Image, registration: Registration) -> PolicyBarcode | None:
    """The PDF417 decoded from its place on the registered form, else from the whole page.

    The symbol's place is known once the page is registered; zxing then searches a strip a
    tenth of the page's size. Where the strip holds no readable symbol (a printer's odd
    shift, a registration a few millimetres off), the whole page is searched as before.
    """
    zone = registration.box(BARCODE_ZONE, image.shape)
    if zone.width > 0 and zone.height > 0:
        strip = image[zone.y : zone.y + zone.height, zone.x : zone.x + zone.width]
        try:
            found = read_policy_barcode(strip)
        except BarcodeError:
            found = None
        if found is not None:
            b = found.box
            shifted = Box(b.x + zone.x, b.y + zone.y, b.width, b.height)
            return dataclasses.replace(found, box=shifted)
    return read_policy_barcode(image)


def _from_barcode(
    ctx: PolicyContext,
    ocr: FieldValue,
    value: str | None,
    same: Callable[[str | None, str | None], bool],
    reread: Callable[[], FieldValue] | None = None,
    code_box: Box | None = None,
) -> FieldValue:
    """The barcode's value; an OCR reading that differs (after one re-read) is recorded."""
    result = FieldValue(
        value=value,
        confidence=1.0,
        source="barcode",
        box=ocr.box if ocr.box is not None else code_box,
        raw=ocr.raw,
        needs_review=False,
    )
    if ocr.value is None or same(ocr.value, value):
        return result
    if reread is not None:
        again = reread()
        if again.value is None or same(again.value, value):
            return result
        ocr = again
    problem = Problem.of(BARCODE_OCR_MISMATCH, "warning")
    shown = ocr.value if ocr.value is not None else ""
    return dataclasses.replace(result, alternatives=(shown,), problems=(problem,))


def _same_name(a: str | None, b: str | None) -> bool:
    return same_name(a or "", b or "")


def _same(a: str | None, b: str | None) -> bool:
    return (a or "") == (b or "")


def apply_barcode(
    ctx: PolicyContext, fields: dict[str, FieldValue], code: PolicyBarcode
) -> dict[str, FieldValue]:
    """The barcode's fields over the OCR ones; a barcode field that did not decode (None: a
    specimen's dummy name block, an impossible sex or date) leaves the OCR field as it is."""
    out = dict(fields)
    missing = FieldValue(value=None, confidence=0.0)

    def ocr_of(name: str) -> FieldValue:
        return fields.get(name, missing)

    def rereader(
        name: str, parser: Parser, lang: str, whitelist: str | None
    ) -> Callable[[], FieldValue]:
        def run() -> FieldValue:
            ocr = ocr_of(name)
            if ocr.box is None:
                return ocr
            first = Reading(ocr.raw or "", ocr.value, ocr.confidence, ocr.box)
            second = reread_value(ctx, ocr.box, parser, lang=lang, whitelist=whitelist)
            return decide([first, second])

        return run

    if code.enp is not None:
        out["policy_number"] = _from_barcode(
            ctx,
            ocr_of("policy_number"),
            code.enp,
            _same,
            rereader("policy_number", parse_enp, "eng", DIGITS + " "),
            code.box,
        )
    if code.name_decoded:
        names = (
            ("last_name", code.last_name),
            ("first_name", code.first_name),
            ("patronymic", code.patronymic),
        )
        for name, value in names:
            out[name] = _from_barcode(
                ctx,
                ocr_of(name),
                normalize_name(value) if value else None,
                _same_name,
                rereader(name, parse_name, "rus", NAME_CHARS),
                code.box,
            )
        if not code.patronymic:
            # No patronymic in the barcode: none is printed either ("при наличии").
            out["patronymic"] = dataclasses.replace(
                out["patronymic"], value=None, needs_review=False
            )
    if code.sex is not None:
        out["sex"] = _from_barcode(
            ctx,
            ocr_of("sex"),
            code.sex,
            _same,
            rereader("sex", parse_sex, "rus", CYRILLIC + "."),
            code.box,
        )
    if code.birth_date is not None:
        out["birth_date"] = _from_barcode(
            ctx,
            ocr_of("birth_date"),
            code.birth_date.isoformat(),
            _same,
            rereader("birth_date", parse_policy_date, "eng", DATE_CHARS),
            code.box,
        )
    if not code.expiry_decoded:
        return out
    expiry = code.expiry_date.isoformat() if code.expiry_date else None
    printed_expiry = ocr_of("policy_expiry_date")
    ocr_expiry = printed_expiry
    if ocr_expiry.value is None and ocr_expiry.needs_review:
        # Neither a date nor «бессрочно» was read: nothing to compare.
        ocr_expiry = dataclasses.replace(ocr_expiry, raw=None)
    out["policy_expiry_date"] = _from_barcode(
        ctx,
        ocr_expiry,
        expiry,
        _same,
        None,
        code.box,
    )
    if expiry is not None and printed_expiry.value is None and not printed_expiry.needs_review:
        # The text said «бессрочно», the barcode gives a date.
        out["policy_expiry_date"] = dataclasses.replace(
            out["policy_expiry_date"],
            alternatives=(NO_EXPIRY,),
            problems=(Problem.of(BARCODE_OCR_MISMATCH, "warning"),),
        )
    return out

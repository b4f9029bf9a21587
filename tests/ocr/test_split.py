"""The splitter on generated glass scans and photos of two documents (issue #15): each
document found where it lies, and a file with one document never cut. No OCR: fast tier."""

from __future__ import annotations

import numpy as np
import pytest

from omsdesktop.ocr.split import cut_out, find_documents, is_blank
from tests.docgen import degrade, generate_certificate, generate_policy, generate_real
from tests.docgen.combine import (
    bbox_iou,
    blank_page,
    glass_scan,
    other_page,
    photo_of,
)


def _pair(seed: int, arrangement: str) -> list:  # type: ignore[type-arg]
    cert = generate_certificate(seed)
    if arrangement == "card_beside":
        return [cert, generate_policy(seed, form="card")]
    return [generate_real(seed, "unified_real"), cert]


@pytest.mark.parametrize("how", [glass_scan, photo_of], ids=["glass", "photo"])
@pytest.mark.parametrize("arrangement", ["side_by_side", "card_beside", "overlap", "upside_down"])
def test_each_document_is_found_where_it_lies(how, arrangement: str) -> None:  # type: ignore[no-untyped-def]
    scan = how(_pair(12, arrangement), arrangement, seed=12)
    regions = find_documents(scan.image)
    assert len(regions) == 2
    for placement in scan.placements:
        # A white sheet on a white lid shows only its print: its box may be the print's.
        best = max(bbox_iou(placement.bbox(), r.box) for r in regions)
        assert best > 0.6, (placement.bbox(), [r.box for r in regions])
    h, w = scan.image.shape[:2]
    for region in regions:
        x, y, bw, bh = region.box
        assert x >= 0 and y >= 0 and x + bw <= w and y + bh <= h
        crop = cut_out(scan.image, region)
        assert crop.shape[0] >= bh and crop.shape[1] >= bw and crop.dtype == np.uint8


@pytest.mark.parametrize(
    ("form", "how"),
    [
        ("caption_below", "scan300"),
        ("unified_real", "scan300"),
        ("unified_real", "photo"),
        ("temporary_real", "photo"),
        ("card", "photo"),
        ("caption_below", "hand"),
    ],
)
def test_one_document_is_not_cut(form: str, how: str) -> None:
    if form in ("unified_real", "temporary_real"):
        doc = generate_real(21, form)
    elif form == "card":
        doc = generate_policy(21, form="card")
    else:
        doc = generate_certificate(21, layout=form)
    image, _ = degrade(doc, how, 21)
    assert len(find_documents(image)) <= 1


def test_a_blank_band_across_one_whole_sheet_is_no_gutter_between_two() -> None:
    # A policy photographed whole on a blue table: its paper outline is a rectangle, and the
    # blank band between its holder's block and its insurer's block is no gap between sheets.
    doc = generate_policy(5, form="unified")
    image, _ = degrade(doc, "photo", 7)
    assert len(find_documents(image)) <= 1


def test_a_long_rule_under_bold_print_is_no_sheet_edge() -> None:
    # A certificate's underline runs nearly all across the sheet, with the father's name in
    # bold just above it: the print is no second paper (this photo was cut there).
    doc = generate_certificate(2, layout="caption_below")
    image, _ = degrade(doc, "photo", 7)
    assert len(find_documents(image)) <= 1


def test_blank_and_other_pages() -> None:
    assert is_blank(blank_page())
    assert not is_blank(other_page())
    assert not is_blank(generate_policy(3, form="card").image)
    assert find_documents(blank_page()) == []
    assert find_documents(np.zeros((10, 10, 3), np.uint8)) == []


def _print_block(draw, family, box: tuple[int, int, int, int]) -> None:  # type: ignore[no-untyped-def]
    """Ruled lines of text filling ``box`` (x, y, w, h) at 300 dpi, 10-point."""
    from tests.docgen.fonts import font

    x, y, w, h = box
    fnt = font(family.regular, 42)
    words = [
        "Свидетельство",
        "о",
        "рождении",
        "выдано",
        "отделом",
        "записи",
        "актов",
        "гражданского",
        "состояния",
    ]
    line, top = 0, y
    while top + 42 <= y + h:
        text = " ".join(words[(line + i) % len(words)] for i in range(12))
        while draw.textlength(text, font=fnt) > w:
            text = text.rsplit(" ", 1)[0]
        draw.text((x, top), text, font=fnt, fill=(30, 30, 30))
        draw.line((x, top + 52, x + w, top + 52), fill=(90, 90, 90), width=2)
        top += 84
        line += 1


def test_two_white_sheets_on_a_white_lid_show_only_their_print() -> None:
    """No outline to find: two print blocks, a gutter between them narrower than the block
    grouping closes (margins of 8 mm each and a sheet gap of 5 mm)."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    from tests.docgen.fonts import families

    lid = PILImage.new("RGB", (4200, 2550), (244, 244, 244))
    draw = ImageDraw.Draw(lid)
    family = families("train")[0]
    left = (150, 170, 1550, 2150)  # a portrait sheet's print
    right = (150 + 1550 + 250, 400, 1900, 1330)  # a landscape sheet's print, lower
    _print_block(draw, family, left)
    _print_block(draw, family, right)
    image = np.asarray(lid)[..., ::-1].copy()
    regions = find_documents(image)
    assert len(regions) == 2
    for want in (left, right):
        assert max(bbox_iou(want, r.box) for r in regions) > 0.7, [r.box for r in regions]

    single = PILImage.new("RGB", (2480, 3508), (244, 244, 244))
    _print_block(ImageDraw.Draw(single), family, (200, 250, 2000, 3000))
    assert len(find_documents(np.asarray(single)[..., ::-1].copy())) <= 1


def test_a_table_with_print_above_and_below_is_not_a_sheet() -> None:
    from omsdesktop.ocr.split import _framed_in_print

    ink = np.zeros((400, 300), np.uint8)
    region = np.zeros_like(ink)
    region[150:250, 50:250] = 255
    for x in range(60, 240, 20):  # «words» just outside the region
        ink[140:146, x : x + 8] = 255  # above it
    assert not _framed_in_print(ink, region, 400)  # print on one side: a neighbour sheet
    for x in range(60, 240, 20):
        ink[254:260, x : x + 8] = 255  # and below it
    assert _framed_in_print(ink, region, 400)

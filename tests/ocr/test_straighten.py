"""Straightening: document outline, perspective, quarter turns and skew, on docgen images."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from omsdesktop.errors import CancelledError
from omsdesktop.ocr.orientation import osd_orientation
from omsdesktop.ocr.straighten import (
    MAX_OUTPUT_SIDE,
    deskew_angle,
    detect_orientation,
    find_document_quad,
    straighten,
)
from omsdesktop.ocr.types import Page
from tests.docgen import GeneratedDocument, degrade, generate_certificate, generate_policy


@pytest.fixture(scope="module")
def certificate() -> GeneratedDocument:
    return generate_certificate(3)


@pytest.fixture(scope="module")
def policy() -> GeneratedDocument:
    return generate_policy(3)


def _map(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(points.reshape(1, -1, 2).astype(np.float64), matrix)[0]


def _rotate(image: np.ndarray, angle_ccw: float, fill: int = 245) -> np.ndarray:
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle_ccw, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(image, m, (nw, nh), borderValue=(fill, fill, fill))


def test_a_big_photo_of_a_sheet_is_straightened_at_most_max_output_side_long(
    certificate: GeneratedDocument,
) -> None:
    # A sheet filling a 17 MP frame: 4,300 px of paper on a dark table. Its page comes out
    # MAX_OUTPUT_SIDE long, its shape kept.
    page = certificate.image
    scale = 4300 / page.shape[0]
    sheet = cv2.resize(page, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = np.full((4800, 3600, 3), 40, np.uint8)
    y0, x0 = (4800 - sheet.shape[0]) // 2, (3600 - sheet.shape[1]) // 2
    frame[y0 : y0 + sheet.shape[0], x0 : x0 + sheet.shape[1]] = sheet
    result = straighten(frame)
    h, w = result.image.shape[:2]
    assert result.document_found and result.rotation == 0
    assert MAX_OUTPUT_SIDE * 0.98 <= h <= MAX_OUTPUT_SIDE * 1.01  # a skew turn adds a little
    assert abs(w / h - sheet.shape[1] / sheet.shape[0]) < 0.02


@pytest.mark.slow  # renders and processes whole pages, over a second each
@pytest.mark.parametrize("seed", [2, 5])
def test_photo_is_found_and_flattened(certificate: GeneratedDocument, seed: int) -> None:
    img, info = degrade(certificate, "photo", seed)
    quad = find_document_quad(img)
    assert quad is not None
    size = float(np.sqrt(cv2.contourArea(info.quad.astype(np.float32))))
    assert np.linalg.norm(quad - info.quad, axis=1).max() < 0.03 * size

    result = straighten(img)
    assert result.document_found and result.rotation == 0
    assert result.transform is not None
    h, w = result.image.shape[:2]
    # The true corners land on the output's corners.
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    err = np.linalg.norm(_map(result.transform, info.quad) - corners, axis=1).max()
    assert err < 0.03 * max(w, h), err
    # The aspect ratio is the document's.
    dh, dw = certificate.image.shape[:2]
    assert abs(h / w - dh / dw) < 0.04 * dh / dw
    # Text size is kept (no absurd upscaling): the output is at most the document's size in
    # the photo, not blown up to the render's 300 dpi.
    assert max(w, h) <= 1.05 * max(np.linalg.norm(info.quad[2] - info.quad[0]), 1)


@pytest.mark.slow  # renders and processes whole pages, over a second each
@pytest.mark.parametrize("name", ["rotate90", "rotate180", "rotate270"])
@pytest.mark.parametrize("kind", ["certificate", "policy"])
def test_quarter_turns_are_undone(
    certificate: GeneratedDocument, policy: GeneratedDocument, name: str, kind: str
) -> None:
    doc = certificate if kind == "certificate" else policy
    img, info = degrade(doc, name, 7)
    expected = (360 - info.rotation) % 360
    assert detect_orientation(img) == expected
    result = straighten(Page(image=img, dpi=info.dpi))
    assert result.rotation == expected
    # Upright: the page is portrait/landscape like the document again.
    dh, dw = doc.image.shape[:2]
    h, w = result.image.shape[:2]
    assert (h > w) == (dh > dw)


def test_quarter_turn_transform_maps_the_document(certificate: GeneratedDocument) -> None:
    img, info = degrade(certificate, "rotate90", 3)
    result = straighten(img)
    assert result.transform is not None
    mapped = _map(result.transform, info.quad)
    h, w = result.image.shape[:2]
    # The document's top-left corner is again near the top-left of the output.
    assert mapped[0][0] < 0.1 * w and mapped[0][1] < 0.1 * h
    assert mapped[2][0] > 0.9 * w and mapped[2][1] > 0.9 * h


@pytest.mark.slow  # renders and processes whole pages, over a second each
@pytest.mark.parametrize("angle", [7.0, -7.0])
def test_skew_of_seven_degrees_is_corrected(certificate: GeneratedDocument, angle: float) -> None:
    skewed = _rotate(certificate.image, angle)
    assert abs(deskew_angle(skewed) - angle) < 0.5
    result = straighten(skewed)
    assert abs(result.skew_deg - angle) < 0.5
    assert result.rotation == 0
    assert abs(deskew_angle(result.image)) < 0.5


def test_docgen_skew_is_corrected(policy: GeneratedDocument) -> None:
    img, info = degrade(policy, "skew", 4)
    result = straighten(Page(image=img, dpi=info.dpi))
    assert abs(result.skew_deg - info.skew_degrees) < 0.5, (result.skew_deg, info.skew_degrees)
    assert abs(deskew_angle(result.image)) < 0.5


def test_upright_flat_scan_is_unchanged(certificate: GeneratedDocument) -> None:
    page = certificate.image  # edge to edge, upright, no skew
    result = straighten(page)
    assert result.rotation == 0 and result.skew_deg == 0.0
    assert not result.document_found
    assert result.transform is None
    assert np.array_equal(result.image, page)


def test_scanner_output_is_only_deskewed(certificate: GeneratedDocument) -> None:
    img, info = degrade(certificate, "scan300", 6)
    result = straighten(Page(image=img, dpi=info.dpi))
    assert result.rotation == 0
    assert abs(result.skew_deg - info.skew_degrees) < 0.5
    # No wild warp: the output keeps (about) the input's size, the text its scale.
    h, w = img.shape[:2]
    oh, ow = result.image.shape[:2]
    assert 0.85 < oh / h < 1.1 and 0.85 < ow / w < 1.1


def test_progress_and_cancel(certificate: GeneratedDocument) -> None:
    seen: list[float] = []
    straighten(certificate.image, progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)

    calls = iter([False, False, True])
    with pytest.raises(CancelledError):
        straighten(certificate.image, cancelled=lambda: next(calls, True))


def test_orientation_callback_decides_up_and_down(certificate: GeneratedDocument) -> None:
    img, info = degrade(certificate, "rotate90", 2)
    seen: list[tuple[int, ...]] = []

    def keep(levelled: np.ndarray) -> int:
        seen.append(levelled.shape)
        return 0

    as_is = straighten(img, orientation=keep)
    flipped = straighten(img, orientation=lambda levelled: 180)
    # The callback is asked once, about a page whose text lines are already horizontal.
    assert len(seen) == 1 and len(seen[0]) == 3
    assert as_is.rotation in (90, 270)
    assert (flipped.rotation - as_is.rotation) % 360 == 180
    assert straighten(img).rotation == (360 - info.rotation) % 360


@pytest.mark.slow  # runs tesseract --psm 0
def test_tesseract_osd_orientation(policy: GeneratedDocument) -> None:
    img, info = degrade(policy, "rotate180", 5)
    # A generous timeout: the test machine may be busy; the point is the answer.
    result = straighten(img, orientation=osd_orientation(timeout=120.0))
    assert result.rotation == (360 - info.rotation) % 360


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_outline_follows_the_sheet_edges_not_a_corner_cut_through_the_print() -> None:
    # A photo on a light table, lit unevenly: the brightness mask loses the sheet's top-left
    # corner and its outline cuts diagonally through the print. Text has edges there too,
    # but only the sheet's own edges run along the side, so the true outline wins.
    from omsdesktop.ocr.geometry import locate_document, order_quad

    doc = generate_policy(100000, form="temporary", font_set="holdout")
    image, info = degrade(doc, "photo", seed=1000)
    found = locate_document(image).quad
    assert found is not None
    error = np.hypot(*(order_quad(found) - order_quad(info.quad)).T).max()
    assert error < 0.02 * np.hypot(*image.shape[:2])


@pytest.mark.slow  # renders and processes whole pages, over a second each
@pytest.mark.parametrize("seed", [100000, 100300])
def test_an_outline_the_edges_do_not_follow_is_not_used(seed) -> None:
    # Unevenly lit photos where the brightness mask's outline is wrong by a quarter of the
    # frame: warping by it bent the page. Either the true outline or none (text lines level
    # the page then), never a wrong one.
    from omsdesktop.ocr.geometry import locate_document, order_quad

    doc = generate_certificate(seed, layout="labels_left", font_set="train")
    image, info = degrade(doc, "photo", seed=seed // 100)
    found = locate_document(image).quad
    if found is not None:
        error = np.hypot(*(order_quad(found) - order_quad(info.quad)).T).max()
        assert error < 0.02 * np.hypot(*image.shape[:2])

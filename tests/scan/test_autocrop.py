"""Auto-crop of a document lying anywhere on the glass, on generated documents placed on a
generated A4 glass (white lid, scanner noise) at known positions and angles."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from omsdesktop.scan.autocrop import autocrop, find_documents
from tests.docgen import generate_certificate, generate_policy

A4 = (3508, 2480)  # 300 dpi


def on_glass(
    doc: np.ndarray,
    angle: float,
    centre: tuple[float, float],
    *,
    lid: int = 246,
    base: np.ndarray | None = None,
    corner_radius: int = 0,
) -> np.ndarray:
    """``doc`` turned by ``angle`` degrees (counter-clockwise) with its centre at ``centre``."""
    h, w = doc.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[0, 2] += centre[0] - w / 2
    m[1, 2] += centre[1] - h / 2
    out = base.copy() if base is not None else np.full((*A4, 3), lid, np.uint8)
    shape = np.full((h, w), 255, np.uint8)
    if corner_radius:
        shape[:] = 0
        r = corner_radius
        cv2.rectangle(shape, (r, 0), (w - r, h), 255, -1)
        cv2.rectangle(shape, (0, r), (w, h - r), 255, -1)
        for cx, cy in ((r, r), (w - r, r), (r, h - r), (w - r, h - r)):
            cv2.circle(shape, (cx, cy), r, 255, -1)
    warped = cv2.warpAffine(doc, m, (out.shape[1], out.shape[0]))
    mask = cv2.warpAffine(shape, m, (out.shape[1], out.shape[0])) > 127
    out[mask] = warped[mask]
    return out


def scanner_noise(image: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(image + rng.normal(0, 1.5, image.shape), 0, 255).astype(np.uint8)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation of the print (a light blur: fine guilloche lines alias at reduced size).

    For scale: a page against itself shifted by 5 px scores ~0.94, turned over ~0.1.
    """
    a = cv2.GaussianBlur(cv2.cvtColor(a, cv2.COLOR_BGR2GRAY), (0, 0), 2).astype(np.float32)
    b = cv2.GaussianBlur(cv2.cvtColor(b, cv2.COLOR_BGR2GRAY), (0, 0), 2).astype(np.float32)
    a -= a.mean()
    b -= b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def inner(image: np.ndarray, size: tuple[int, int], margin: float = 0.06) -> np.ndarray:
    """The central part of ``image`` scaled to ``size`` (w, h), away from edges and margins."""
    h, w = image.shape[:2]
    dy, dx = round(h * margin), round(w * margin)
    return cv2.resize(image[dy : h - dy, dx : w - dx], size, interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def card() -> tuple[np.ndarray, int]:
    doc = generate_policy(5, form="card")
    return doc.image, doc.corner_radius


@pytest.fixture(scope="module")
def certificate() -> np.ndarray:
    return generate_certificate(6, layout="caption_below").image


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_card_in_a_corner_at_an_angle(card: tuple[np.ndarray, int]) -> None:
    image, radius = card
    glass = scanner_noise(on_glass(image, 7.0, (650, 480), corner_radius=radius), 1)
    result = autocrop(glass, dpi=300, margin_mm=1.0)
    assert result.found
    assert result.angle_deg == pytest.approx(7.0, abs=0.7)
    h, w = image.shape[:2]
    margin = 2 * 300 / 25.4  # 1 mm each side
    assert result.image.shape[1] == pytest.approx(w + margin, rel=0.03)
    assert result.image.shape[0] == pytest.approx(h + margin, rel=0.03)
    # The cut-out is the card, level and the right way up.
    tight = autocrop(glass, dpi=300, margin_mm=0).image
    size = (w // 2, h // 2)
    assert similarity(inner(tight, size), inner(image, size)) > 0.85
    # The crop is small: the glass around the card is gone.
    assert result.image.size < 0.15 * glass.size


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_slightly_turned_certificate(certificate: np.ndarray) -> None:
    glass = scanner_noise(on_glass(certificate, -3.0, (1300, 1800)), 2)
    result = autocrop(glass, dpi=300, margin_mm=0)
    assert result.found
    assert result.angle_deg == pytest.approx(-3.0, abs=0.5)
    h, w = certificate.shape[:2]
    assert result.image.shape[0] == pytest.approx(h, rel=0.04)
    assert result.image.shape[1] == pytest.approx(w, rel=0.04)
    size = (w // 3, h // 3)
    assert similarity(inner(result.image, size), inner(certificate, size)) > 0.85


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_upside_down_certificate_is_turned_upright(certificate: np.ndarray) -> None:
    glass = scanner_noise(on_glass(certificate, 182.0, (1240, 1700)), 3)
    result = autocrop(glass, dpi=300, margin_mm=0, upright=True)
    assert result.found and result.rotation == 180
    h, w = certificate.shape[:2]
    size = (w // 3, h // 3)
    assert similarity(inner(result.image, size), inner(certificate, size)) > 0.8


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_dark_lid_uses_the_document_outline(certificate: np.ndarray) -> None:
    dark = np.full((*A4, 3), 35, np.uint8)
    glass = scanner_noise(on_glass(certificate, 4.0, (1240, 1754), base=dark), 4)
    result = autocrop(glass, dpi=300, margin_mm=0, upright=False)
    assert result.found
    h, w = certificate.shape[:2]
    assert result.image.shape[0] == pytest.approx(h, rel=0.05)
    size = (w // 3, h // 3)
    assert similarity(inner(result.image, size), inner(certificate, size)) > 0.8


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_empty_glass_is_left_alone() -> None:
    glass = scanner_noise(np.full((*A4, 3), 246, np.uint8), 5)
    result = autocrop(glass)
    assert not result.found and result.image is glass


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_two_documents_on_the_glass(card: tuple[np.ndarray, int], certificate: np.ndarray) -> None:
    image, radius = card
    small_cert = cv2.resize(certificate, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    glass = on_glass(small_cert, 2.0, (700, 1000))
    glass = scanner_noise(on_glass(image, -5.0, (1800, 2900), base=glass, corner_radius=radius), 6)
    quads = find_documents(glass)
    assert len(quads) == 2
    centres = [q.mean(axis=0) for q in quads]
    assert np.allclose(centres[0], (700, 1000), atol=40)  # the larger one first
    assert np.allclose(centres[1], (1800, 2900), atol=40)

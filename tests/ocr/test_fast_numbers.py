"""Numbers worked out a faster way (issue #12, reading speed) are the very numbers the plain
code gave, kept here as the reference: the readers' decisions must not move by a bit."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from omsdesktop.ocr.geometry import _edge_support, np_median_u8, np_percentile_u8


@pytest.mark.parametrize("seed", range(6))
def test_percentile_of_bytes_is_numpys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shapes = [(1,), (2,), (7,), (31, 17), (400, 300)]
    for shape in shapes:
        n = int(np.prod(shape))
        for made in (
            rng.integers(0, 256, n),
            rng.integers(100, 104, n),  # many ties
            np.full(n, int(rng.integers(0, 256))),
            np.clip(rng.normal(200, 40, n), 0, 255),
        ):
            values = np.asarray(made).astype(np.uint8).reshape(shape)
            qs = [0.0, 1.0, 5.0, 50.0, 60.0, 90.0, 95.0, 100.0, float(rng.uniform(0, 100))]
            assert np.array_equal(np_percentile_u8(values, qs), np.percentile(values, qs))
            for q in qs:
                got = np_percentile_u8(values, q)
                assert isinstance(got, float)
                assert got == float(np.percentile(values, q))
            assert np_median_u8(values) == float(np.median(values))


def test_percentile_of_a_strided_view() -> None:
    values = np.random.default_rng(9).integers(0, 256, (300, 200)).astype(np.uint8)
    view = values[::7, ::3]
    assert np.array_equal(np_percentile_u8(view, (1, 60)), np.percentile(view, (1, 60)))


def _reference_edge_support(gray_small: np.ndarray, quad: np.ndarray | None) -> float:
    """The code :func:`_edge_support` replaced: each side's projected gradient dilated over
    the whole image, then looked at in forty points."""
    if quad is None:
        return 0.0
    gx = cv2.Sobel(gray_small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray_small, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = cv2.magnitude(gx, gy)
    h, w = gray_small.shape
    threshold = max(20.0, float(np.percentile(magnitude, 90)) * 0.5)
    kernel = np.ones((5, 5), np.uint8)
    hits = 0
    total = 0
    for i in range(4):
        a = quad[i]
        b = quad[(i + 1) % 4]
        d = b - a
        length = float(np.hypot(d[0], d[1]))
        if length < 1.0:
            continue
        nx, ny = -d[1] / length, d[0] / length
        across = np.asarray(cv2.dilate(np.abs(gx * nx + gy * ny), kernel))
        for t in np.linspace(0.05, 0.95, 40):
            x, y = a + d * t
            xi, yi = round(x), round(y)
            if 0 <= xi < w and 0 <= yi < h:
                total += 1
                hits += int(across[yi, xi] > threshold)
    return hits / total if total else 0.0


def _sheet_photo(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A light sheet with lines of "text" on a darker, noisy table, tilted: edges everywhere."""
    h, w = 480, 640
    image = rng.normal(90, 12, (h, w)).clip(0, 255).astype(np.uint8)
    corners = np.array([[90, 60], [560, 80], [540, 430], [70, 410]], np.int32)
    corners += rng.integers(-30, 30, corners.shape).astype(np.int32)
    cv2.fillConvexPoly(image, corners, 215)
    for y in range(120, 380, 22):
        cv2.line(image, (140, y), (480, y + 6), 40, 2)
    return cv2.GaussianBlur(image, (3, 3), 0), corners.astype(float)


@pytest.mark.parametrize("seed", range(4))
def test_edge_support_is_the_dilated_gradients(seed: int) -> None:
    rng = np.random.default_rng(seed)
    image, sheet = _sheet_photo(rng)
    h, w = image.shape
    quads = [
        sheet,  # the sheet's own outline: its edges are found
        np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], float),  # the frame's edges
        np.array([[1, 1], [w - 2, 1], [w - 2, h - 2], [1, h - 2]], float),
        np.array([[5, 5], [5.5, 5], [5.5, 5.5], [5, 5.5]], float),  # sides under a pixel
        np.array([[-90, -90], [-40, -90], [-40, -40], [-90, -40]], float),  # off the image
    ]
    for _ in range(40):
        quad = np.array(
            [
                [rng.uniform(-20, w / 2), rng.uniform(-20, h / 2)],
                [rng.uniform(w / 2, w + 20), rng.uniform(-20, h / 2)],
                [rng.uniform(w / 2, w + 20), rng.uniform(h / 2, h + 20)],
                [rng.uniform(-20, w / 2), rng.uniform(h / 2, h + 20)],
            ]
        )
        quads.append(np.round(quad * 2) / 2 if rng.random() < 0.3 else quad)  # ties in rounding
    supports = [_edge_support(image, q) for q in quads]
    assert supports == [_reference_edge_support(image, q) for q in quads]
    assert _edge_support(image, None) == 0.0
    assert supports[0] > 0.8  # the sheet's outline is supported: the test is not all zeros

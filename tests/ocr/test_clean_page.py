"""Cleaning the page in bands (issue #12, flat memory) gives the same pixels as the whole-page
code it replaced, kept here as the reference."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from omsdesktop.ocr.layout import (
    _BAND_ROWS,
    _drop_blue_ink,
    _long_runs,
    clean_page,
    remove_rules,
)


def _reference_remove_rules(grey: np.ndarray) -> np.ndarray:
    h, w = grey.shape[:2]
    ink = (grey < 128).astype(np.uint8)
    long_h, long_v = max(40, w // 12), max(40, h // 12)
    rect = cv2.getStructuringElement
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, rect(cv2.MORPH_RECT, (long_h, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, rect(cv2.MORPH_RECT, (1, long_v)))
    rules = cv2.dilate(np.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    rules = rules.astype(bool)
    if not rules.any():
        return grey
    k = 4
    ink_b = ink.astype(bool)
    up, down = np.zeros_like(ink_b), np.zeros_like(ink_b)
    up[k:, :] = ink_b[:-k, :]
    down[:-k, :] = ink_b[k:, :]
    left, right = np.zeros_like(ink_b), np.zeros_like(ink_b)
    left[:, k:] = ink_b[:, :-k]
    right[:, :-k] = ink_b[:, k:]
    crossing = (up & down & ~horizontal.astype(bool)) | (left & right & ~vertical.astype(bool))
    cleaned = grey.copy()
    cleaned[rules & ~crossing] = 255
    return cleaned


def _reference_drop_blue_ink(image: np.ndarray) -> np.ndarray:
    b, g, r = cv2.split(image)
    grey = np.asarray(cv2.min(cv2.min(b, g), r))
    blue = cv2.subtract(b, cv2.max(r, g)) > 25
    blue |= (cv2.subtract(b, g) > 30) & (cv2.subtract(r, g) > 15) & (cv2.subtract(r, b) <= 10)
    if blue.any():
        grey = grey.copy()
        grey[blue] = np.asarray(cv2.max(cv2.max(b, g), r))[blue]
    return grey


def _reference_clean_page(image: np.ndarray) -> np.ndarray:
    grey = image if image.ndim == 2 else _reference_drop_blue_ink(image)
    h, w = grey.shape[:2]
    f = 600 / max(h, w)
    small = cv2.resize(grey, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    k = max(3, round(15 * f * max(h, w) / 2500) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), 3)
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    norm = cv2.divide(grey, np.maximum(bg, 1), scale=255)
    sample = np.asarray(norm)[:: max(1, h // 400), :: max(1, w // 400)]
    lo, hi = (float(v) for v in np.percentile(sample, (1, 60)))
    if hi - lo < 10:
        return np.asarray(norm, dtype=np.uint8)
    levels = (np.arange(256, dtype=np.float32) - lo) * (255.0 / (hi - lo))
    lut = np.clip(levels, 0, 255).astype(np.uint8)
    return _reference_remove_rules(np.asarray(cv2.LUT(np.asarray(norm, dtype=np.uint8), lut)))


def _form(h: int, w: int, seed: int, colour: bool) -> np.ndarray:
    """A page with underlines and table borders (on band edges too), letters crossing them,
    a lighting gradient, noise and, in colour, a blue seal and red print."""
    rng = np.random.default_rng(seed)
    page = np.full((h, w, 3), 235, dtype=np.uint8)
    page -= np.linspace(0, 40, w, dtype=np.uint8)[None, :, None]  # uneven light
    for y in (40, _BAND_ROWS - 1, _BAND_ROWS, _BAND_ROWS + 3, h // 2, h - 30):
        if y < h:
            cv2.line(page, (20, y), (w - 20, y), (20, 20, 20), 2)
    for x in (15, w // 3, w - 15):
        cv2.line(page, (x, 10), (x, h - 10), (30, 30, 30), 2)
    for _ in range(120):  # letter-like strokes, many across the rules
        x, y = int(rng.integers(0, max(1, w - 20))), int(rng.integers(0, max(1, h - 30)))
        cv2.line(page, (x, y), (x + int(rng.integers(-6, 7)), y + 22), (10, 10, 10), 2)
    if colour:
        cv2.circle(page, (w // 2, h // 3), min(h, w) // 6, (200, 60, 40), 6)  # blue seal (BGR)
        cv2.putText(page, "123456", (30, h - 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 200), 3)
    noise = rng.normal(0, 6, page.shape)
    return np.clip(page.astype(np.float64) + noise, 0, 255).astype(np.uint8)


@pytest.mark.parametrize(
    ("h", "w", "colour"),
    [(700, 530, True), (2 * _BAND_ROWS, 400, True), (611, 300, False), (90, 3, False)],
)
def test_clean_page_matches_the_whole_page_reference(h: int, w: int, colour: bool) -> None:
    page = _form(h, w, seed=h + w, colour=colour)
    image = page if colour else cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    expected = _reference_clean_page(image)
    got = clean_page(image)
    assert got.dtype == np.uint8 and got.shape == expected.shape
    assert np.array_equal(got, expected)


def test_remove_rules_matches_the_reference_and_leaves_its_input_alone() -> None:
    grey = cv2.cvtColor(_form(650, 480, seed=5, colour=False), cv2.COLOR_BGR2GRAY)
    before = grey.copy()
    cleaned = remove_rules(grey)
    assert np.array_equal(cleaned, _reference_remove_rules(before))
    assert np.array_equal(grey, before)
    assert not np.array_equal(cleaned, grey)  # there were rules to erase


def test_a_page_without_rules_comes_back_as_it_is() -> None:
    grey = np.full((300, 200), 250, dtype=np.uint8)
    grey[100:110, 50:60] = 0
    assert remove_rules(grey) is grey


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("seed", range(6))
def test_long_runs_are_the_opening_by_a_line(axis: int, seed: int) -> None:
    """Only rows (columns) that can hold a run are opened: the same pixels as opening all of
    them, for runs one pixel short, exactly long enough, off the 8-pixel grid, at the edges."""
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(60, 400, size=2))
    ink = (rng.random((h, w)) < 0.3).astype(np.uint8)
    side = w if axis == 1 else h
    length = int(rng.integers(16, max(17, side // 2)))
    for _ in range(12):
        run = length + int(rng.integers(-2, 3))
        start = int(rng.choice([0, side - run, int(rng.integers(0, max(1, side - run)))]))
        at = int(rng.integers(0, ink.shape[1 - axis]))
        if axis == 1:
            ink[at, max(0, start) : start + run] = 1
        else:
            ink[max(0, start) : start + run, at] = 1
    size = (length, 1) if axis == 1 else (1, length)
    line = cv2.getStructuringElement(cv2.MORPH_RECT, size)
    expected = cv2.morphologyEx(ink, cv2.MORPH_OPEN, line)
    got = _long_runs(ink, length, axis=axis)
    assert expected.any()
    assert np.array_equal(got, expected)


def test_a_pale_seal_in_lamp_light_fades_and_the_print_stays() -> None:
    # Paper lit orange (B 200, G 214, R 223) with black print, red print and a pale violet seal
    # stroke (B 109, G 94, R 112) across a «1»: judged against the paper's own white, the
    # stroke is violet and is lifted to its brightest channel; the black and red print stay
    # dark. On grey paper (the fixed thresholds) the pale stroke stays as it is: a scan is not
    # rebalanced.
    page = np.empty((300, 400, 3), np.uint8)
    page[:] = (200, 214, 223)
    page[50:250, 100:110] = (40, 38, 42)  # black «1»
    page[50:250, 300:310] = (45, 50, 200)  # red print
    cv2.line(page, (40, 260), (200, 40), (109, 94, 112), 9)  # the seal's stroke
    grey = _drop_blue_ink(page)
    stroke = (95, 160)  # row, column: a point on the stroke, clear of the «1»
    assert tuple(page[stroke]) == (109, 94, 112)
    assert grey[stroke] == 112  # its brightest channel, as a seal's ink, not its darkest
    assert grey[150, 105] < 60 and grey[150, 305] < 60
    neutral = page.copy()
    neutral[np.all(page == (200, 214, 223), axis=2)] = (220, 220, 220)
    assert _drop_blue_ink(neutral)[stroke] == 94

"""Image quality assessment on generated documents (tests.docgen) and simple variations."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from omsdesktop.forms.model import DocumentKind, ExtractedDocument, FieldValue
from omsdesktop.forms.pipeline import (
    OCCLUDED_MAX_CONFIDENCE,
    flag_occluded_fields,
    process_file,
)
from omsdesktop.ocr.quality import (
    GLARE_OVER_FIELD,
    PROBLEM_SPECS,
    QualityThresholds,
    assess,
    boxes_overlap,
    decide,
    glare_regions,
    measure,
)
from omsdesktop.ocr.types import Box, Page
from tests.docgen import (
    DegradeInfo,
    GeneratedDocument,
    degrade,
    generate_certificate,
    generate_policy,
)
from tests.docgen.render_real import generate_real

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@pytest.fixture(scope="module")
def certificate() -> GeneratedDocument:
    return generate_certificate(3)


@pytest.fixture(scope="module")
def policy() -> GeneratedDocument:
    return generate_policy(3)


def _codes(image: np.ndarray, dpi: float | None = None) -> frozenset[str]:
    return assess(image, dpi=dpi).codes


@pytest.mark.slow  # renders and processes whole pages, over a second each
@pytest.mark.parametrize("name", ["scan300", "scan200"])
def test_clean_scans_have_no_problems(
    certificate: GeneratedDocument, policy: GeneratedDocument, name: str
) -> None:
    for doc in (certificate, policy):
        img, info = degrade(doc, name, 11)
        report = assess(Page(image=img, dpi=info.dpi))
        assert report.ok, report.metrics
        assert report.problems == ()


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_clean_photo_is_ok_and_document_located(certificate: GeneratedDocument) -> None:
    img, info = degrade(certificate, "photo", 2)
    report = assess(img)
    assert report.ok, (report.codes, dict(report.metrics))
    assert report.document_quad is not None
    size = float(np.sqrt(cv2.contourArea(info.quad.astype(np.float32))))
    err = np.linalg.norm(report.document_quad - info.quad, axis=1).max()
    assert err < 0.03 * size


@pytest.mark.parametrize(
    "name",
    [
        "blur",
        "motion_blur",
        "lowres",
        "dark",
        "bright",
        "low_contrast",
        "glare",
        "cutoff",
        "too_small",
    ],
)
@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_each_degradation_raises_its_problem(certificate: GeneratedDocument, name: str) -> None:
    img, info = degrade(certificate, name, 3)
    report = assess(Page(image=img, dpi=info.dpi))
    assert info.expected_problems <= report.codes, (report.codes, dict(report.metrics))
    assert not report.ok
    for problem in report.problems:
        if problem.code in info.expected_problems:
            assert problem.severity == "blocking"


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_cutoff_scan_and_cutoff_photo_both_detected(policy: GeneratedDocument) -> None:
    # docgen cuts either a photo (paper runs off the frame) or a scan (page cropped).
    kinds = set()
    for seed in range(1, 40):
        img, info = degrade(policy, "cutoff", seed)
        kind = "photo" if info.photo else "scan"
        if kind in kinds:
            continue
        kinds.add(kind)
        assert "cut_off" in _codes(img, info.dpi), kind
        if kinds == {"photo", "scan"}:
            break
    assert kinds == {"photo", "scan"}


def test_sharp_low_resolution_is_low_resolution_not_blurry(certificate: GeneratedDocument) -> None:
    page = certificate.image
    sharp_100dpi = cv2.resize(page, None, fx=1 / 3, fy=1 / 3, interpolation=cv2.INTER_AREA)
    report = assess(sharp_100dpi)
    assert "low_resolution" in report.codes
    assert "blurry" not in report.codes, dict(report.metrics)
    # A 100-dpi image has sharp edges: a Laplacian-variance test would call it sharp; we say
    # why it is unreadable instead.
    assert report.metrics["edge_width_px"] < QualityThresholds().blur_min_px


def test_blurred_300dpi_is_blurry_not_low_resolution(certificate: GeneratedDocument) -> None:
    sigma = 0.2 * certificate.text_height
    blurred = cv2.GaussianBlur(certificate.image, (0, 0), sigma)
    report = assess(blurred)
    assert "blurry" in report.codes, dict(report.metrics)
    assert "low_resolution" not in report.codes


def test_small_sharp_text_is_not_blurry(certificate: GeneratedDocument) -> None:
    # 150 dpi: small characters (about 10 px) but crisp edges.
    small = cv2.resize(certificate.image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    report = assess(small)
    assert "blurry" not in report.codes, dict(report.metrics)


def test_mild_softness_of_big_text_is_not_blurry(certificate: GeneratedDocument) -> None:
    soft = cv2.GaussianBlur(certificate.image, (0, 0), 1.2)
    assert "blurry" not in _codes(soft)


def test_edge_to_edge_page_is_not_cut_off(
    certificate: GeneratedDocument, policy: GeneratedDocument
) -> None:
    # doc.image is the sheet edge to edge: the page *is* the frame.
    for doc in (certificate, policy):
        report = assess(doc.image)
        assert "cut_off" not in report.codes, dict(report.metrics)
        assert report.ok


def test_blank_page_has_no_text() -> None:
    blank = np.full((1200, 900, 3), 245, np.uint8)
    report = assess(blank)
    assert "no_text" in report.codes
    assert not report.ok


def test_grey_input_is_accepted(certificate: GeneratedDocument) -> None:
    grey = cv2.cvtColor(certificate.image, cv2.COLOR_BGR2GRAY)
    assert assess(grey).ok


def test_declared_dpi_decides_without_text() -> None:
    blank = np.full((400, 300, 3), 245, np.uint8)
    assert "low_resolution" in assess(Page(image=blank, dpi=72.0)).codes
    assert "low_resolution" not in assess(Page(image=blank, dpi=300.0)).codes


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_report_json_and_messages(certificate: GeneratedDocument) -> None:
    img, info = degrade(certificate, "dark", 5)
    report = assess(img, dpi=info.dpi)
    data = report.to_json()
    assert data["ok"] is False
    assert {"code": "too_dark", "severity": "blocking"}.items() <= data["problems"][0].items()
    for problem in report.problems:
        assert CYRILLIC.search(problem.message), problem.message
        assert problem.message_en and not CYRILLIC.search(problem.message_en)
    en = report.to_json("en")
    assert en["problems"][0]["message"] == report.problems[0].message_en


def test_every_problem_code_has_bilingual_message() -> None:
    assert {
        "blurry",
        "low_resolution",
        "too_dark",
        "too_bright",
        "low_contrast",
        "glare",
        "cut_off",
        "too_small",
    } <= set(PROBLEM_SPECS)
    for spec in PROBLEM_SPECS.values():
        assert CYRILLIC.search(spec.message_ru)
        assert spec.message_en


def test_thresholds_round_trip_and_drive_the_decision(certificate: GeneratedDocument) -> None:
    th = QualityThresholds()
    assert QualityThresholds.from_json(th.to_json()) == th
    assert QualityThresholds.from_json({"min_text_px": 5, "unknown": 1}).min_text_px == 5.0
    # The decision follows the thresholds: a strict resolution limit rejects a good scan.
    img, info = degrade(certificate, "scan300", 4)
    metrics, _ = measure(img, th, dpi=info.dpi)
    assert not decide(metrics, th)
    strict = QualityThresholds(min_text_px=metrics["text_height_px"] + 1)
    assert [p.code for p in decide(metrics, strict)] == ["low_resolution"]


# --------------------------------------------------------------------------------------------
# Realistic glare and fingers, painted over docgen photos (docgen's own "glare" is one big
# blown-out ellipse; real glare is often a small flash spot, a lamp's streak, a window's
# reflection or a soft veil, and the paper around it may already be bright). The calibration
# benchmark (benchmarks/quality_calibration.py) paints with these too.

GLARE_STYLES: tuple[str, ...] = ("flash", "lamp", "veil", "window", "bright_flash")

_SKIN = ((120, 150, 205), (100, 135, 190), (85, 115, 165), (140, 170, 220), (110, 130, 175))
"""Skin tones, BGR (blue below green below red), light to dark."""


def _jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), np.uint8)


def _doc_quad(homography: np.ndarray, doc_shape: tuple[int, int]) -> np.ndarray:
    h, w = doc_shape
    corners = np.array([[[0, 0], [w, 0], [w, h], [0, h]]], np.float32)
    return np.asarray(cv2.perspectiveTransform(corners, homography)[0], np.float64)


def paint_glare(
    image: np.ndarray,
    homography: np.ndarray,
    doc_shape: tuple[int, int],
    target: tuple[int, int, int, int],
    seed: int,
    style: str,
) -> np.ndarray:
    """A specular highlight centred on ``target`` (x, y, w, h in document pixels).

    ``homography`` maps document pixels to the photo (DegradeInfo.homography). Specular light
    adds to the diffuse picture and clips; it lies on the glossy document only, not the table.
    """
    rnd = random.Random(f"glare:{seed}:{style}")
    h, w = image.shape[:2]
    x, y, bw, bh = target
    centre = cv2.perspectiveTransform(
        np.array([[[x + bw / 2, y + bh / 2]]], np.float32), homography
    )[0, 0]
    cx, cy = float(centre[0]), float(centre[1])
    quad = _doc_quad(homography, doc_shape)
    doc_w = float(np.linalg.norm(quad[1] - quad[0]))
    tint = np.array([1.0, rnd.uniform(0.97, 1.0), rnd.uniform(0.97, 1.03)], np.float32)
    if style in ("flash", "bright_flash"):  # a round flash spot
        ax = doc_w * rnd.uniform(0.04, 0.12)
        ay = ax * rnd.uniform(0.7, 1.0)
        peak, falloff = rnd.uniform(1.2, 2.0), rnd.uniform(0.8, 2.0)
    elif style == "lamp":  # a lamp's streak
        ax = doc_w * rnd.uniform(0.15, 0.35)
        ay = ax * rnd.uniform(0.08, 0.25)
        peak, falloff = rnd.uniform(1.3, 2.5), rnd.uniform(1.5, 4.0)
    elif style == "veil":  # a broad soft sheen that only just clips
        ax = doc_w * rnd.uniform(0.15, 0.3)
        ay = ax * rnd.uniform(0.5, 0.9)
        peak, falloff = rnd.uniform(0.9, 1.2), rnd.uniform(0.6, 1.0)
    elif style == "window":  # a window's reflection: a soft-edged quadrilateral
        ax = doc_w * rnd.uniform(0.06, 0.15)
        ay = ax * rnd.uniform(0.5, 1.2)
        peak, falloff = rnd.uniform(1.3, 2.0), 0.0
    else:
        raise ValueError(style)
    ang = math.radians(rnd.uniform(0, 180))
    reach = 3.0 * max(ax, ay)
    x0, x1 = max(0, int(cx - reach)), min(w, int(cx + reach))
    y0, y1 = max(0, int(cy - reach)), min(h, int(cy + reach))
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    u = (xx - cx) * math.cos(ang) + (yy - cy) * math.sin(ang)
    v = -(xx - cx) * math.sin(ang) + (yy - cy) * math.cos(ang)
    if style == "window":
        d = np.maximum(np.abs(u) / ax, np.abs(v) / ay)
        edge = max(2.0, ax * rnd.uniform(0.03, 0.12))
        glow = peak * np.clip((1.0 - d) * ax / edge + 0.5, 0, 1)
        glow += 0.25 * np.exp(-((np.maximum(d - 1, 0) * ax / (3 * edge)) ** 2))
        glow = cv2.GaussianBlur(glow, (0, 0), edge / 2)
    else:
        glow = peak * np.exp(-((u / ax) ** 2 + (v / ay) ** 2) * falloff)
    on_doc = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(on_doc, np.round(quad - [x0, y0]).astype(np.int32), 255, cv2.LINE_AA)
    glow *= on_doc.astype(np.float32) / 255.0
    out = image.astype(np.float32) if style == "bright_flash" else image.copy()
    roi = out[y0:y1, x0:x1].astype(np.float32) + glow[..., None] * 255.0 * tint
    out[y0:y1, x0:x1] = np.clip(roi, 0, 255)
    if style == "bright_flash":
        # A flash photo: the paper itself is bright around the hotspot (but not clipped: a
        # phone exposes for the scene, and a page blown out all over is "too_bright").
        out = out * rnd.uniform(1.04, 1.12) + 4
    return _jpeg(np.clip(out, 0, 255).astype(np.uint8), rnd.randint(80, 92))


def paint_finger(
    image: np.ndarray, homography: np.ndarray, doc_shape: tuple[int, int], seed: int
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A finger or thumb over one edge of the document (a hand holding it for the photo).

    Returns the photo and the finger's box on the document (x, y, w, h in document pixels).
    """
    rnd = random.Random(f"finger:{seed}")
    dh, dw = doc_shape
    q = 4  # the finger is drawn at a quarter of the document's resolution
    margin = 0.3 * max(dw, dh)
    cw, ch = round((dw + 2 * margin) / q), round((dh + 2 * margin) / q)
    side = rnd.randrange(4)
    t = rnd.uniform(0.2, 0.8)
    width = rnd.uniform(0.12, 0.2) * min(dw, dh)
    depth = rnd.uniform(0.1, 0.22) * min(dw, dh)
    inward = {0: (0.0, 1.0), 1: (-1.0, 0.0), 2: (0.0, -1.0), 3: (1.0, 0.0)}[side]
    edge = {0: (t * dw, 0.0), 1: (dw, t * dh), 2: (t * dw, dh), 3: (0.0, t * dh)}[side]
    tilt = rnd.uniform(-0.4, 0.4)
    dx = inward[0] * math.cos(tilt) - inward[1] * math.sin(tilt)
    dy = inward[0] * math.sin(tilt) + inward[1] * math.cos(tilt)
    tip = (edge[0] + dx * depth, edge[1] + dy * depth)
    base = (edge[0] - dx * margin, edge[1] - dy * margin)

    def canvas(p: tuple[float, float]) -> tuple[int, int]:
        return round((p[0] + margin) / q), round((p[1] + margin) / q)

    mask = np.zeros((ch, cw), np.uint8)
    cv2.line(mask, canvas(base), canvas(tip), 255, max(1, round(width / q)), cv2.LINE_AA)
    cv2.circle(mask, canvas(tip), round(width / q / 2), 255, -1, cv2.LINE_AA)
    inner = cv2.distanceTransform((mask > 127).astype(np.uint8), cv2.DIST_L2, 5)
    shade = 0.72 + 0.28 * np.clip(inner / max(1.0, width / q / 2), 0, 1)
    skin = np.array(rnd.choice(_SKIN), np.float32) * rnd.uniform(0.85, 1.1)
    colour = np.clip(skin * shade[..., None], 0, 255).astype(np.uint8)
    to_doc = np.array([[q, 0, -margin], [0, q, -margin], [0, 0, 1]], np.float64)
    to_frame = homography @ to_doc
    h, w = image.shape[:2]
    alpha = cv2.warpPerspective(mask, to_frame, (w, h), flags=cv2.INTER_LINEAR)
    paint = cv2.warpPerspective(colour, to_frame, (w, h), flags=cv2.INTER_LINEAR)
    a = alpha.astype(np.float32)[..., None] / 255.0
    out = np.clip(image * (1 - a) + paint * a, 0, 255).astype(np.uint8)
    # The finger's box on the document itself.
    ys, xs = np.nonzero(mask > 127)
    dx_, dy_ = xs * q - margin, ys * q - margin
    on = (dx_ >= 0) & (dx_ < dw) & (dy_ >= 0) & (dy_ < dh)
    bx0, by0 = int(dx_[on].min()), int(dy_[on].min())
    box = (bx0, by0, int(dx_[on].max()) - bx0 + q, int(dy_[on].max()) - by0 + q)
    return _jpeg(out, rnd.randint(80, 92)), box


# --------------------------------------------------------------------------------------------
# Glare: named on glare photos, not on good photos and scans; regions on the straightened page.


def _straightened(image: np.ndarray, info: DegradeInfo, doc: GeneratedDocument) -> np.ndarray:
    """The page as a perfect straightening would give it (the true homography undone)."""
    h, w = doc.image.shape[:2]
    inv = np.linalg.inv(info.homography)
    return np.asarray(cv2.warpPerspective(image, inv, (w, h), flags=cv2.INTER_LINEAR), np.uint8)


def _overlaps(regions: list[Box], box: tuple[int, int, int, int]) -> bool:
    return any(boxes_overlap(r, Box(*box)) for r in regions)


@pytest.fixture(scope="module")
def unified_real() -> GeneratedDocument:
    return generate_real(3, "unified_real")


@pytest.mark.slow  # renders and processes whole pages, over a second each
@pytest.mark.parametrize("style", ["docgen", "flash", "lamp", "bright_flash"])
def test_glare_photo_is_named(policy: GeneratedDocument, style: str) -> None:
    if style == "docgen":
        img, _ = degrade(policy, "glare", 4)
    else:
        photo, info = degrade(policy, "photo", 4)
        target = policy.boxes["last_name"]
        img = paint_glare(photo, info.homography, policy.image.shape[:2], target, 4, style)
    report = assess(img)
    assert "glare" in report.codes, dict(report.metrics)
    glare = next(p for p in report.problems if p.code == "glare")
    # The message says what to do about it.
    assert "вспышк" in glare.message and "наклоните" in glare.message
    assert "flash" in glare.message_en


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_good_photos_and_scans_are_not_glare(
    certificate: GeneratedDocument, policy: GeneratedDocument, unified_real: GeneratedDocument
) -> None:
    # The real blank's pale guilloche with whiter patches is where a naive "brighter than
    # the paper" test fires on a scan.
    for doc in (certificate, policy, unified_real):
        for name in ("photo", "scan300"):
            img, info = degrade(doc, name, 6)
            report = assess(Page(image=img, dpi=info.dpi))
            assert "glare" not in report.codes, (doc.layout, name, dict(report.metrics))
            scan = info.dpi is not None
            page = _straightened(img, info, doc)
            assert glare_regions(page, scan=scan) == [], (doc.layout, name)
    assert glare_regions(certificate.image, scan=True) == []


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_glare_regions_finds_a_painted_patch_over_its_field(
    unified_real: GeneratedDocument,
) -> None:
    doc = unified_real
    photo, info = degrade(doc, "photo", 8)
    target = doc.boxes["last_name"]
    img = paint_glare(photo, info.homography, doc.image.shape[:2], target, 8, "flash")
    page = _straightened(img, info, doc)
    regions = glare_regions(page)
    assert _overlaps(regions, target), (regions, target)
    # Only the patch: nowhere near the whole page, and not the fields far from it.
    covered = sum(r.width * r.height for r in regions)
    assert covered < 0.25 * page.shape[0] * page.shape[1]
    # The ENP is printed 80 mm below the surname.
    assert not _overlaps(regions, doc.boxes["policy_number"])


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_glare_regions_finds_a_finger_over_an_edge(
    certificate: GeneratedDocument, policy: GeneratedDocument
) -> None:
    for doc, seed in ((certificate, 1), (policy, 2)):
        photo, info = degrade(doc, "photo", seed)
        img, finger = paint_finger(photo, info.homography, doc.image.shape[:2], seed)
        regions = glare_regions(_straightened(img, info, doc))
        assert _overlaps(regions, finger), (doc.layout, regions, finger)


def test_glare_regions_accepts_grey_and_tiny_images() -> None:
    assert glare_regions(np.full((40, 30), 255, np.uint8)) == []
    assert glare_regions(np.zeros((0, 0, 3), np.uint8)) == []
    grey = np.full((600, 400), 200, np.uint8)
    cv2.circle(grey, (200, 300), 60, 255, -1)
    grey = cv2.GaussianBlur(grey, (0, 0), 8)
    regions = glare_regions(grey)
    assert len(regions) == 1 and _overlaps(regions, (190, 290, 20, 20))


def _field(box: tuple[int, int, int, int], source: str = "ocr") -> FieldValue:
    return FieldValue(value="ИВАНОВ", confidence=0.97, source=source, box=Box(*box))  # type: ignore[arg-type]


@pytest.mark.expect_log("glare check of the fields skipped")  # a broken glare search, below
def test_flag_occluded_fields_marks_only_fields_under_glare(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = np.full((1400, 1000, 3), 205, np.uint8)
    glow = np.zeros((1400, 1000), np.float32)
    cv2.circle(glow, (300, 400), 90, 1.0, -1)
    glow = cv2.GaussianBlur(glow, (0, 0), 25) * 1.6
    page = np.clip(page + glow[..., None] * 255, 0, 255).astype(np.uint8)
    doc = ExtractedDocument(
        kind=DocumentKind.OMS_POLICY,
        fields={
            "last_name": _field((200, 380, 300, 40)),
            "first_name": _field((200, 900, 300, 40)),
            "policy_number": _field((250, 390, 200, 30), source="barcode"),
        },
    )
    out = flag_occluded_fields(doc, page, QualityThresholds())
    hit = out.fields["last_name"]
    assert hit.needs_review and hit.confidence <= OCCLUDED_MAX_CONFIDENCE
    assert [p.code for p in hit.problems] == [GLARE_OVER_FIELD.code]
    assert "Блик или палец" in hit.problems[0].message and hit.problems[0].message_en
    assert out.fields["first_name"] == doc.fields["first_name"]
    assert out.fields["policy_number"] == doc.fields["policy_number"]  # the barcode is exact

    def broken(*_: object) -> list[Box]:
        raise RuntimeError("boom")

    monkeypatch.setattr("omsdesktop.forms.pipeline.glare_regions", broken)
    assert flag_occluded_fields(doc, page, QualityThresholds()) is doc


@pytest.mark.slow  # real Tesseract
def test_pipeline_flags_the_field_under_glare(
    certificate: GeneratedDocument, tmp_path: Path
) -> None:
    # Real Tesseract on a phone photo with a flash spot over the place of birth.
    photo, info = degrade(certificate, "photo", 5)
    target = certificate.boxes["birth_place"]
    img = paint_glare(photo, info.homography, certificate.image.shape[:2], target, 5, "flash")
    path = tmp_path / "glare.jpg"
    assert cv2.imwrite(str(path), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    result = process_file(path, kind="birth_certificate")
    assert not result.errors and result.document is not None
    fields = result.document.fields
    place = fields["birth_place"]
    assert place.needs_review and place.confidence <= OCCLUDED_MAX_CONFIDENCE
    assert GLARE_OVER_FIELD.code in [p.code for p in place.problems]
    # The surname is far above the spot: left alone.
    assert GLARE_OVER_FIELD.code not in [p.code for p in fields["last_name"].problems]


@pytest.mark.slow  # renders and processes whole pages, over a second each
@pytest.mark.parametrize("style", ["window", "veil"])
def test_glare_closeup_is_glare_not_a_small_document(policy: GeneratedDocument, style: str) -> None:
    # A phone scanner app's page (no background) with a big reflection: the reflection is the
    # brightest region and must not be taken for a small sheet on a darker table.
    photo, info = degrade(policy, "photo", 4)
    target = policy.boxes["last_name"]
    img = paint_glare(photo, info.homography, policy.image.shape[:2], target, 4, style)
    report = assess(_straightened(img, info, policy))
    assert "glare" in report.codes, dict(report.metrics)
    assert "too_small" not in report.codes, dict(report.metrics)

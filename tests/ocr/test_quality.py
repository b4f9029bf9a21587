"""Image quality assessment on generated documents (tests.docgen) and simple variations."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from omsdesktop.ocr.quality import (
    PROBLEM_SPECS,
    QualityThresholds,
    assess,
    decide,
    measure,
)
from omsdesktop.ocr.types import Page
from tests.docgen import GeneratedDocument, degrade, generate_certificate, generate_policy

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@pytest.fixture(scope="module")
def certificate() -> GeneratedDocument:
    return generate_certificate(3)


@pytest.fixture(scope="module")
def policy() -> GeneratedDocument:
    return generate_policy(3)


def _codes(image: np.ndarray, dpi: float | None = None) -> frozenset[str]:
    return assess(image, dpi=dpi).codes


@pytest.mark.parametrize("name", ["scan300", "scan200"])
def test_clean_scans_have_no_problems(
    certificate: GeneratedDocument, policy: GeneratedDocument, name: str
) -> None:
    for doc in (certificate, policy):
        img, info = degrade(doc, name, 11)
        report = assess(Page(image=img, dpi=info.dpi))
        assert report.ok, report.metrics
        assert report.problems == ()


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
def test_each_degradation_raises_its_problem(certificate: GeneratedDocument, name: str) -> None:
    img, info = degrade(certificate, name, 3)
    report = assess(Page(image=img, dpi=info.dpi))
    assert info.expected_problems <= report.codes, (report.codes, dict(report.metrics))
    assert not report.ok
    for problem in report.problems:
        if problem.code in info.expected_problems:
            assert problem.severity == "blocking"


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

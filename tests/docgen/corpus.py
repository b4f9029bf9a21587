"""Write a corpus of degraded documents with a truth.jsonl index."""

from __future__ import annotations

import io
import json
import multiprocessing
import random
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .degrade import DEGRADATIONS, degrade
from .render_real import REAL_FORMS, generate_real

# Real-form corpus mix: mostly unified policies, then temporary certificates, a few blanks.
_REAL_WEIGHTS = (0.62, 0.28, 0.05, 0.05)

_PHOTO_NAMES = {"photo", "glare", "too_small", "defocus", "lamp", "hand"}
CORPUS_FORMS: tuple[str, ...] = ("drawn", "real")
"""What a corpus holds: "drawn" = the generated certificates and policies (``generate``);
"real" = policies on the real blank forms (``generate_real``: mostly unified_real, then
temporary_real, a few empty blanks)."""


def build_corpus(
    out_dir: Path,
    count: int,
    seed: int,
    degradations: Sequence[str] = DEGRADATIONS,
    font_set: str = "train",
    *,
    workers: int = 1,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    forms: str = "drawn",
) -> Path:
    """Generate ``count`` documents, degrade each, write them and ``truth.jsonl``.

    Degradations are dealt in shuffled rounds so each appears about equally often; the kind is
    drawn independently. Files are .png, .jpg or .tif (photos are JPEG); about a quarter have
    Cyrillic names (with a space in "полис ОМС_…"), the first always does. The output is the
    same for any ``workers`` (processes). Returns the path of truth.jsonl, whose lines are
    {"file", "kind", "layout", "degradation", "font_set", "seed", "truth",
    "expected_problems", "dpi", "quad", "homography"}; ``seed`` regenerates the clean
    document with ``generate(seed, kind, font_set)``.

    ``forms="real"`` writes policies on the real blank forms instead (see CORPUS_FORMS): the
    same record format, kind "oms_policy", ``layout`` one of ``REAL_FORMS``, plus "covered"
    (value keys hidden by a finger or glare) and "extra" (e.g. {"handwritten": "1"}); such a
    document is regenerated with ``generate_real(seed, layout, font_set)``.
    """
    if forms not in CORPUS_FORMS:
        raise ValueError(f"unknown corpus forms {forms!r}; use one of {CORPUS_FORMS}")
    if not degradations:
        raise ValueError("at least one degradation is needed")
    unknown = sorted(set(degradations) - set(DEGRADATIONS))
    if unknown:
        raise ValueError(f"unknown degradations {unknown}; use names from {DEGRADATIONS}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(
        f"corpus:{seed}:{font_set}" if forms == "drawn" else f"corpus:{seed}:{font_set}:{forms}"
    )
    plan: list[str] = []
    while len(plan) < count:
        round_ = list(degradations)
        rnd.shuffle(round_)
        plan.extend(round_)
    jobs = []
    for i in range(count):
        doc_seed = rnd.getrandbits(31)
        if forms == "drawn":
            kind = rnd.choice(("birth_certificate", "oms_policy"))
        else:
            kind = rnd.choices(REAL_FORMS, weights=_REAL_WEIGHTS)[0]
        job_rnd = rnd.getrandbits(32)
        jobs.append((str(out_dir), i, doc_seed, kind, plan[i], font_set, job_rnd))
    truth_path = out_dir / "truth.jsonl"
    with truth_path.open("w", encoding="utf-8") as index:

        def record(i: int, rec: dict[str, Any]) -> None:
            index.write(json.dumps(rec, ensure_ascii=False) + "\n")
            if progress is not None:
                progress((i + 1) / count)

        if workers <= 1:
            for i, job in enumerate(jobs):
                if cancelled is not None and cancelled():
                    break
                record(i, _make_one(job))
        else:
            # "spawn": safe in a threaded parent and the same on every OS.
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                futures: list[Future[dict[str, Any]]] = [pool.submit(_make_one, j) for j in jobs]
                for i, fut in enumerate(futures):
                    if cancelled is not None and cancelled():
                        for rest in futures[i:]:
                            rest.cancel()
                        break
                    record(i, fut.result())
    return truth_path


def _make_one(job: tuple[str, int, int, str, str, str, int]) -> dict[str, Any]:
    """Generate, degrade and write one file; returns its truth.jsonl record."""
    from . import generate  # the package's generate(); imported here to avoid a cycle

    out_dir, i, doc_seed, kind, name, font_set, job_rnd = job
    rnd = random.Random(job_rnd)
    real = kind in REAL_FORMS
    doc = generate_real(doc_seed, kind, font_set) if real else generate(doc_seed, kind, font_set)
    img, info = degrade(doc, name, doc_seed)
    ext = _extension(rnd, name, info.photo)
    file_name = f"{_stem(rnd, i, doc.kind, name)}{ext}"
    (Path(out_dir) / file_name).write_bytes(_encode(img, ext, info.dpi, info.jpeg_quality))
    record = {
        "file": file_name,
        "kind": doc.kind,
        "layout": doc.layout,
        "degradation": name,
        "font_set": font_set,
        "seed": doc_seed,
        "truth": doc.truth,
        "expected_problems": sorted(info.expected_problems),
        "dpi": info.dpi,
        "quad": np.round(info.quad, 2).tolist(),
        "homography": info.homography.tolist(),
    }
    if real:
        record["covered"] = sorted(info.covered)
        record["extra"] = dict(doc.extra)
    return record


def _extension(rnd: random.Random, name: str, photo: bool) -> str:
    if photo or name in _PHOTO_NAMES:
        return ".jpg"
    return rnd.choices((".png", ".jpg", ".tif"), weights=(5, 3, 2))[0]


def _stem(rnd: random.Random, i: int, kind: str, name: str) -> str:
    if i == 0 or rnd.random() < 0.25:
        word = "свидетельство" if kind == "birth_certificate" else "полис ОМС"
        return f"{word}_{i + 1:03d}"
    return f"doc_{i + 1:04d}_{name}"


def _encode(img: np.ndarray, ext: str, dpi: float | None, jpeg_quality: int | None) -> bytes:
    """Encode BGR pixels; the dpi goes into the file's header when a scanner would set it."""
    pil = Image.fromarray(np.ascontiguousarray(img[:, :, ::-1]), "RGB")
    buf = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if dpi is not None:
        kwargs["dpi"] = (dpi, dpi)
    if ext == ".jpg":
        pil.save(buf, "JPEG", quality=jpeg_quality or 92, **kwargs)
    elif ext == ".png":
        pil.save(buf, "PNG", compress_level=3, **kwargs)
    else:
        pil.save(buf, "TIFF", compression="tiff_lzw", **kwargs)
    return buf.getvalue()

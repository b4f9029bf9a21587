"""A generated service-centre folder: families (certificate + policy of one child), strays,
a blurry scan and a text file named .jpg, under shuffled file names that say nothing."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from tests.docgen import POLICY_FORMS, degrade, generate_certificate, generate_policy
from tests.docgen.render_real import generate_real

REAL_POLICY_FORMS = ("unified_real", "unified_real", "temporary_real")


@dataclass
class Folder:
    path: Path
    # file name -> (kind, seed) for every document file; the seed names the child.
    documents: dict[str, tuple[str, int]] = field(default_factory=dict)
    families: list[int] = field(default_factory=list)
    stray_policies: list[int] = field(default_factory=list)
    blurry: list[str] = field(default_factory=list)
    junk: list[str] = field(default_factory=list)


def _write(path: Path, image: np.ndarray, jpeg: bool) -> None:
    params = [cv2.IMWRITE_JPEG_QUALITY, 90] if jpeg else []
    ok, buf = cv2.imencode(".jpg" if jpeg else ".png", image, params)
    assert ok
    path.write_bytes(buf.tobytes())


def build_folder(
    path: Path,
    *,
    families: int = 6,
    stray_policies: int = 1,
    blurry: int = 1,
    junk: int = 1,
    seed: int = 0,
    first_seed: int = 100,
    real_forms: bool = False,
) -> Folder:
    """Write the folder; everything follows ``seed`` (documents, forms, names, order).

    ``real_forms``: the policies are drawn on the official blanks (the unified policy and the
    temporary certificate, typed), as parents bring them, instead of the older drawings.
    """
    rnd = random.Random(f"batch-folder:{seed}")
    path.mkdir(parents=True, exist_ok=True)
    items: list[tuple[str, int, str]] = []  # (kind, child seed, degradation)
    children = [first_seed + i for i in range(families + stray_policies + blurry)]
    fam, rest = children[:families], children[families:]
    strays, blurs = rest[:stray_policies], rest[stray_policies:]
    for child in fam:
        items.append(("birth_certificate", child, "scan300"))
        items.append(("oms_policy", child, "scan300"))
    for child in strays:
        items.append(("oms_policy", child, "scan300"))
    for child in blurs:
        items.append(("birth_certificate", child, "blur"))
    names = [f"IMG_{n:04d}" for n in rnd.sample(range(1000, 9999), len(items) + junk)]
    folder = Folder(path, families=fam, stray_policies=strays)
    forms = [f for f in POLICY_FORMS]
    for (kind, child, how), name in zip(items, names, strict=False):
        if kind == "birth_certificate":
            doc = generate_certificate(child)
        elif real_forms:
            form = REAL_POLICY_FORMS[child % len(REAL_POLICY_FORMS)]
            doc = generate_real(child, form, handwritten=False)
        else:
            doc = generate_policy(child, form=forms[child % len(forms)])
        image, _ = degrade(doc, how, seed)
        jpeg = rnd.random() < 0.5
        file_name = name + (".jpg" if jpeg else ".png")
        _write(path / file_name, image, jpeg)
        folder.documents[file_name] = (kind, child)
        if how == "blur":
            folder.blurry.append(file_name)
    for name in names[len(items) :]:
        file_name = name + ".jpg"
        (path / file_name).write_text("это не картинка, а текстовый файл\n", encoding="utf-8")
        folder.junk.append(file_name)
    return folder


REPO = Path(__file__).resolve().parents[2]


def run_batch_cli(folder: Path, out: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """``omsdesktop batch FOLDER --out OUT --jobs 2 --json`` as a user runs it, in a fresh home
    with its own SQLite database and no keyring."""
    env = dict(
        os.environ, OMSDESKTOP_HOME=str(home), OMSDESKTOP_KEYRING="off", PYTHONPATH=str(REPO)
    )
    env.pop("OMSDESKTOP_DATABASE_URL", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "omsdesktop",
            "batch",
            str(folder),
            "--out",
            str(out),
            "--jobs",
            "2",
            "--json",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=600,
    )

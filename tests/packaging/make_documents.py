"""Documents for checking an installed omsdesktop (the wheel, the bundle) from outside.

    python -m tests.packaging.make_documents OUT_DIR

writes a birth certificate and an OMS policy as 300-dpi scans (PNG), the policy also as a PDF,
and ``expected.json``: for each file its kind and the fields that must be read exactly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
from PIL import Image

from tests.docgen import degrade, generate_certificate, generate_policy

SEED = 7
# Fields a clean scan must give exactly (the barcode-free reading of the printed values).
CHECKED = {
    "birth_certificate": ("last_name", "first_name", "birth_date", "birth_certificate_number"),
    "oms_policy": ("policy_number", "last_name", "first_name", "birth_date"),
}


def write(out: Path) -> dict[str, dict[str, object]]:
    out.mkdir(parents=True, exist_ok=True)
    expected: dict[str, dict[str, object]] = {}
    docs = {
        "certificate.png": generate_certificate(SEED, layout="caption_below"),
        "policy.png": generate_policy(SEED, "unified"),
    }
    for name, doc in docs.items():
        image, _ = degrade(doc, "scan300", seed=1)
        cv2.imwrite(str(out / name), image)
        fields = {k: doc.truth.get(k) for k in CHECKED[doc.kind] if doc.truth.get(k)}
        expected[name] = {"kind": doc.kind, "fields": fields}
        if name == "policy.png":
            rgb = Image.fromarray(image[:, :, ::-1])
            rgb.save(out / "policy.pdf", "PDF", resolution=300)
            expected["policy.pdf"] = expected[name]
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1))
    return expected


if __name__ == "__main__":
    print(json.dumps(write(Path(sys.argv[1])), ensure_ascii=False))

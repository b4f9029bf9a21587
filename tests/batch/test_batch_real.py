"""Batch intake on the policies parents actually bring: the real unified policy and temporary
certificate (drawn on the official blanks) next to birth certificates, through the real CLI.

The first real specimen paired 6 of 22 families because the policy's names were read wrong;
every family here must be paired, each with its own child.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.batch.folder import build_folder, run_batch_cli

pytestmark = pytest.mark.slow  # runs the batch CLI in a subprocess, with OCR


def test_real_form_policies_pair_with_their_certificates(tmp_path: Path) -> None:
    folder = build_folder(
        tmp_path / "scans", families=4, stray_policies=0, blurry=0, junk=0, real_forms=True
    )
    done = run_batch_cli(folder.path, tmp_path / "отчёт", tmp_path / "home")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    pairs = []
    for app in summary["applications"]:
        cert_kind, cert_child = folder.documents[app["certificate"]]
        policy_kind, policy_child = folder.documents[app["policy"]]
        assert (cert_kind, policy_kind) == ("birth_certificate", "oms_policy")
        assert cert_child == policy_child, f"wrong pair: {app}"
        pairs.append(cert_child)
    assert sorted(pairs) == sorted(folder.families)

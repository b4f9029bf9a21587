"""Batch intake on the policies parents actually bring: the real unified policy and temporary
certificate (drawn on the official blanks) next to birth certificates, through the real CLI.

The first real specimen paired 6 of 22 families because the policy's names were read wrong;
every family here must be paired, each with its own child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.batch.folder import build_folder

REPO = Path(__file__).resolve().parents[2]


def test_real_form_policies_pair_with_their_certificates(tmp_path: Path) -> None:
    folder = build_folder(
        tmp_path / "scans", families=4, stray_policies=0, blurry=0, junk=0, real_forms=True
    )
    home = tmp_path / "home"
    env = dict(
        os.environ, OMSDESKTOP_HOME=str(home), OMSDESKTOP_KEYRING="off", PYTHONPATH=str(REPO)
    )
    env.pop("OMSDESKTOP_DATABASE_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "omsdesktop",
            "batch",
            str(folder.path),
            "--out",
            str(tmp_path / "отчёт"),
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

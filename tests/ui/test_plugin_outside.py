"""A test file outside the project, using only the installed plugin's ``omsdesktop_app``:
it loads both documents, reads and corrects fields, saves, submits to the fixture's sandbox
and reads the status. Run by pytest in a subprocess from a folder of its own, so nothing of
this repository (conftest, pyproject settings, ``tests`` package) provides the fixture: only
the ``pytest11`` entry point does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.docgen import degrade, generate_certificate, generate_policy
from tests.ui.conftest import SEED, _save_png

OUTSIDE_TEST = '''
"""A tester's own test: only the omsdesktop_app fixture, from the installed plugin."""

import json
from pathlib import Path

HERE = Path(__file__).parent
TRUTH = json.loads((HERE / "truth.json").read_text(encoding="utf-8"))


def test_child_application(omsdesktop_app):
    app = omsdesktop_app
    app.load_certificate(HERE / "certificate.png")
    app.load_policy(HERE / "policy.png")
    app.wait_until_read(timeout=300)

    assert app.field("child.last_name") == TRUTH["last_name"]
    assert app.field("child.first_name") == TRUTH["first_name"]
    assert app.field("child.birth_date") == TRUTH["birth_date"]
    assert app.field("policy.number") == TRUTH["policy_number"]

    app.set_field("applicant.full_name", "Лукина Анна Петровна")
    app.set_field("child.patronymic", TRUTH["patronymic"])
    draft_id = app.save_draft()
    assert draft_id and app.field("applicant.full_name") == "Лукина Анна Петровна"

    sent = app.submit(app.sandbox_url)
    assert sent.state == "sent" and sent.request_number
    status = app.status()
    assert status.portal_status == "approved"
    assert status.request_number == sent.request_number
'''


def test_a_test_file_outside_the_project_uses_only_the_fixture(tmp_path: Path):
    cert = generate_certificate(SEED)
    policy = generate_policy(SEED)
    cert_scan, cert_info = degrade(cert, "scan300", 1)
    policy_scan, policy_info = degrade(policy, "scan300", 1)
    _save_png(cert_scan, cert_info.dpi, tmp_path / "certificate.png")
    _save_png(policy_scan, policy_info.dpi, tmp_path / "policy.png")
    truth = {**policy.truth, **cert.truth}  # the same child; the number from the policy
    (tmp_path / "truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # its own rootdir
    test_file = tmp_path / "test_outside.py"
    test_file.write_text(textwrap.dedent(OUTSIDE_TEST), encoding="utf-8")

    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OMSDESKTOP_", "PYTEST_")) and name != "PYTHONPATH"
    }
    env.update(QT_QPA_PLATFORM="offscreen", OMP_THREAD_LIMIT="1")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file.name],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "1 passed" in output, output

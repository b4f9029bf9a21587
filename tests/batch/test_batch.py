"""Batch intake end to end: a generated mixed folder, real Tesseract in two worker processes,
drafts in a real (SQLite) store, the CSV and HTML report — through the real CLI."""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import pytest

from omsdesktop.batch.report import report_paths
from tests.batch.folder import Folder, build_folder, run_batch_cli

pytestmark = pytest.mark.slow  # runs the batch CLI in a subprocess, with OCR


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    return build_folder(tmp_path_factory.mktemp("scans"), families=6, seed=1)


@pytest.fixture(scope="module")
def run(folder: Folder, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, Path]:  # type: ignore[type-arg]
    home = tmp_path_factory.mktemp("home")
    report = folder.path / "отчёт"  # inside the input folder: must not be read as a scan
    done = run_batch_cli(folder.path, report, home)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout), home, report


def test_every_pair_is_right_and_none_is_missed(run: tuple, folder: Folder) -> None:  # type: ignore[type-arg]
    summary, _, _ = run
    unusable = {u["file"] for u in summary["unusable"]}
    paired_children = []
    for app in summary["applications"]:
        cert_kind, cert_child = folder.documents[app["certificate"]]
        policy_kind, policy_child = folder.documents[app["policy"]]
        assert (cert_kind, policy_kind) == ("birth_certificate", "oms_policy")
        assert cert_child == policy_child, f"wrong pair: {app}"  # the same child
        paired_children.append(cert_child)
    # A family is paired unless one of its documents could not be read at all (then the
    # report says why); the stray policy and the blurry certificate have no partner.
    for child in folder.families:
        files = [name for name, (_, c) in folder.documents.items() if c == child]
        assert child in paired_children or unusable & set(files), f"family {child} lost"
    assert set(paired_children) <= set(folder.families)
    assert len(paired_children) >= 4  # the readers handle most forms; fewer is a regression


def test_leftovers_are_reported_with_reasons(run: tuple, folder: Folder) -> None:  # type: ignore[type-arg]
    summary, _, _ = run
    unpaired = {u["file"]: u for u in summary["unpaired"]}
    unusable = {u["file"]: u for u in summary["unusable"]}
    stray = next(n for n, (_, c) in folder.documents.items() if c in folder.stray_policies)
    assert unpaired[stray]["reason"] == "no_partner"
    assert "Нет пары" in unpaired[stray]["message"]
    (blurry,) = folder.blurry
    assert unusable[blurry]["code"] == "bad_quality" and "размыт" in unusable[blurry]["message"]
    (junk,) = folder.junk
    assert unusable[junk]["code"] == "not_an_image"
    assert summary["files"] == len(folder.documents) + len(folder.junk)  # the report was not read


def test_drafts_are_created(run: tuple, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    summary, home, _ = run
    monkeypatch.setenv("OMSDESKTOP_HOME", str(home))
    monkeypatch.setenv("OMSDESKTOP_KEYRING", "off")
    monkeypatch.delenv("OMSDESKTOP_DATABASE_URL", raising=False)
    from omsdesktop.storage.store import Store

    with Store.open() as store:
        for app in summary["applications"]:
            draft = store.get_draft(app["draft_id"])
            assert draft.fields["child.birth_date"].value
            roles = sorted(a.document for a in store.list_attachments(draft.id))
            assert roles == ["birth_certificate", "oms_policy"]


def test_report_files(run: tuple, folder: Folder) -> None:  # type: ignore[type-arg]
    summary, _, report = run
    csv_path, html_path = report_paths(report)
    assert summary["report"] == {"csv": str(csv_path), "html": str(html_path)}
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Cyrillic right
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    sections = [r[0] for r in rows[1:]]
    assert sections.count("заявление") == len(summary["applications"])
    assert sections.count("без пары") == len(summary["unpaired"])
    assert sections.count("не использован") == len(summary["unusable"])
    for app in summary["applications"]:
        row = next(r for r in rows if r[1] == str(app["number"]))
        assert row[2] == app["draft_id"]
        assert bool(row[8]) == bool(app["needs_review"])  # fields to check are listed
    page = html_path.read_text(encoding="utf-8")
    assert page.count("<tr><td>") == len(summary["applications"]) + len(summary["unpaired"]) + len(
        summary["unusable"]
    )
    assert "размыт" in page and "Нет пары" in page
    if os.name == "posix":
        assert stat.S_IMODE(csv_path.stat().st_mode) == 0o600

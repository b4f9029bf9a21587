"""The CLI against the sandbox: draft create (real extraction) | list | show | set | delete,
submit, status, outbox flush; exit codes and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from omsdesktop.cli import main
from omsdesktop.portal.sandbox import SandboxConfig, SandboxServer, running_sandbox
from omsdesktop.storage.store import Store
from tests.portal.helpers import free_port, new_draft_id


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    out = captured.out.strip()
    parsed = json.loads(out.splitlines()[-1]) if "--json" in argv and out else out
    return code, parsed, captured.err


@pytest.fixture
def local_store(isolated_home: Path) -> Store:
    """The store the CLI opens by default (SQLite in the per-user folder)."""
    return Store.open(operator="test")


def test_draft_commands(capsys: pytest.CaptureFixture[str], local_store: Store) -> None:
    draft_id = new_draft_id(local_store)
    local_store.close()

    code, listing, _ = run(capsys, "draft", "list", "--json")
    assert code == 0
    assert [d["id"] for d in listing["drafts"]] == [draft_id]
    assert listing["drafts"][0]["child_name"] == "Белоусова Аглая Святославовна"

    code, _, _ = run(capsys, "draft", "set", draft_id, "child.first_name", "Агния")
    assert code == 0
    code, shown, _ = run(capsys, "draft", "show", draft_id, "--json", "--history")
    assert shown["fields"]["child.first_name"]["value"] == "Агния"
    assert shown["fields"]["child.first_name"]["source"] == "typed"
    assert [h["new"] for h in shown["history"] if h["field"] == "child.first_name"] == [
        "Аглая",
        "Агния",
    ]
    code, text, _ = run(capsys, "draft", "show", draft_id)
    assert "Ребёнок: имя: Агния (введено)" in text

    assert main(["draft", "set", draft_id, "child.hobby", "x"]) == 2
    assert "нет поля child.hobby" in capsys.readouterr().err
    assert main(["draft", "show", "missing-id"]) == 1
    assert "не найден" in capsys.readouterr().err

    code, deleted, _ = run(capsys, "draft", "delete", draft_id, "--json")
    assert (code, deleted) == (0, {"deleted": 1, "id": draft_id})
    code, listing, _ = run(capsys, "draft", "list", "--json")
    assert listing["drafts"] == []
    assert main(["draft", "delete", "--all"]) == 2  # needs --yes
    capsys.readouterr()


@pytest.mark.slow  # the sandbox portal over HTTP
def test_submit_status_and_resubmit(
    capsys: pytest.CaptureFixture[str],
    local_store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draft_id = new_draft_id(local_store)
    local_store.close()
    now = [0.0]
    with running_sandbox(SandboxConfig(seed=2, status_delay=5, clock=lambda: now[0])) as server:
        monkeypatch.setenv("OMSDESKTOP_PORTAL_URL", server.url)
        code, sent, _ = run(capsys, "submit", draft_id, "--json")
        assert code == 0
        assert sent["id"] == draft_id
        assert sent["state"] == "sent"
        assert sent["request_number"] == "SBX-0000001"
        assert sent["portal_status"] == "under_review"

        now[0] += 10
        code, status, _ = run(capsys, "status", draft_id, "--json")
        assert code == 0
        assert status["portal_status"] == server.state.outcome_for(1)[0]
        assert len(status["history"]) == 3

        code, _, err = run(capsys, "submit", draft_id, "--json")
        assert code == 3
        assert "Повторно его не отправляют" in err
        assert len(server.state.applications) == 1


@pytest.mark.slow  # the sandbox portal over HTTP
def test_offline_submit_then_outbox_flush(
    capsys: pytest.CaptureFixture[str],
    local_store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draft_id = new_draft_id(local_store)
    local_store.close()
    port = free_port()
    monkeypatch.setenv("OMSDESKTOP_PORTAL_URL", f"http://127.0.0.1:{port}")
    code, queued, _ = run(capsys, "submit", draft_id, "--json")
    assert code == 75
    assert queued["state"] == "queued"
    assert queued["error"]["code"] == "portal_unreachable"
    code, text, _ = run(capsys, "outbox", "list")
    assert draft_id in text and "portal_unreachable" in text

    with running_sandbox(SandboxConfig(), port=port) as server:
        code, report, _ = run(capsys, "outbox", "flush", "--json")
        assert code == 0
        assert (report["sent"], report["still_queued"]) == (1, 0)
        assert [a["client_reference"] for a in server.state.listing()["applications"]] == [draft_id]
    code, text, _ = run(capsys, "outbox", "list")
    assert text == "Очередь пуста."


def test_insecure_portal_is_refused(capsys: pytest.CaptureFixture[str], local_store: Store) -> None:
    draft_id = new_draft_id(local_store)
    local_store.close()
    assert main(["submit", draft_id, "--portal", "http://portal.example.org"]) == 2
    assert "https://" in capsys.readouterr().err
    with Store.open(operator="test") as store:
        assert store.get_draft(draft_id).state == "editing"  # nothing was queued


def test_draft_create_from_scans_then_submit(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.docgen import generate_certificate, generate_policy

    files = []
    for name, doc in (("cert", generate_certificate(7)), ("policy", generate_policy(7))):
        path = tmp_path / f"{name}.png"
        Image.fromarray(doc.image[:, :, ::-1]).save(path, dpi=(doc.dpi, doc.dpi))
        files.append(str(path))
    truth = generate_policy(7).truth

    code, created, _ = run(capsys, "draft", "create", *files, "--snils", "112-233-445 95", "--json")
    assert code == 0
    draft_id = created["id"]
    assert [a["document"] for a in created["attachments"]] == ["birth_certificate", "oms_policy"]
    assert all(a["size_bytes"] <= 5 * 1024 * 1024 for a in created["attachments"])
    assert all(a["dpi"] >= 200 for a in created["attachments"])
    code, shown, _ = run(capsys, "draft", "show", draft_id, "--json")
    fields = shown["fields"]
    assert fields["child.snils"] == {
        "value": "112-233-445 95",
        "source": "typed",
        "confidence": 1.0,
        "needs_review": False,
    }
    # The policy's barcode is exact: these come from it.
    assert fields["policy.number"]["value"] == truth["policy_number"]
    assert fields["child.birth_date"]["value"] == truth["birth_date"]

    monkeypatch.setenv("OMSDESKTOP_PORTAL_URL", sandbox.url)
    code, sent, _ = run(capsys, "submit", draft_id, "--json")
    assert code == 0, sent
    assert sent["state"] == "sent"
    record = sandbox.state.listing()
    assert [a["client_reference"] for a in record["applications"]] == [draft_id]
    assert len(record["applications"][0]["attachments"]) == 2

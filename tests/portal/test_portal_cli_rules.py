"""Nothing invalid leaves the desk: ``draft set`` keeps a value that breaks its rule but says so,
and ``submit`` refuses a draft with such a value before any call to the portal (the real sandbox
on loopback counts what it receives)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omsdesktop.cli import main
from omsdesktop.portal.sandbox import SandboxConfig, running_sandbox
from omsdesktop.storage.store import Store
from tests.portal.helpers import new_draft_id

pytestmark = pytest.mark.slow  # the sandbox portal on loopback


@pytest.fixture
def local_store(isolated_home: Path) -> Store:
    return Store.open(operator="test")


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("child.birth_date", "31.02.2020", "Дата рождения"),
        ("policy.form", "spaceship", "Форма полиса"),
        ("policy.number", "1234", "Номер полиса"),
    ],
)
def test_draft_set_keeps_an_invalid_value_but_says_it_fails_and_submit_refuses_it(
    capsys: pytest.CaptureFixture[str], local_store: Store, field: str, value: str, label: str
) -> None:
    draft_id = new_draft_id(local_store)
    local_store.close()
    assert main(["draft", "set", draft_id, field, value]) == 0
    err = capsys.readouterr().err
    assert "не проходит проверку" in err and label.lower() in err.lower()
    assert value not in err  # the value is personal data: never echoed
    assert main(["draft", "set", draft_id, field, value, "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["valid"] is False and out["problems"]
    with Store.open(operator="test") as store:
        assert store.get_draft(draft_id).value(field) == value  # kept: a draft may be unfinished
    with running_sandbox(SandboxConfig(seed=1, status_delay=0)) as sandbox:
        assert main(["submit", draft_id, "--portal", sandbox.url]) == 65
        assert sandbox.state.listing()["applications"] == []
    assert f"«{label}»" in capsys.readouterr().err


def test_submit_refuses_an_invalid_draft_without_calling_the_portal(
    capsys: pytest.CaptureFixture[str], local_store: Store
) -> None:
    # Written straight into the store, as an older version of the program could have.
    draft_id = new_draft_id(local_store, overrides={"child.birth_date": "2020-02-31"})
    local_store.close()
    with running_sandbox(SandboxConfig(seed=1, status_delay=0)) as sandbox:
        code = main(["submit", draft_id, "--portal", sandbox.url])
        assert sandbox.state.listing()["applications"] == []
    assert code == 65
    err = capsys.readouterr().err
    assert "исправьте поля" in err and "«Дата рождения»" in err
    with Store.open(operator="test") as store:
        assert store.latest_submission(draft_id) is None  # not even queued

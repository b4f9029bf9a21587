"""Nothing invalid leaves the desk: ``draft set`` refuses a value that breaks its rule, and
``submit`` refuses a draft with such a value before any call to the portal (the real sandbox
on loopback counts what it receives)."""

from __future__ import annotations

from pathlib import Path

import pytest

from omsdesktop.cli import main
from omsdesktop.portal.sandbox import SandboxConfig, running_sandbox
from omsdesktop.storage.store import Store
from tests.portal.helpers import new_draft_id


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
def test_draft_set_refuses_an_invalid_value_and_keeps_the_old_one(
    capsys: pytest.CaptureFixture[str], local_store: Store, field: str, value: str, label: str
) -> None:
    draft_id = new_draft_id(local_store)
    before = local_store.get_draft(draft_id)
    local_store.close()
    assert main(["draft", "set", draft_id, field, value]) == 65
    err = capsys.readouterr().err
    assert f"«{label}» не сохранено" in err
    assert value not in err  # the value is personal data: never echoed
    with Store.open(operator="test") as store:
        after = store.get_draft(draft_id)
    assert after.version == before.version
    assert after.value(field) == before.value(field)


@pytest.mark.slow  # the sandbox portal over HTTP
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

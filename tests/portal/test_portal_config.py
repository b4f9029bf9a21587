"""The portal address and token: argument, environment, keyring, settings; the token command."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest

from omsdesktop.cli import main
from omsdesktop.portal.config import (
    DEFAULT_PORTAL_URL,
    SANDBOX_TOKEN,
    TOKEN_KEYRING_SERVICE,
    resolve_portal_url,
    resolve_token,
)
from omsdesktop.portal.errors import PortalTokenMissingError
from tests.storage.memory_keyring import MemoryKeyring


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv("OMSDESKTOP_KEYRING", "on")
    yield backend
    keyring.set_keyring(previous)


def test_portal_url_order(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_portal_url() == DEFAULT_PORTAL_URL  # the local training portal
    config = isolated_home / "config"
    config.mkdir(parents=True)
    (config / "settings.json").write_text(json.dumps({"portal_url": "https://a.example/"}))
    assert resolve_portal_url() == "https://a.example"
    monkeypatch.setenv("OMSDESKTOP_PORTAL_URL", "https://b.example")
    assert resolve_portal_url() == "https://b.example"
    assert resolve_portal_url("https://c.example") == "https://c.example"


def test_token_order(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PortalTokenMissingError) as caught:
        resolve_token("https://portal.example")
    assert "omsdesktop portal-token --portal https://portal.example" in caught.value.message()
    assert resolve_token("http://127.0.0.1:8765") == SANDBOX_TOKEN
    memory_keyring.items[(TOKEN_KEYRING_SERVICE, "https://portal.example")] = "from-keyring"
    assert resolve_token("https://portal.example/") == "from-keyring"
    monkeypatch.setenv("OMSDESKTOP_PORTAL_TOKEN", "from-env")
    assert resolve_token("https://portal.example") == "from-env"


def test_portal_token_command_stores_in_the_keyring(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-token\n"))
    assert main(["portal-token", "--portal", "https://portal.example"]) == 0
    assert memory_keyring.items == {
        (TOKEN_KEYRING_SERVICE, "https://portal.example"): "s3cret-token"
    }
    assert "s3cret" not in capsys.readouterr().out  # never echoed

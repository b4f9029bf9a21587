"""Personal data at rest: encrypted in the database, gone from the files after deletion,
tamper-evident, and the key kept in the keyring or a 0600 file."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest
from keyring.backends import fail
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url

from omsdesktop import paths
from omsdesktop.storage import crypto
from omsdesktop.storage.config import sqlite_url
from omsdesktop.storage.errors import DataCorruptedError, EncryptionKeyMismatchError
from omsdesktop.storage.store import Store
from omsdesktop.storage.tables import AttachmentRow, DraftFieldRow
from tests.storage.memory_keyring import MemoryKeyring
from tests.storage.sample import PERSONAL_FIELDS, sample_fields

OpenStore = Callable[..., Store]

# A fake "scan": recognisable bytes that must never appear in clear in the database.
SCAN = b"\xff\xd8\xff\xe0" + b"SCAN-OF-A-BIRTH-CERTIFICATE-" * 64


def _fill(store: Store) -> tuple[str, dict[str, str]]:
    fields = sample_fields()
    draft = store.create_draft(fields=fields)
    store.add_attachment(
        draft.id,
        document="birth_certificate",
        data=SCAN,
        media_type="image/jpeg",
        width=100,
        height=140,
        dpi=300.0,
    )
    submission = store.enqueue_submission(draft.id, portal_url="https://portal.example")
    store.mark_failed(
        submission.id, error_code="portal_rejected", reason="Фамилия Белоусова не совпадает"
    )
    secrets = {name: str(fields[name].value) for name in PERSONAL_FIELDS}
    return draft.id, secrets


def _needles(secrets: dict[str, str]) -> dict[str, bytes]:
    out = {name: value.encode("utf-8") for name, value in secrets.items()}
    out["scan"] = SCAN[64:160]
    out["policy digits"] = secrets["policy.number"].encode("ascii")
    return out


def _sqlite_files_bytes(url: str) -> bytes:
    database = make_url(url).database
    assert database
    blob = b""
    for suffix in ("", "-wal", "-shm"):
        path = Path(database + suffix)
        if path.exists():
            blob += path.read_bytes()
    return blob


def test_sqlite_file_holds_no_personal_data_in_clear(
    open_sqlite_store: OpenStore, sqlite_db_url: str
) -> None:
    store = open_sqlite_store(operator="Окно 7")
    draft_id, secrets = _fill(store)

    raw = _sqlite_files_bytes(sqlite_db_url)
    assert len(raw) > 10_000
    # The scan can find things: what is stored in clear (the operator) is there.
    assert "Окно 7".encode() in raw
    for label, needle in _needles(secrets).items():
        assert needle not in raw, f"{label} found in clear in the database file"
    assert "Белоусова".encode() not in raw  # also not in the portal's rejection reason
    assert store.get_draft(draft_id).value("child.last_name") == "Белоусова"


def test_postgresql_columns_hold_no_personal_data_in_clear(open_pg_store: OpenStore) -> None:
    store = open_pg_store(operator="Окно 7")
    _, secrets = _fill(store)
    dumped: list[bytes] = []
    with store.engine.connect() as conn:
        columns = conn.execute(
            text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public'"
            )
        ).all()
        for table, column in columns:
            for (value,) in conn.execute(text(f'SELECT "{column}" FROM "{table}"')):
                if isinstance(value, bytes | memoryview):
                    dumped.append(bytes(value))
                elif value is not None:
                    dumped.append(str(value).encode("utf-8"))
    raw = b"\n".join(dumped)
    assert "Окно 7".encode() in raw
    for label, needle in _needles(secrets).items():
        assert needle not in raw, f"{label} found in clear in PostgreSQL"


def test_deleted_draft_leaves_no_bytes_in_the_sqlite_file(
    open_sqlite_store: OpenStore, sqlite_db_url: str
) -> None:
    store = open_sqlite_store()
    draft_id, _ = _fill(store)
    with store.engine.connect() as conn:
        ciphertexts = [
            bytes(b)
            for b in conn.execute(select(AttachmentRow.data_enc)).scalars()
            if b is not None
        ] + [
            bytes(b)
            for b in conn.execute(select(DraftFieldRow.value_enc)).scalars()
            if b is not None
        ]
    assert ciphertexts
    raw = _sqlite_files_bytes(sqlite_db_url)
    assert all(c[:40] in raw for c in ciphertexts)  # the check can see them before deletion

    store.delete_draft(draft_id)

    raw = _sqlite_files_bytes(sqlite_db_url)
    left = [c for c in ciphertexts if c[:40] in raw]
    assert left == [], f"{len(left)} encrypted values still in the file after deletion"


def test_tampered_or_moved_values_are_detected(open_store: OpenStore) -> None:
    store = open_store()
    draft = store.create_draft(fields=sample_fields())
    with store.engine.begin() as conn:
        surname = conn.execute(
            select(DraftFieldRow.value_enc).where(
                DraftFieldRow.draft_id == draft.id, DraftFieldRow.name == "child.last_name"
            )
        ).scalar_one()
        # Copy the surname's ciphertext into the first-name field: authenticated data
        # binds it to its place, so it must not decrypt there.
        conn.execute(
            update(DraftFieldRow)
            .where(DraftFieldRow.draft_id == draft.id, DraftFieldRow.name == "child.first_name")
            .values(value_enc=surname)
        )
    with pytest.raises(DataCorruptedError) as caught:
        store.get_draft(draft.id)
    assert caught.value.code == "data_corrupted"

    other = store.create_draft(fields=sample_fields())
    with store.engine.begin() as conn:
        blob = bytearray(
            conn.execute(
                select(DraftFieldRow.value_enc).where(
                    DraftFieldRow.draft_id == other.id, DraftFieldRow.name == "policy.number"
                )
            ).scalar_one()
        )
        blob[-1] ^= 0x01
        conn.execute(
            update(DraftFieldRow)
            .where(DraftFieldRow.draft_id == other.id, DraftFieldRow.name == "policy.number")
            .values(value_enc=bytes(blob))
        )
    with pytest.raises(DataCorruptedError):
        store.get_draft(other.id)


def test_wrong_key_is_refused_with_a_clear_message(open_store: OpenStore) -> None:
    first = open_store()
    first.create_draft(fields=sample_fields())
    with pytest.raises(EncryptionKeyMismatchError) as caught:
        open_store(key=crypto.new_key())
    assert caught.value.code == "encryption_key_mismatch"
    assert "не повреждены" in caught.value.message()


# ------------------------------------------------------------------------------ where the key is


def test_key_file_fallback_is_private_and_reused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "db.sqlite3")
    with Store.open(url, operator="x") as store:  # OMSDESKTOP_KEYRING=off (conftest)
        draft = store.create_draft(fields=sample_fields())
    key_file = paths.key_file_path()
    assert key_file.parent == paths.data_dir()
    assert key_file.exists()
    if sys.platform != "win32":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    key_text = key_file.read_text().strip()
    assert key_text.encode() not in (tmp_path / "db.sqlite3").read_bytes()
    with Store.open(url, operator="x") as store:
        assert store.get_draft(draft.id).value("child.last_name") == "Белоусова"
    key_file.unlink()  # losing the key: the data cannot be read, and the user is told why
    with pytest.raises(EncryptionKeyMismatchError):
        Store.open(url, operator="x")


@pytest.fixture
def keyring_backend() -> Iterator[Callable[[keyring.backend.KeyringBackend], None]]:
    previous = keyring.get_keyring()

    def use(backend: keyring.backend.KeyringBackend) -> None:
        keyring.set_keyring(backend)

    yield use
    keyring.set_keyring(previous)


def test_key_goes_to_the_keyring_when_there_is_one(
    tmp_path: Path, keyring_backend: Callable[[keyring.backend.KeyringBackend], None]
) -> None:
    backend = MemoryKeyring()
    keyring_backend(backend)
    provider = crypto.DefaultKeyProvider(tmp_path / "data.key", use_keyring=True)
    key = provider.load_or_create()
    stored = backend.items[(crypto.KEYRING_SERVICE, crypto.KEYRING_USERNAME)]
    assert crypto.decode_key(stored, "test") == key
    assert not (tmp_path / "data.key").exists()
    assert "keyring" in provider.describe()
    again = crypto.DefaultKeyProvider(tmp_path / "data.key", use_keyring=True)
    assert again.load_or_create() == key


def test_no_keyring_falls_back_to_the_key_file(
    tmp_path: Path, keyring_backend: Callable[[keyring.backend.KeyringBackend], None]
) -> None:
    keyring_backend(fail.Keyring())  # what a server without a desktop session has
    provider = crypto.DefaultKeyProvider(tmp_path / "data.key", use_keyring=True)
    key = provider.load_or_create()
    assert (tmp_path / "data.key").exists()
    assert provider.describe().startswith("file ")
    # Later a keyring appears: the existing file key is still used, not a new one.
    keyring_backend(MemoryKeyring())
    assert (
        crypto.DefaultKeyProvider(tmp_path / "data.key", use_keyring=True).load_or_create() == key
    )


def test_shared_key_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = crypto.new_key()
    monkeypatch.setenv(crypto.KEY_ENV, crypto.encode_key(key))
    assert crypto.DefaultKeyProvider(tmp_path / "unused.key").load_or_create() == key
    monkeypatch.delenv(crypto.KEY_ENV)
    key_file = tmp_path / "centre.key"
    key_file.write_text(crypto.encode_key(key))
    monkeypatch.setenv(crypto.KEY_FILE_ENV, str(key_file))
    assert crypto.DefaultKeyProvider(tmp_path / "unused.key").load_or_create() == key
    assert not (tmp_path / "unused.key").exists()


def test_cipher_round_trip_and_context_binding() -> None:
    cipher = crypto.DataCipher(crypto.new_key())
    blob = cipher.encrypt("Аглая".encode(), "field:a:child.first_name")
    assert cipher.decrypt(blob, "field:a:child.first_name") == "Аглая".encode()
    assert cipher.encrypt(b"x", "c") != cipher.encrypt(b"x", "c")  # fresh nonce each time
    with pytest.raises(DataCorruptedError):
        cipher.decrypt(blob, "field:b:child.first_name")
    with pytest.raises(DataCorruptedError):
        crypto.DataCipher(crypto.new_key()).decrypt(blob, "field:a:child.first_name")


def test_key_file_created_once_by_racing_processes(tmp_path: Path) -> None:
    path = tmp_path / "race.key"
    keys = {crypto.FileKeyProvider(path).load_or_create() for _ in range(5)}
    assert len(keys) == 1
    assert os.path.getsize(path) > 40

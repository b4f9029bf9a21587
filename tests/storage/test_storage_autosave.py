"""Autosave: edits reach the database within a second, survive kill -9, never overwrite
another desk's save."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from omsdesktop.errors import OmsError
from omsdesktop.storage.autosave import AutoSaver
from omsdesktop.storage.crypto import StaticKeyProvider, encode_key
from omsdesktop.storage.errors import ConflictError, UnknownFieldError
from omsdesktop.storage.store import Store

OpenStore = Callable[..., Store]
WRITER = Path(__file__).with_name("killed_writer.py")
REPO_ROOT = Path(__file__).resolve().parents[2]
FIELDS = ("child.last_name", "child.first_name", "cert.number", "policy.number", "child.snils")
ACK_WINDOW = 1.0  # the promise: at most the last second of edits may be lost


def test_edits_are_saved_in_the_background(store: Store) -> None:
    draft = store.create_draft()
    saved = threading.Event()
    versions: list[int] = []

    def on_saved(version: int) -> None:
        versions.append(version)
        saved.set()

    saver = AutoSaver(store, draft.id, draft.version, delay=0.05, on_saved=on_saved)
    try:
        for text in ("Б", "Бе", "Бел", "Белоусова"):
            saver.edit("child.last_name", text)
        saver.edit("child.first_name", "Аглая")
        assert saved.wait(10)
        assert store.get_draft(draft.id).value("child.last_name") == "Белоусова"
        assert store.get_draft(draft.id).value("child.first_name") == "Аглая"
        assert saver.version == versions[-1] == store.get_draft(draft.id).version
        with pytest.raises(UnknownFieldError):
            saver.edit("child.shoe_size", "25")
    finally:
        saver.close()


def test_close_writes_what_is_pending(store: Store) -> None:
    draft = store.create_draft()
    saver = AutoSaver(store, draft.id, draft.version, delay=60)
    saver.edit("cert.number", "123456")
    saver.close()
    assert store.get_draft(draft.id).value("cert.number") == "123456"


def test_conflict_stops_autosave_and_keeps_the_edits(open_store: OpenStore) -> None:
    mine = open_store(operator="A")
    theirs = open_store(operator="B")
    draft = mine.create_draft()
    errors: list[OmsError] = []
    failed = threading.Event()

    def on_error(exc: OmsError) -> None:
        errors.append(exc)
        failed.set()

    saver = AutoSaver(mine, draft.id, draft.version, delay=0.05, on_error=on_error)
    try:
        theirs.save_field(draft.id, "child.first_name", "Агния", expected_version=draft.version)
        saver.edit("child.first_name", "Аглая")
        assert failed.wait(10)
        assert isinstance(errors[0], ConflictError)
        assert saver.pending == {"child.first_name": saver.pending["child.first_name"]}
        assert saver.pending["child.first_name"].value == "Аглая"
        assert mine.get_draft(draft.id).value("child.first_name") == "Агния"  # not overwritten
        with pytest.raises(ConflictError):
            saver.flush()
        # The user looked at the other desk's version and keeps their own value.
        saver.rebase(mine.get_draft(draft.id).version)
        assert saver.flush() == mine.get_draft(draft.id).version
        assert mine.get_draft(draft.id).value("child.first_name") == "Аглая"
    finally:
        saver.close()


def _read_acks(path: Path) -> list[tuple[int, float]]:
    acks = []
    if not path.exists():
        return acks
    for line in path.read_text(encoding="ascii").splitlines():
        parts = line.split()
        if len(parts) == 2:  # the last line may be cut by the kill
            try:
                acks.append((int(parts[0]), float(parts[1])))
            except ValueError:
                continue
    return acks


@pytest.mark.slow  # kills a writer subprocess
def test_kill_minus_9_loses_at_most_the_last_second(
    open_store: OpenStore, db_url: str, data_key: bytes, tmp_path: Path
) -> None:
    if sys.platform == "win32":
        pytest.skip("SIGKILL and fork are POSIX")
    is_sqlite = db_url.startswith("sqlite")
    # SQLite is the program's own durability; PostgreSQL's is the server's: fewer rounds.
    rounds = 30 if is_sqlite else 10
    setup = open_store()
    draft = setup.create_draft()
    setup.close()
    rng = random.Random(20261121)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")])
    launcher = subprocess.Popen(
        [sys.executable, str(WRITER)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert launcher.stdin is not None and launcher.stdout is not None

    def ask(line: str) -> str:
        assert launcher.stdin is not None and launcher.stdout is not None
        launcher.stdin.write(line + "\n")
        launcher.stdin.flush()
        return launcher.stdout.readline().strip()

    expected: dict[str, int] = {}  # field -> the lowest seq the database must hold
    acked_ever: set[int] = set()
    try:
        for round_number in range(rounds):
            ack_path = tmp_path / f"acks-{round_number}.txt"
            first_seq = (round_number + 1) * 1_000_000
            key = encode_key(data_key)
            pid = int(ask(f"run {db_url} {draft.id} {ack_path} {first_seq} {key}"))
            deadline = time.monotonic() + 60
            while not _read_acks(ack_path):
                assert time.monotonic() < deadline, "the writer did not start"
                time.sleep(0.01)
            time.sleep(rng.uniform(0.05, 1.6))  # a random moment of the edit loop
            killed_at = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            assert ask(f"reap {pid}") == f"signal {int(signal.SIGKILL)}"

            acks = _read_acks(ack_path)
            acked_ever.update(seq for seq, _ in acks)
            for seq, at in acks:
                if at < killed_at - ACK_WINDOW:
                    field = FIELDS[seq % len(FIELDS)]
                    expected[field] = max(expected.get(field, 0), seq)

            if is_sqlite:
                database = make_url(db_url).database
                assert database
                raw = sqlite3.connect(database)
                try:
                    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                finally:
                    raw.close()
            check = Store.open(db_url, operator="checker", keys=StaticKeyProvider(data_key))
            try:
                stored = check.get_draft(draft.id)
            finally:
                check.close()
            for field, lowest in expected.items():
                value = stored.value(field)
                assert value is not None, f"round {round_number}: {field} lost"
                seq = int(value[1:])
                assert seq in acked_ever, f"round {round_number}: {field} holds an unknown edit"
                assert seq >= lowest, (
                    f"round {round_number}: {field} holds edit {seq}, but edit {lowest} was "
                    f"made more than {ACK_WINDOW}s before the kill"
                )
    finally:
        launcher.stdin.close()
        launcher.wait(timeout=30)
        launcher.stdout.close()
    assert len(expected) == len(FIELDS)  # every field was checked

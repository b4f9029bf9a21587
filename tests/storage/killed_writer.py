"""Child process of the kill -9 test: edits a draft through the AutoSaver in a loop.

Run as ``python killed_writer.py``: it imports the program once, then reads commands on stdin

    run URL DRAFT_ID ACK_FILE FIRST_SEQ KEY   → forks a writer, prints its pid
    reap PID                                  → waits for it, prints "signal N" or "exit N"

so each round of the test kills a fresh writer process with SIGKILL without paying the import
time again. A writer sets field ``FIELDS[seq % len(FIELDS)]`` to ``v<seq>``; once
``AutoSaver.edit`` has accepted an edit (what the window shows as typed), it appends
``<seq> <monotonic time>`` to ACK_FILE.
"""

from __future__ import annotations

import os
import sys
import time
import traceback

from omsdesktop.storage.autosave import AutoSaver
from omsdesktop.storage.crypto import StaticKeyProvider, decode_key
from omsdesktop.storage.store import Store

FIELDS = ("child.last_name", "child.first_name", "cert.number", "policy.number", "child.snils")


def write_forever(url: str, draft_id: str, ack_path: str, first_seq: int, key: str) -> None:
    store = Store.open(url, operator="writer", keys=StaticKeyProvider(decode_key(key, "argv")))
    draft = store.get_draft(draft_id)
    saver = AutoSaver(store, draft_id, draft.version, delay=0.2)
    seq = first_seq
    with open(ack_path, "a", encoding="ascii") as ack:
        while True:
            saver.edit(FIELDS[seq % len(FIELDS)], f"v{seq}")
            ack.write(f"{seq} {time.monotonic()!r}\n")
            ack.flush()
            if saver.error is not None:
                raise SystemExit(f"autosave stopped: {saver.error.code}")
            seq += 1
            time.sleep(0.003)


def serve() -> None:
    for line in sys.stdin:
        command, *args = line.split()
        if command == "run":
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    write_forever(args[0], args[1], args[2], int(args[3]), args[4])
                except BaseException:
                    traceback.print_exc()
                    code = 3
                os._exit(code)
            print(pid, flush=True)
        elif command == "reap":
            _, status = os.waitpid(int(args[0]), 0)
            if os.WIFSIGNALED(status):
                print(f"signal {os.WTERMSIG(status)}", flush=True)
            else:
                print(f"exit {os.WEXITSTATUS(status)}", flush=True)


if __name__ == "__main__":
    serve()

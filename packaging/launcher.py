"""The bundle's entry script (PyInstaller): one program, named after how it was started.

* ``omsdesktop`` — the command line (``omsdesktop.cli``), as installed from the wheel;
* ``omsdesktop-app`` — the window (``omsdesktop.app``), which takes the files to open; its
  installation checks ``--self-test`` and ``--smoke`` also work as ``omsdesktop --self-test``,
  because on Windows ``omsdesktop-app.exe`` has no console to print to;
* ``<either> -m omsdesktop.scan.worker DRIVER`` — the scanner driver's worker process
  (:mod:`omsdesktop.scan.worker` starts ``sys.executable -m ...``; a frozen program has no
  ``-m``, so it is recognised here);
* multiprocessing's own child processes (the batch intake), through ``freeze_support``.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

WORKER_MODULE = "omsdesktop.scan.worker"
APP_CHECKS = ("--self-test", "--smoke")


def main() -> int:
    multiprocessing.freeze_support()
    args = sys.argv[1:]
    if args[:2] == ["-m", WORKER_MODULE]:
        from omsdesktop.scan.worker import main as worker_main

        return worker_main(args[2:])
    program = os.path.basename(sys.argv[0]).lower()
    if program.startswith("omsdesktop-app") or (args and args[0] in APP_CHECKS):
        from omsdesktop.app import main as app_main

        return app_main(args)
    from omsdesktop.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    raise SystemExit(main())

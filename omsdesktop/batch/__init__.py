"""Batch intake for service centres: a folder of scans -> paired applications, drafts, report.

from omsdesktop.batch import run_batch, write_csv, write_html
result = run_batch("scans/", jobs=2, store=store)
"""

from __future__ import annotations

from omsdesktop.batch.intake import (
    Application,
    BatchResult,
    DocumentOutcome,
    FileIssue,
    InputFolderError,
    Unpaired,
    Unusable,
    list_input_files,
    run_batch,
)
from omsdesktop.batch.pairing import Identity, Match, match, pair
from omsdesktop.batch.report import render_html, report_paths, write_csv, write_html

__all__ = [
    "Application",
    "BatchResult",
    "DocumentOutcome",
    "FileIssue",
    "Identity",
    "InputFolderError",
    "Match",
    "Unpaired",
    "Unusable",
    "list_input_files",
    "match",
    "pair",
    "render_html",
    "report_paths",
    "run_batch",
    "write_csv",
    "write_html",
]

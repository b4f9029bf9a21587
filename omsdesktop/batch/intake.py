"""Batch intake: a folder of scans in, applications (drafts) and a report out.

:func:`run_batch` reads every file of a folder with parallel worker processes (one Tesseract
thread each: ``OMP_THREAD_LIMIT=1``), pairs certificates with policies by the names and dates
of birth printed on them (:mod:`omsdesktop.batch.pairing`), creates a draft per pair, and
returns what it found for the report (:mod:`omsdesktop.batch.report`).

Memory stays flat as the batch grows: only a few files are in flight at a time, workers send
back the fields they read (a few kilobytes), never images, and the scans attached to drafts are
prepared by the workers one at a time and stored as they arrive.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from omsdesktop.batch.pairing import Identity, Match, UnpairedReason, pair
from omsdesktop.errors import CancelledError, InternalError, OmsError
from omsdesktop.forms.model import DocumentKind, FieldValue
from omsdesktop.ocr.layout import PAGE_THREADS_ENV
from omsdesktop.ocr.types import Problem
from omsdesktop.settings import Settings

if TYPE_CHECKING:
    from omsdesktop.ocr.engine import OcrEngine
    from omsdesktop.storage.store import Store

log = logging.getLogger(__name__)

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]
T = TypeVar("T")

SKIPPED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
PAIRING_NOTES_RU = {
    "birth_date_only": "Пара составлена только по дате рождения: ФИО на одном из документов "
    "не прочитаны. Сверьте ФИО ребёнка на свидетельстве и полисе.",
    "names_only": "Пара составлена по ФИО: дата рождения на документах не прочитана или "
    "различается. Сверьте дату рождения на свидетельстве и полисе.",
}
PAIRING_NOTES_EN = {
    "birth_date_only": "Paired by date of birth only: the names on one document were not read. "
    "Compare the child's name on the certificate and the policy.",
    "names_only": "Paired by name: the date of birth was not read or differs. Compare the date "
    "of birth on the certificate and the policy.",
}
UNPAIRED_RU: dict[UnpairedReason, str] = {
    "no_partner": "Нет пары: среди файлов нет {other} с теми же ФИО и датой рождения. "
    "Отсканируйте {other} этого ребёнка.",
    "ambiguous": "Подходит к нескольким документам (одинаковая дата рождения, ФИО не "
    "прочитаны). Создайте заявление вручную.",
    "duplicate": "Повторный скан: этот ребёнок уже есть в заявлении № {number}.",
    "unreadable_identity": "Не удалось прочитать ФИО и дату рождения. Отсканируйте документ "
    "заново (ровно, без бликов, 300 точек на дюйм).",
}
UNPAIRED_EN: dict[UnpairedReason, str] = {
    "no_partner": "No pair: no {other} with the same name and date of birth among the files. "
    "Scan this child's {other}.",
    "ambiguous": "Matches several documents (same date of birth, names not read). Create the "
    "application by hand.",
    "duplicate": "A repeated scan: this child is already in application No. {number}.",
    "unreadable_identity": "The name and date of birth could not be read. Scan the document "
    "again (straight, no glare, 300 dpi).",
}
OTHER_RU = {DocumentKind.BIRTH_CERTIFICATE: "полиса", DocumentKind.OMS_POLICY: "свидетельства"}
OTHER_EN = {DocumentKind.BIRTH_CERTIFICATE: "policy", DocumentKind.OMS_POLICY: "certificate"}
NOT_A_DOCUMENT_RU = (
    "Не похоже на свидетельство о рождении или полис ОМС: текст документа не распознан. "
    "Проверьте, тот ли это файл, или отсканируйте документ заново."
)
NOT_A_DOCUMENT_EN = (
    "This does not look like a birth certificate or an OMS policy. Check the file or scan the "
    "document again."
)
CRASHED_RU = (
    "Обработка файла аварийно прервалась. Откройте его отдельно или отсканируйте документ заново."
)
CRASHED_EN = "Processing of the file crashed. Open it on its own or scan the document again."


class InputFolderError(OmsError):
    code = "batch_input"
    exit_code = 2
    message_ru = "Папка со сканами не найдена или недоступна. Проверьте путь: {what}"
    message_en = "The folder with scans was not found or cannot be read. Check the path: {what}"


@dataclass(frozen=True)
class FileIssue:
    """Why a file (page) could not be used: a stable code and the messages."""

    code: str
    message_ru: str
    message_en: str

    @classmethod
    def of(cls, error: OmsError) -> FileIssue:
        return cls(error.code, error.message("ru"), error.message("en"))


@dataclass(frozen=True)
class DocumentOutcome:
    """What one page of one input file turned out to be (no image: kept small on purpose)."""

    path: str
    name: str
    page: int = 0
    page_count: int = 1
    kind: DocumentKind = DocumentKind.UNKNOWN
    fields: dict[str, FieldValue] = field(default_factory=dict)
    quality_problems: tuple[Problem, ...] = ()
    issues: tuple[FileIssue, ...] = ()
    seconds: float = 0.0
    dpi: float | None = None
    region: tuple[int, int, int, int] | None = None
    """x, y, w, h of the document in its page when the page held several (issue #15)."""
    part: int = 0
    """1-based number of the document within its page when the page held several."""

    @property
    def label(self) -> str:
        """The file name, with the page when the file has several (and the document's number
        when its page held several)."""
        label = f"{self.name}, стр. {self.page + 1}" if self.page_count > 1 else self.name
        return f"{label}, документ {self.part}" if self.region is not None else label

    @property
    def blocking(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.quality_problems if p.severity == "blocking")

    def unusable_reason(self) -> FileIssue | None:
        if self.issues:
            return self.issues[0]
        if self.blocking:
            return FileIssue(
                "bad_quality",
                " ".join(p.message for p in self.blocking),
                " ".join(p.message_en or p.message for p in self.blocking),
            )
        if self.kind is DocumentKind.UNKNOWN:
            return FileIssue("not_a_document", NOT_A_DOCUMENT_RU, NOT_A_DOCUMENT_EN)
        return None


@dataclass(frozen=True)
class Application:
    number: int
    certificate: DocumentOutcome
    policy: DocumentOutcome
    match: Match
    fields: dict[str, FieldValue]
    cross_problems: tuple[Problem, ...]
    notes_ru: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()
    draft_id: str | None = None
    draft_error: FileIssue | None = None

    @property
    def review_fields(self) -> tuple[str, ...]:
        return tuple(name for name, fv in self.fields.items() if fv.needs_review)


@dataclass(frozen=True)
class Unpaired:
    document: DocumentOutcome
    reason: UnpairedReason
    message_ru: str
    message_en: str


@dataclass(frozen=True)
class Unusable:
    document: DocumentOutcome
    issue: FileIssue


@dataclass(frozen=True)
class BatchResult:
    input_dir: str
    applications: tuple[Application, ...]
    unpaired: tuple[Unpaired, ...]
    unusable: tuple[Unusable, ...]
    files: int
    documents: int
    seconds: float
    jobs: int


# ----------------------------------------------------------------------- worker processes

_ENGINE: OcrEngine | None = None


def _init_worker() -> None:
    # One Tesseract thread per worker: the workers themselves use the cores.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ[PAGE_THREADS_ENV] = "1"


def process_page(path: str, name: str, page: int, settings: Settings) -> DocumentOutcome:
    """Read one page of one file as one document (runs in a worker process)."""
    return process_page_documents(path, name, page, settings, split=False)[0]


def process_page_documents(
    path: str, name: str, page: int, settings: Settings, *, split: bool = True
) -> tuple[DocumentOutcome, ...]:
    """Every document on one page of one file (runs in a worker process): one outcome per
    document found (a glass scan or a photo of two documents gives two, issue #15)."""
    global _ENGINE
    from omsdesktop.forms.pipeline import extract_documents
    from omsdesktop.ocr.engine import create_engine

    started = time.perf_counter()
    try:
        if _ENGINE is None:
            _ENGINE = create_engine(settings.ocr)
        results = extract_documents(
            path, settings=settings, engine=_ENGINE, pages=[page], split=split
        )
    except OmsError as exc:
        return (DocumentOutcome(path, name, page, issues=(FileIssue.of(exc),)),)
    except Exception as exc:  # extract_documents catches these itself; belt and braces
        return (
            DocumentOutcome(
                path, name, page, issues=(FileIssue.of(InternalError(type(exc).__name__)),)
            ),
        )
    seconds = (time.perf_counter() - started) / max(1, len(results))
    outcomes = []
    for part, result in enumerate(results, start=1):
        loaded = result.page
        issues = tuple(FileIssue.of(e) for e in result.errors)
        if result.note and result.note_code == "blank_page":
            issues = (*issues, FileIssue("blank_page", result.note, "The page is blank."))
        outcomes.append(
            DocumentOutcome(
                path=path,
                name=name,
                page=page,
                page_count=loaded.page_count if loaded is not None else 1,
                kind=result.kind,
                fields=dict(result.document.fields) if result.document else {},
                quality_problems=result.quality.problems if result.quality else (),
                issues=issues,
                seconds=seconds,
                dpi=loaded.dpi if loaded is not None else None,
                region=result.region,
                part=part if result.region is not None else 0,
            )
        )
    return tuple(outcomes)


@dataclass(frozen=True)
class PreparedScan:
    data: bytes
    media_type: str
    width: int
    height: int
    dpi: float | None


def prepare_scan(
    path: str,
    page: int,
    settings: Settings,
    region: tuple[int, int, int, int] | None = None,
) -> PreparedScan:
    """The page (or the document's region of it) as an attachment for the portal (runs in a
    worker process)."""
    from omsdesktop.ocr.intake import load_page
    from omsdesktop.portal.attachments import prepare_attachment

    loaded = load_page(path, page, settings.intake)
    image = loaded.image
    if region is not None:
        x, y, w, h = region
        image = np.ascontiguousarray(image[y : y + h, x : x + w])
    prepared = prepare_attachment(image, loaded.dpi)
    return PreparedScan(
        prepared.data, prepared.media_type, prepared.width, prepared.height, prepared.dpi
    )


# ---------------------------------------------------------------------------- the batch


def list_input_files(
    input_dir: str | os.PathLike[str], *, recursive: bool = False, exclude: Sequence[Path] = ()
) -> list[Path]:
    """Files to read, in a stable order; hidden files and system litter are skipped."""
    root = Path(input_dir)
    if not root.is_dir():
        raise InputFolderError("not a directory", what="укажите существующую папку")
    excluded = {p.resolve() for p in exclude}
    pattern = root.rglob("*") if recursive else root.iterdir()
    out = []
    for path in pattern:
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.name.lower() in SKIPPED_NAMES or not path.is_file():
            continue
        if path.resolve() in excluded:
            continue
        out.append(path)
    return sorted(out, key=lambda p: str(p.relative_to(root)))


class _Pool:
    """A process pool with bounded in-flight work and recovery from a dead worker."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._context = multiprocessing.get_context("spawn")
        self._pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=self._context,
            initializer=_init_worker,
            max_tasks_per_child=200,
        )

    def map_unordered(
        self,
        func: Callable[..., T],
        items: Iterator[tuple[Any, ...]],
        *,
        on_crash: Callable[[tuple[Any, ...]], T],
        cancelled: Cancelled | None,
        extra: deque[tuple[Any, ...]] | None = None,
    ) -> Iterator[tuple[tuple[Any, ...], T]]:
        """Results as they finish. ``extra`` may grow while iterating (pages found later).

        A worker that dies (a native crash on a hostile file) breaks the pool: it is rebuilt
        and the work in flight is retried once; what breaks it again is given to ``on_crash``.
        """
        limit = 2 * self.jobs
        pending: dict[Future[T], tuple[tuple[Any, ...], int]] = {}
        retry: deque[tuple[tuple[Any, ...], int]] = deque()
        source_done = False

        def next_item() -> tuple[tuple[Any, ...], int] | None:
            nonlocal source_done
            if retry:
                return retry.popleft()
            if extra:
                return extra.popleft(), 0
            if not source_done:
                try:
                    return next(items), 0
                except StopIteration:
                    source_done = True
            return None

        while True:
            if not retry and not any(t > 0 for _, t in pending.values()):
                limit = 2 * self.jobs  # the crashed work is sorted out: full speed again
            while len(pending) < limit:
                item = next_item()
                if item is None:
                    break
                args, tries = item
                pending[self._pool.submit(func, *args)] = (args, tries)
            if not pending:
                if extra:
                    continue
                return
            if cancelled is not None and cancelled():
                self.close(cancel=True)
                raise CancelledError()
            done, _ = wait(list(pending), timeout=0.5, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                args, tries = pending.pop(fut)
                try:
                    yield args, fut.result()
                except BrokenProcessPool:
                    broken = True
                    if tries >= 1:
                        yield args, on_crash(args)
                    else:
                        retry.append((args, tries + 1))
            if broken:
                for fut, (args, tries) in list(pending.items()):
                    fut.cancel()
                    retry.append((args, tries))
                pending.clear()
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new()
                # Retry the crashed work one item at a time so the culprit is found.
                limit = 1 if retry else 2 * self.jobs

    def close(self, *, cancel: bool = False) -> None:
        self._pool.shutdown(wait=True, cancel_futures=cancel)


def _crashed(args: tuple[Any, ...]) -> tuple[DocumentOutcome, ...]:
    path, name, page = args[0], args[1], args[2]
    return (
        DocumentOutcome(path, name, page, issues=(FileIssue("crashed", CRASHED_RU, CRASHED_EN),)),
    )


def run_batch(
    input_dir: str | os.PathLike[str],
    *,
    jobs: int = 2,
    settings: Settings | None = None,
    store: Store | None = None,
    attach_scans: bool = True,
    recursive: bool = False,
    exclude: Sequence[Path] = (),
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> BatchResult:
    """Read, pair and (with a ``store``) save every application found in ``input_dir``.

    Args:
        jobs: worker processes (one per core is right; each runs one Tesseract thread).
        store: where drafts go; None only reads and pairs (a dry run).
        attach_scans: attach the prepared scans to the drafts (as ``draft create`` does).
        exclude: files not to read (e.g. the report being written into the same folder).
    """
    started = time.perf_counter()
    settings = settings or Settings()
    jobs = max(1, int(jobs))
    root = Path(input_dir)
    files = list_input_files(root, recursive=recursive, exclude=exclude)
    total = max(1, len(files))
    outcomes: list[DocumentOutcome] = []
    extra: deque[tuple[Any, ...]] = deque()
    pool = _Pool(jobs)
    try:
        work = ((str(p), str(p.relative_to(root)), 0, settings) for p in files)
        results = pool.map_unordered(
            process_page_documents, work, on_crash=_crashed, cancelled=cancelled, extra=extra
        )
        for done_count, (_args, found) in enumerate(results, start=1):
            # Each document found on a page is its own input (issue #15).
            outcomes.extend(found)
            outcome = found[0]
            if outcome.page == 0 and outcome.page_count > 1:
                last = min(outcome.page_count, settings.intake.max_pages)
                for page in range(1, last):
                    extra.append((outcome.path, outcome.name, page, settings))
                total += last - 1
            if progress is not None:
                progress(0.9 * done_count / total)
        outcomes.sort(key=lambda o: (o.name, o.page, o.part))
        result = _assemble(str(root), outcomes, len(files), jobs)
        if store is not None:
            result = _save(result, store, pool, settings, attach_scans, progress, cancelled)
    finally:
        pool.close()
    if progress is not None:
        progress(1.0)
    return _with_time(result, time.perf_counter() - started)


def _with_time(result: BatchResult, seconds: float) -> BatchResult:
    import dataclasses

    return dataclasses.replace(result, seconds=seconds)


def _assemble(
    input_dir: str, outcomes: list[DocumentOutcome], files: int, jobs: int
) -> BatchResult:
    from omsdesktop.forms.application import merge_fields

    unusable: list[Unusable] = []
    certificates: list[DocumentOutcome] = []
    policies: list[DocumentOutcome] = []
    for outcome in outcomes:
        issue = outcome.unusable_reason()
        if issue is not None:
            unusable.append(Unusable(outcome, issue))
        elif outcome.kind is DocumentKind.BIRTH_CERTIFICATE:
            certificates.append(outcome)
        else:
            policies.append(outcome)
    pairing = pair(
        [Identity.from_fields(c.fields) for c in certificates],
        [Identity.from_fields(p.fields) for p in policies],
    )
    applications = []
    for number, (ci, pi, found) in enumerate(pairing.pairs, start=1):
        cert, policy = certificates[ci], policies[pi]
        merged, problems = merge_fields(cert.fields, policy.fields)
        notes_ru = [PAIRING_NOTES_RU[found.basis]] if found.basis in PAIRING_NOTES_RU else []
        notes_en = [PAIRING_NOTES_EN[found.basis]] if found.basis in PAIRING_NOTES_EN else []
        for doc in (cert, policy):
            for problem in doc.quality_problems:
                notes_ru.append(f"{doc.label}: {problem.message}")
                notes_en.append(f"{doc.label}: {problem.message_en or problem.message}")
        applications.append(
            Application(
                number=number,
                certificate=cert,
                policy=policy,
                match=found,
                fields=merged,
                cross_problems=tuple(problems),
                notes_ru=tuple(notes_ru),
                notes_en=tuple(notes_en),
            )
        )
    unpaired: list[Unpaired] = []
    for docs, reasons in (
        (certificates, pairing.unpaired_certificates),
        (policies, pairing.unpaired_policies),
    ):
        for index, (reason, app_index) in sorted(reasons.items()):
            doc = docs[index]
            params = {
                "other": OTHER_RU.get(doc.kind, "документа"),
                "number": "" if app_index is None else str(app_index + 1),
            }
            params_en = dict(params, other=OTHER_EN.get(doc.kind, "document"))
            unpaired.append(
                Unpaired(
                    doc,
                    reason,
                    UNPAIRED_RU[reason].format(**params),
                    UNPAIRED_EN[reason].format(**params_en),
                )
            )
    unpaired.sort(key=lambda u: (u.document.name, u.document.page, u.document.part))
    return BatchResult(
        input_dir=input_dir,
        applications=tuple(applications),
        unpaired=tuple(unpaired),
        unusable=tuple(unusable),
        files=files,
        documents=len(outcomes),
        seconds=0.0,
        jobs=jobs,
    )


def _save(
    result: BatchResult,
    store: Store,
    pool: _Pool,
    settings: Settings,
    attach_scans: bool,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> BatchResult:
    import dataclasses

    from omsdesktop.session import ApplicationSession

    saved: list[Application] = []
    for app in result.applications:
        # The same session as the window's: the same merge, the same draft fields.
        session = ApplicationSession(store)
        try:
            session.set_document(DocumentKind.BIRTH_CERTIFICATE, app.certificate.fields)
            session.set_document(DocumentKind.OMS_POLICY, app.policy.fields)
            session.save()
            saved.append(dataclasses.replace(app, draft_id=session.draft_id))
        except OmsError as exc:
            saved.append(dataclasses.replace(app, draft_error=FileIssue.of(exc)))
        finally:
            session.close()
    if attach_scans:
        roles = {
            DocumentKind.BIRTH_CERTIFICATE: "birth_certificate",
            DocumentKind.OMS_POLICY: "oms_policy",
        }
        work = (
            (doc.path, doc.page, settings, app.draft_id, roles[doc.kind], doc.region)
            for app in saved
            if app.draft_id is not None
            for doc in (app.certificate, app.policy)
        )
        count = max(1, 2 * len(saved))
        for done, (args, scan) in enumerate(
            pool.map_unordered(
                _prepare_for,
                work,
                on_crash=lambda a: None,
                cancelled=cancelled,
            ),
            start=1,
        ):
            if isinstance(scan, PreparedScan):
                store.add_attachment(
                    str(args[3]),
                    document=args[4],
                    data=scan.data,
                    media_type=scan.media_type,
                    width=scan.width,
                    height=scan.height,
                    dpi=scan.dpi,
                )
            if progress is not None:
                progress(0.9 + 0.1 * done / count)
    return dataclasses.replace(result, applications=tuple(saved))


def _prepare_for(
    path: str,
    page: int,
    settings: Settings,
    draft_id: str,
    role: str,
    region: tuple[int, int, int, int] | None = None,
) -> PreparedScan | None:
    try:
        return prepare_scan(path, page, settings, region)
    except OmsError:
        return None  # the draft stays without this scan; the report still lists the file

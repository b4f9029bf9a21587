"""``omsdesktop submit|status|outbox|portal-sandbox|portal-token``: talking to the portal."""

from __future__ import annotations

import argparse
import getpass
import signal
import sys
from typing import TYPE_CHECKING, Any

from omsdesktop.commands import emit_json
from omsdesktop.errors import UsageError

if TYPE_CHECKING:
    from omsdesktop.portal.adapter import PortalAdapter
    from omsdesktop.portal.outbox import SubmitOutcome
    from omsdesktop.storage.model import Submission
    from omsdesktop.storage.store import Store

STATUS_NAMES = {
    "under_review": "на проверке",
    "needs_clarification": "требует уточнения",
    "approved": "одобрено",
    "rejected": "отклонено",
}
API_CHOICES = ("contract", "epgu")
API_HELP = "протокол портала: contract или epgu (по умолчанию из настроек portal.api)"
SUBMISSION_NAMES = {
    "queued": "в очереди на отправку",
    "sent": "принято порталом",
    "failed": "не принято порталом",
}


def register(sub: Any) -> None:
    s = sub.add_parser(
        "submit",
        help="отправить черновик на портал (без связи — поставить в очередь)",
        description=(
            "Отправляет заявление на портал ровно один раз. Если портал недоступен, заявление "
            "остаётся в очереди и уходит командой omsdesktop outbox flush."
        ),
    )
    s.add_argument("id", metavar="ID", help="номер черновика (omsdesktop draft list)")
    s.add_argument("--portal", metavar="URL", help="адрес портала (по умолчанию из настроек)")
    s.add_argument("--api", choices=API_CHOICES, help=API_HELP)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=run_submit)

    st = sub.add_parser("status", help="состояние отправленного заявления")
    st.add_argument("id", metavar="ID", help="номер черновика")
    st.add_argument("--offline", action="store_true", help="не спрашивать портал")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=run_status)

    o = sub.add_parser("outbox", help="очередь отправки на портал")
    actions = o.add_subparsers(dest="outbox_action", metavar="ДЕЙСТВИЕ", required=True)
    f = actions.add_parser("flush", help="отправить всё, что ждёт в очереди")
    f.add_argument("--api", choices=API_CHOICES, help=API_HELP)
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=run_flush)
    ls = actions.add_parser("list", help="что ждёт в очереди")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_outbox_list)

    sb = sub.add_parser(
        "portal-sandbox",
        help="учебный портал на этом компьютере (для тренировки и тестов)",
        description=(
            "Запускает учебный портал: проверяет заявления как настоящий, меняет их статусы со "
            "временем и по желанию имитирует сбои. Данные хранятся только в памяти."
        ),
    )
    sb.add_argument(
        "--api",
        choices=API_CHOICES,
        default="contract",
        help="протокол: contract (docs/portal-api.yaml) или epgu (API ЕПГУ: заказы, ZIP)",
    )
    sb.add_argument("--host", default="127.0.0.1", help="адрес (по умолчанию 127.0.0.1)")
    sb.add_argument("--port", type=int, default=8765, help="порт (по умолчанию 8765)")
    sb.add_argument("--fault-rate", type=float, default=0.0, help="доля запросов со сбоем, 0–1")
    sb.add_argument("--seed", type=int, default=0, help="зерно случайности (повторяемость)")
    sb.add_argument("--latency", type=float, default=0.5, help="задержка при сбое «latency», с")
    sb.add_argument("--retry-after", type=int, default=1, help="Retry-After у ответа 429, с")
    sb.add_argument(
        "--status-delay", type=float, default=10.0, help="через сколько секунд решение, с"
    )
    sb.add_argument("--token", help="принимать только этот токен (по умолчанию любой)")
    sb.add_argument("--verbose", action="store_true", help="печатать каждый запрос")
    sb.set_defaults(func=run_sandbox)

    t = sub.add_parser(
        "portal-token",
        help="сохранить токен доступа к порталу в хранилище паролей системы",
        description="Читает токен со стандартного ввода (или спрашивает) и сохраняет в keyring.",
    )
    t.add_argument("--portal", metavar="URL", help="адрес портала (по умолчанию из настроек)")
    t.set_defaults(func=run_token)


def _open_store() -> Store:
    from omsdesktop.storage.store import Store

    return Store.open()


def make_client(portal_url: str, api: str | None = None) -> PortalAdapter:
    """The adapter for this address: ``api``, else ``OMSDESKTOP_PORTAL_API``, else settings."""
    from omsdesktop.portal.factory import make_adapter

    return make_adapter(portal_url, api)


def _print_submission(submission: Submission, error: Any = None) -> None:
    lines = [f"Заявление {submission.draft_id}: {SUBMISSION_NAMES.get(submission.state)}"]
    if submission.request_number:
        lines.append(f"  номер запроса на портале: {submission.request_number}")
    if submission.portal_status:
        lines.append(f"  статус: {STATUS_NAMES.get(submission.portal_status)}")
    if submission.portal_api == "epgu":
        from omsdesktop.portal.epgu_status import processing_name, status_name

        if submission.order_id:
            lines.append(f"  заявление ЕПГУ (orderId): {submission.order_id}")
        lines.append(f"  обработка на портале: {processing_name(submission.processing_code)}")
        lines.append(f"  статус на портале: {status_name(submission.status_id)}")
    if submission.reason:
        lines.append(f"  причина: {submission.reason}")
    if submission.fields_to_fix:
        lines.append("  исправить поля: " + ", ".join(submission.fields_to_fix))
    if error is not None:
        lines.append(f"  {error.message()}")
    sys.stdout.write("\n".join(lines) + "\n")


def _outcome_exit(outcome: SubmitOutcome) -> int:
    if outcome.sent:
        return 0
    return outcome.error.exit_code if outcome.error is not None else 1


def run_submit(args: argparse.Namespace) -> int:
    from omsdesktop.portal.config import check_portal_url, resolve_portal_url
    from omsdesktop.session import ApplicationSession

    portal_url = check_portal_url(resolve_portal_url(args.portal))
    with _open_store() as store:
        session = ApplicationSession(store)
        try:
            session.open(args.id, attachments=False)
            # Checked here first: nothing invalid is sent (the portal would refuse it).
            outcome = session.submit(portal_url, lambda url: make_client(url, args.api))
        finally:
            session.close()
    if args.json:
        out = outcome.to_json()
        out["id"] = outcome.submission.draft_id
        emit_json(out)
    else:
        _print_submission(outcome.submission, outcome.error)
    return _outcome_exit(outcome)


def run_status(args: argparse.Namespace) -> int:
    from omsdesktop.portal.outbox import poll_status

    with _open_store() as store:
        submission = store.latest_submission(args.id)
        if submission is None:
            store.get_draft(args.id)
            if args.json:
                emit_json({"id": args.id, "state": "not_submitted"})
            else:
                sys.stdout.write("Черновик ещё не отправлялся: omsdesktop submit ID.\n")
            return 0
        if not args.offline and submission.state == "sent":
            client = make_client(submission.portal_url, submission.portal_api)
            try:
                submission = poll_status(store, client, args.id)
            finally:
                client.close()
        history = store.submission_history(submission.id)
    if args.json:
        out = submission.to_json()
        out["id"] = submission.draft_id
        out["history"] = [
            {
                "at": e.at.isoformat(),
                "state": e.state,
                "portal_status": e.portal_status,
                "error_code": e.error_code,
            }
            for e in history
        ]
        emit_json(out)
    else:
        _print_submission(submission)
        for e in history:
            status = STATUS_NAMES.get(e.portal_status or "", "")
            error = f" ошибка: {e.error_code}" if e.error_code else ""
            sys.stdout.write(
                f"  {e.at.astimezone():%d.%m.%Y %H:%M:%S} {SUBMISSION_NAMES.get(e.state)}"
                f"{' — ' + status if status else ''}{error}\n"
            )
    return 0


def run_flush(args: argparse.Namespace) -> int:
    from omsdesktop.portal.outbox import flush_outbox

    with _open_store() as store:
        report = flush_outbox(store, lambda url: make_client(url, args.api))
    if args.json:
        emit_json(report.to_json())
    else:
        sys.stdout.write(
            f"Отправлено: {report.sent}, осталось в очереди: {report.still_queued}, "
            f"не принято порталом: {report.failed}.\n"
        )
        for outcome in report.outcomes:
            if outcome.error is not None:
                sys.stdout.write(f"  {outcome.submission.draft_id}: {outcome.error.message()}\n")
    return 0 if report.still_queued == 0 and report.failed == 0 else 75


def run_outbox_list(args: argparse.Namespace) -> int:
    with _open_store() as store:
        pending = store.pending_submissions()
    if args.json:
        emit_json({"queued": [p.to_json() for p in pending]})
    elif not pending:
        sys.stdout.write("Очередь пуста.\n")
    else:
        for p in pending:
            sys.stdout.write(
                f"{p.draft_id}  попыток: {p.attempts}  последняя ошибка: "
                f"{p.last_error_code or '—'}  портал: {p.portal_url}\n"
            )
    return 0


def run_sandbox(args: argparse.Namespace) -> int:
    from omsdesktop.portal.epgu_sandbox import EpguSandboxConfig, EpguSandboxServer
    from omsdesktop.portal.sandbox import SandboxConfig, SandboxServer

    if not 0.0 <= args.fault_rate <= 1.0:
        raise UsageError("fault rate", what="--fault-rate должен быть от 0 до 1")
    server: SandboxServer | EpguSandboxServer
    try:
        if args.api == "epgu":
            server = EpguSandboxServer(
                EpguSandboxConfig(
                    fault_rate=args.fault_rate,
                    seed=args.seed,
                    latency=args.latency,
                    retry_after=args.retry_after,
                    status_delay=args.status_delay,
                    token=args.token,
                ),
                host=args.host,
                port=args.port,
                verbose=args.verbose,
            )
        else:
            config = SandboxConfig(
                fault_rate=args.fault_rate,
                seed=args.seed,
                latency=args.latency,
                retry_after=args.retry_after,
                status_delay=args.status_delay,
                token=args.token,
            )
            server = SandboxServer(config, host=args.host, port=args.port, verbose=args.verbose)
    except OSError as exc:
        raise UsageError(
            str(exc), what=f"порт {args.port} занят или недоступен, укажите другой: --port"
        ) from exc
    sys.stderr.write(
        f"Учебный портал{' (API ЕПГУ)' if args.api == 'epgu' else ''}: {server.url} "
        f"(сбоев: {args.fault_rate:.0%}, зерно {args.seed}). "
        "Остановить: Ctrl+C.\n"
    )
    sys.stderr.flush()

    def _stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Stop cleanly on SIGTERM too (service managers, `kill`), not only on Ctrl+C.
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
    return 0


def run_token(args: argparse.Namespace) -> int:
    from keyring.errors import KeyringError

    from omsdesktop.portal.config import check_portal_url, resolve_portal_url, store_token

    portal_url = check_portal_url(resolve_portal_url(args.portal))
    if sys.stdin.isatty():
        token = getpass.getpass("Токен доступа к порталу: ")
    else:
        token = sys.stdin.readline()
    token = token.strip()
    if not token:
        raise UsageError("empty token", what="токен пустой")
    try:
        store_token(portal_url, token)
    except (KeyringError, RuntimeError) as exc:
        raise UsageError(
            type(exc).__name__,
            what=(
                "в системе нет хранилища паролей (keyring); задайте токен переменной "
                "окружения OMSDESKTOP_PORTAL_TOKEN"
            ),
        ) from exc
    sys.stdout.write(f"Токен для {portal_url} сохранён в хранилище паролей системы.\n")
    return 0

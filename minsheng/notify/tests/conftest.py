"""Real servers for notify's tests: an SMTP server (aiosmtpd) that can be down and come
back on the same port, an HTTP server with scripted answers (SMS gateway, webhook
subscriber), and a helper that runs the database task worker until nothing is left."""

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


class SmtpServer:
    """A local SMTP server on a fixed port that a test can take down and bring back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = _Inbox()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    """Django sends through its SMTP backend to this server (started; `stop()` to fail)."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    server.start()
    yield server
    server.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpServer:
    """Answers each POST with the next scripted (status, body); then 200 for the rest."""

    url: str
    answers: list[tuple[int, str]]
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def private_targets_allowed(settings):
    """Webhooks and the SMS gateway may call private and loopback addresses, as the test
    servers on 127.0.0.1 need (off by default: `minsheng.lib.outbound`)."""
    settings.MINSHENG_OUTBOUND_ALLOW_PRIVATE = True


@pytest.fixture
def http_server(private_targets_allowed) -> Iterator[HttpServer]:
    """A subscriber (or gateway) on 127.0.0.1, so private targets are allowed with it."""
    state = HttpServer(url="", answers=[])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", "0"))
            state.received.append(
                Received(path=self.path, headers=dict(self.headers), body=self.rfile.read(length))
            )
            status, text = state.answers.pop(0) if state.answers else (200, '{"ok": true}')
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks, monkeypatch):
    """Run the database task worker until the queue is empty, also running what each task
    schedules "on commit" (the test's transaction never commits)."""
    # The worker drops connections that are not in autocommit mode, as the test's open
    # transaction is; on PostgreSQL that would end the test's database session.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        for _ in range(20):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
            if not callbacks and not DBTaskResult.objects.ready().exists():
                return
        raise AssertionError("the task queue did not drain")

    return run


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the block and then its on-commit callbacks, as a real
    commit would (this is what enqueues the notify fan-out)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def dns(monkeypatch):
    """Answers for made-up host names (DNS leaves the machine); other names as usual."""
    answers: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            family = socket.AF_INET6 if ":" in answers[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers

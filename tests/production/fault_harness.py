"""The fault run: the production set-up on 127.0.0.1 under load, with a web process and a task
worker killed (SIGKILL) in the middle and started again, then checked against the database
and against what the mail server and the SMS gateway received.

Used by `test_fault.py` (a few hundred cases, in `make test`) and by `make bench` with
MINSHENG_BENCH_FAULT=3000 (`minsheng/workers/bench.py`). Steps of `fault_run`:

1. PostgreSQL and Redis (scripts/with-postgres, scripts/with-redis), an SMTP server and an
   HTTP SMS gateway in this process, both recording what they receive;
2. migrate and the demo users (no demo cases), production settings as scripts/serve has
   them, the task lease and the sending timeout short (TASKS_LEASE_SECONDS=15,
   NOTIFY_SENDING_TIMEOUT=20, the watch every 10 s);
3. two gunicorn web processes (one worker each, own ports), two RQ workers, the watch;
4. `cases` public submissions over HTTP at `concurrency`, spread over both web processes,
   with lifecycle actions over the staff API (accept every second answered case, assign
   every fourth to a department); a third of the way in, SIGKILL one web process (its
   whole process group) and one worker, and start them again three seconds later;
5. wait until every message that is due is sent (or `settle_seconds` passed), run two
   `notify_sweep`s at once, twice, and read everything back.

Every process is started in its own session and stopped (TERM, then KILL) on the way out.
"""

import base64
import http.client
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PY = os.environ.get("MINSHENG_PYTHON", str(ROOT / ".venv" / "bin" / "python"))
READY_SECONDS = 600  # a guard against a hang, not a timing test: the machine may be busy


def missing_binaries() -> str | None:
    """Why the fault run cannot start here, or None."""
    if not shutil.which("redis-server"):
        return "redis-server is not installed (make redis)"
    if not (shutil.which("initdb") or Path("/usr/lib/postgresql/15/bin/initdb").exists()):
        return "the PostgreSQL 15 server binaries are not installed"
    return None


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- what the outside world received ---------------------------------------------------


class Received:
    """Message-IDs the SMTP server took and references the SMS gateway took, in order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.message_ids: list[str] = []
        self.sms_refs: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.message_ids.append(str(message["Message-ID"]))
        return "250 OK"


@contextmanager
def outside_world() -> Iterator[tuple[Received, int, str]]:
    """An SMTP server and an SMS gateway on 127.0.0.1: (received, smtp port, gateway URL)."""
    from aiosmtpd.controller import Controller

    received = Received()
    smtp_port = _free_port()
    smtp = Controller(received, hostname="127.0.0.1", port=smtp_port)
    smtp.start()

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            with received.lock:
                received.sms_refs.append(body["ref"])
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    gateway = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=gateway.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield received, smtp_port, f"http://127.0.0.1:{gateway.server_port}/sms"
    finally:
        gateway.shutdown()
        gateway.server_close()
        smtp.stop()


# --- processes -------------------------------------------------------------------------


class Processes:
    """The processes of one run, each in its own session, with a log file each."""

    def __init__(self, logs: Path, env: dict[str, str]) -> None:
        self.logs = logs
        self.env = env
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *argv: str, env: dict[str, str] | None = None) -> None:
        with (self.logs / f"{name}.log").open("ab") as log:
            self.running[name] = subprocess.Popen(  # noqa: S603 - our own commands
                list(argv),
                cwd=ROOT,
                env={**self.env, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self, name: str) -> None:
        """SIGKILL the process and everything it started (gunicorn's worker, RQ's horse)."""
        process = self.running.pop(name)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.running.values():
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.running.values():
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        self.running.clear()

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-4000:]


@contextmanager
def databases(logs: Path) -> Iterator[tuple[str, str]]:
    """A throwaway PostgreSQL and Redis (the repository's scripts): (DATABASE_URL, REDIS_URL)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    script = 'echo "URLS $DATABASE_URL $REDIS_URL"; exec sleep 3600'
    holder = subprocess.Popen(  # noqa: S603 - our own scripts
        [
            str(ROOT / "scripts/with-postgres"),
            str(ROOT / "scripts/with-redis"),
            "bash",
            "-c",
            script,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=(logs / "databases.log").open("ab"),
        start_new_session=True,
    )
    try:
        assert holder.stdout is not None  # noqa: S101
        line = holder.stdout.readline().decode()
        if not line.startswith("URLS "):
            raise RuntimeError("PostgreSQL or Redis did not start: " + line)
        _, database_url, redis_url = line.split()
        yield database_url, redis_url
    finally:
        holder.terminate()  # the scripts stop their servers and delete their directories
        try:
            holder.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait(timeout=30)


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _settings(
    *, database_url: str, redis_url: str, var: Path, smtp_port: int, sms_url: str
) -> dict[str, str]:
    """The environment of every process: production's settings (scripts/serve), plain http
    on 127.0.0.1, the outside world on 127.0.0.1, and short lease and timeouts."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTEST"))}
    return {
        **base,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_URL": redis_url.rsplit("/", 1)[0] + "/1",
        "TASKS_BACKEND": "redis",
        "DEBUG": "false",
        "SECRET_KEY": _key(),
        "HASH_KEY": _key(),
        "FIELD_ENCRYPTION_KEYS": f"fault:{_key()}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MINSHENG_VAR_DIR": str(var),
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "MINSHENG_OTP_REQUIRED_ROLES": "",
        "MINSHENG_RATELIMIT_ALLOW": "127.0.0.1",  # the load client, as a load balancer's
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "5",
        "SMS_BACKEND": "minsheng.notify.sms.HttpGatewayBackend",
        "SMS_GATEWAY_URL": sms_url,
        "SMS_GATEWAY_TOKEN": "fault-run",
        "SMS_GATEWAY_TIMEOUT": "5",
        "MINSHENG_OUTBOUND_ALLOW_PRIVATE": "true",
        "TASKS_LEASE_SECONDS": "15",
        "NOTIFY_SENDING_TIMEOUT": "20",
        "WATCH_SECONDS": "10",
        "PYTHONUNBUFFERED": "1",
    }


# --- HTTP ------------------------------------------------------------------------------


def _call(
    url: str, body: dict[str, Any] | None = None, token: str = "", timeout: float = 30
) -> tuple[int, Any]:
    """One JSON request; (status, answer), or (0, None) when no answer came, (-1, None)
    when the connection was refused (nothing was sent: safe to send elsewhere)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - 127.0.0.1
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read()[:300]
    except urllib.error.URLError as error:
        return (-1 if isinstance(error.reason, ConnectionRefusedError) else 0), None
    except (OSError, ValueError, http.client.HTTPException):
        # reset, timed out, or the process died mid-answer (IncompleteRead): no answer
        return 0, None


def _wait_for(url: str, processes: Processes, name: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while _call(url, timeout=2)[0] <= 0:
        if time.monotonic() > deadline or processes.running[name].poll() is not None:
            raise RuntimeError(f"{name} did not answer:\n{processes.log(name)}")
        time.sleep(0.2)


# --- the run ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the run did and what it found (the figures `bench` prints)."""

    submitted: int = 0
    answered: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    assigned: list[str] = field(default_factory=list)
    unanswered: int = 0
    load_seconds: float = 0.0
    settle_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


def _person(i: int) -> dict[str, str]:
    if i % 2:
        return {"name": "张伟", "phone": f"139{i:08d}", "contact_by": "sms"}
    return {"name": "王芳", "email": f"c{i}@example.cn", "contact_by": "email"}


def _call_any(webs: list[str], first: int, path: str, *args: Any) -> tuple[int, Any]:
    """Call `path` on web process `first`; if it refused the connection (it is down), on
    the next one, as a load balancer would. A request that may have arrived is not
    repeated (it may have registered a case)."""
    for n in range(len(webs)):
        status, answer = _call(webs[(first + n) % len(webs)] + path, *args)
        if status != -1:
            return status, answer
    return 0, None


def _load(
    *,
    cases: int,
    concurrency: int,
    webs: list[str],
    tokens: dict[str, str],
    department: str,
    at_third: Any,
    outcome: Outcome,
) -> None:
    """Submit `cases` cases and act on the answered ones; call `at_third()` a third in."""
    lock = threading.Lock()
    done = Counter[str]()
    killed = threading.Event()

    def one(i: int) -> None:
        status, answer = _call_any(
            webs,
            i,
            "/api/v1/public/cases",
            {
                "kind": "complaint",
                "subject": f"夜间施工噪音 {i}",
                "body": f"第 {i} 号工地每晚十一点后仍在施工。",
                "people": [_person(i)],
            },
        )
        with lock:
            done["submitted"] += 1
            if done["submitted"] >= cases // 3 and not killed.is_set():
                killed.set()
                threading.Thread(target=at_third, daemon=True).start()
        if status != 201:
            with lock:
                outcome.unanswered += 1
            return
        number = answer["number"]
        with lock:
            outcome.answered.append(number)
        if i % 2:
            return
        accept = f"/api/v1/cases/{number}/actions/accept"
        if _call_any(webs, i + 1, accept, {}, tokens["intake"])[0] != 200:
            return
        with lock:
            outcome.accepted.append(number)
        if i % 4:
            return
        status, _answer = _call_any(
            webs,
            i,
            f"/api/v1/cases/{number}/actions/assign",
            {"department": department},
            tokens["dispatcher"],
        )
        if status == 200:
            with lock:
                outcome.assigned.append(number)

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(cases)))
    outcome.submitted = cases
    outcome.load_seconds = time.monotonic() - started


def _manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    done = subprocess.run(  # noqa: S603 - our own command
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def fault_run(
    *,
    cases: int,
    concurrency: int,
    workdir: Path,
    settle_seconds: float = 300,
    backend: str = "redis",
) -> Outcome:
    """Run the whole fault run (module docstring) and return what it found. `backend`
    "database" runs the tasks on PostgreSQL with two `task_worker`s instead of RQ."""
    logs = workdir / "logs"
    var = workdir / "var"
    logs.mkdir(parents=True)
    var.mkdir()
    outcome = Outcome()
    with outside_world() as (received, smtp_port, sms_url), databases(logs) as urls:
        env = _settings(
            database_url=urls[0],
            redis_url=urls[1],
            var=var,
            smtp_port=smtp_port,
            sms_url=sms_url,
        )
        env["TASKS_BACKEND"] = backend
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "load_demo", "--cases", "0")
        # Review and dispatch due in an hour, around the clock: every case's clock is inside
        # its due-soon window at once, so the sweeps send reminders throughout the run.
        _query(
            urls[0],
            "UPDATE deadlines_deadlinepolicy SET unit = 'hours', review = 1, dispatch = 1,"
            " plan = 24, result = 48 RETURNING id",
        )
        processes = Processes(logs, env)
        ports = [_free_port(), _free_port()]
        webs = [f"http://127.0.0.1:{port}" for port in ports]

        def web(n: int) -> None:
            processes.start(
                f"web{n}",
                PY,
                "-m",
                "gunicorn",
                "-c",
                "deploy/gunicorn.conf.py",
                "minsheng.wsgi",
                env={"GUNICORN_BIND": f"127.0.0.1:{ports[n]}", "GUNICORN_WORKERS": "1"},
            )

        def worker(n: int) -> None:
            name = f"fault-worker{n}-{time.monotonic_ns()}"
            if backend == "database":
                command = ["task_worker", "--no-reload", "--no-startup-delay", "--worker-id"]
            else:
                command = ["rqworker", "default", "--with-scheduler", "--name"]
            processes.start(f"worker{n}", PY, "manage.py", *command, name)

        try:
            for n in (0, 1):
                web(n)
                worker(n)
            processes.start("watch", PY, "manage.py", "watch")
            for n in (0, 1):
                _wait_for(f"{webs[n]}/api/v1/openapi.json", processes, f"web{n}")
            tokens = {}
            for username in ("intake", "dispatcher"):
                status, answer = _call(
                    f"{webs[0]}/api/v1/auth/token",
                    {"username": username, "password": "minsheng-demo"},
                )
                if status != 200:
                    raise RuntimeError(f"no token for {username}: {status} {answer!r}")
                tokens[username] = answer["token"]
            department = _department_of_handler(urls[0])

            def at_third() -> None:
                if backend == "database":
                    job = _when_busy_database(urls[0], "fault-worker0-")
                else:
                    job = _when_busy(urls[1], "fault-worker0-")
                outcome.figures["killed_in_job"] = job
                processes.kill("worker0")
                outcome.figures["killed_at"] = time.time()
                processes.kill("web0")
                time.sleep(3)
                web(0)
                worker(0)

            _load(
                cases=cases,
                concurrency=concurrency,
                webs=webs,
                tokens=tokens,
                department=department,
                at_third=at_third,
                outcome=outcome,
            )
            started = time.monotonic()
            while time.monotonic() - started < settle_seconds:
                if _settled(urls[0], outcome):
                    break
                time.sleep(2)
            outcome.settle_seconds = time.monotonic() - started
            reminders_before = _reminder_keys(urls[0])
            for _ in range(2):  # two sweeps at once, twice
                sweeps = [
                    subprocess.Popen(  # noqa: S603 - our own command
                        [PY, "manage.py", "notify_sweep"],
                        cwd=ROOT,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    for _ in range(2)
                ]
                for sweep in sweeps:
                    sweep.wait(timeout=300)
            time.sleep(3)  # what the sweeps queued reaches the workers
            _settled(urls[0], outcome)
            # New reminders only for clocks no sweep had reached yet; a reminder twice would
            # show as a repeat below (its key is unique, so as a second send).
            outcome.figures["reminders_added_by_extra_sweeps"] = len(
                _reminder_keys(urls[0]) - reminders_before
            )
        finally:
            processes.stop_all()
        _check(urls[0], outcome, received)
        if backend == "database":
            _database_task_figures(urls[0], outcome)
        else:
            outcome.figures["abandoned_jobs_retried"] = _abandoned_jobs(urls[1])
            outcome.figures["killed_job_status"] = _job_status(
                urls[1], outcome.figures["killed_in_job"]
            )
    return outcome


def _when_busy(redis_url: str, name: str, *, within: float = 30) -> str:
    """Wait (a while at most) until the RQ worker whose name starts with `name` runs a job
    (one in the started registry, STARTED, with that worker's name), so that killing the
    worker now abandons it. Returns the job's id ("" if none came in time)."""
    import redis

    client: Any = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            for member in client.zrange("rq:wip:default", 0, -1):
                job_id = member.decode().split(":")[0]
                worker, status = client.hmget(f"rq:job:{job_id}", "worker_name", "status")
                if status == b"started" and (worker or b"").decode().startswith(name):
                    return str(job_id)
            time.sleep(0.001)
        return ""
    finally:
        client.close()


def _when_busy_database(database_url: str, name: str, *, within: float = 30) -> str:
    """`_when_busy` for `task_worker`s: the id of a RUNNING task whose (last) worker's id
    starts with `name` ("" if none came in time). RUNNING is set when the worker claims
    the task and cleared when it records the outcome, in the same process."""
    import psycopg

    deadline = time.monotonic() + within
    with psycopg.connect(database_url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            for task_id, worker_ids in connection.execute(
                "SELECT id, worker_ids FROM django_tasks_database_dbtaskresult"
                " WHERE status = 'RUNNING'"
            ):
                if worker_ids and str(worker_ids[-1]).startswith(name):
                    return str(task_id)
            time.sleep(0.002)
    return ""


def _database_task_figures(database_url: str, outcome: Outcome) -> None:
    """How many tasks another worker took over (more than one worker id), and what became
    of the task the killed worker was running, how many seconds after the kill."""
    [(retaken,)] = _query(
        database_url,
        "SELECT count(*) FROM django_tasks_database_dbtaskresult"
        " WHERE jsonb_array_length(worker_ids) > 1",
    )
    outcome.figures["abandoned_jobs_retried"] = retaken
    killed = outcome.figures.get("killed_in_job")
    if not killed:
        return
    [(status, finished_at, stuck)] = _query(
        database_url,
        "SELECT status, finished_at, (SELECT count(*) FROM django_tasks_database_dbtaskresult"
        "  WHERE status = 'RUNNING') FROM django_tasks_database_dbtaskresult WHERE id = %s",
        killed,
    )
    outcome.figures["killed_job_status"] = status.lower()
    outcome.figures["still_running_tasks"] = stuck
    if finished_at is not None:
        outcome.figures["killed_job_done_after_seconds"] = round(
            finished_at.timestamp() - outcome.figures["killed_at"], 1
        )


def _job_status(redis_url: str, job_id: str) -> str:
    """An RQ job's status now ("" if there is no such job)."""
    import redis

    client: Any = redis.Redis.from_url(redis_url)
    try:
        return (client.hget(f"rq:job:{job_id}", "status") or b"").decode()
    finally:
        client.close()


def _abandoned_jobs(redis_url: str) -> int:
    """How many jobs RQ found abandoned (their worker died) and ran again: those marked
    with `minsheng.workers.rq_worker.ABANDONED_COUNT` (not imported: Django is not set up
    in this process)."""
    import pickle

    import redis

    client: Any = redis.Redis.from_url(redis_url)
    found = 0
    for key in client.scan_iter("rq:job:*"):
        meta = client.hget(key, "meta")
        # Our own workers' job metadata, pickled by RQ's default serializer.
        if meta and pickle.loads(meta).get("minsheng_abandoned"):  # noqa: S301
            found += 1
    client.close()
    return found


# --- reading back ----------------------------------------------------------------------


def _query(database_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        return connection.execute(sql, params).fetchall()  # type: ignore[arg-type]


def _department_of_handler(database_url: str) -> str:
    [(code,)] = _query(
        database_url,
        "SELECT d.code FROM accounts_department d JOIN accounts_membership m"
        " ON m.department_id = d.id JOIN accounts_user u ON u.id = m.user_id"
        " WHERE u.username = 'handler' LIMIT 1",
    )
    return str(code)


def _settled(database_url: str, outcome: Outcome) -> bool:
    """Every answered case's receipt exists and nothing is waiting to be sent."""
    [(receipts, waiting)] = _query(
        database_url,
        "SELECT (SELECT count(*) FROM notify_notification n JOIN cases_case c ON c.id = n.case_id"
        "         WHERE n.kind = 'receipt' AND c.number = ANY(%s)),"
        "       (SELECT count(*) FROM notify_notification WHERE status IN ('pending', 'sending'))",
        outcome.answered,
    )
    return bool(receipts >= len(outcome.answered) and waiting == 0)


def _reminder_keys(database_url: str) -> set[str]:
    rows = _query(database_url, "SELECT key FROM notify_notification WHERE clock_id IS NOT NULL")
    return {row[0] for row in rows}


def _check(database_url: str, outcome: Outcome, received: Received) -> None:
    """Compare the database with what was answered and what was received; the findings go
    to `outcome.problems` (empty: all held) and `outcome.figures`."""
    problems = outcome.problems
    cases = {
        number: case_id
        for case_id, number in _query(
            database_url,
            "SELECT id, number FROM cases_case WHERE number = ANY(%s)",
            outcome.answered,
        )
    }
    missing = sorted(set(outcome.answered) - set(cases))
    if missing:
        problems.append(
            f"{len(missing)} answered case numbers are not in the database: {missing[:5]}"
        )
    events: dict[int, set[str]] = {}
    for case_id, action in _query(
        database_url,
        "SELECT case_id, action FROM cases_caseevent WHERE case_id = ANY(%s)",
        list(cases.values()),
    ):
        events.setdefault(case_id, set()).add(action)
    clocks: dict[int, set[str]] = {}
    for case_id, step in _query(
        database_url,
        "SELECT case_id, step FROM cases_caseclock WHERE case_id = ANY(%s)",
        list(cases.values()),
    ):
        clocks.setdefault(case_id, set()).add(step)
    expected_events = {number: {"register"} for number in cases}
    expected_clocks = {number: {"review"} for number in cases}
    for number in outcome.accepted:
        expected_events[number].add("accept")
        expected_clocks[number] |= {"dispatch", "result"}
    for number in outcome.assigned:
        expected_events[number].add("assign")
        expected_clocks[number].add("plan")
    for number, case_id in cases.items():
        if not expected_events[number] <= events.get(case_id, set()):
            problems.append(
                f"{number} lacks events {expected_events[number] - events.get(case_id, set())}"
            )
        if not expected_clocks[number] <= clocks.get(case_id, set()):
            problems.append(
                f"{number} lacks clocks {expected_clocks[number] - clocks.get(case_id, set())}"
            )

    rows = _query(
        database_url,
        "SELECT n.key, n.kind, n.channel, n.status, n.attempts, n.message_id, n.clock_id, c.number"
        " FROM notify_notification n JOIN cases_case c ON c.id = n.case_id",
    )
    kinds_of: dict[str, set[str]] = {}
    for _row_key, kind, *_rest, number in rows:
        kinds_of.setdefault(number, set()).add(kind)
    for number in cases:
        wanted = {"receipt"} | ({"accepted"} if number in outcome.accepted else set())
        wanted |= {"assigned"} if number in outcome.assigned else set()
        if not wanted <= kinds_of.get(number, set()):
            problems.append(f"{number}: no {wanted - kinds_of.get(number, set())} message (lost)")
    statuses = Counter(row[3] for row in rows)
    if statuses.get("failed"):
        problems.append(f"{statuses['failed']} messages failed")
    got_mail = Counter(received.message_ids)
    got_sms = Counter(received.sms_refs)
    duplicates = 0
    duplicate_reminders = 0
    for key, _kind, channel, status, attempts, message_id, clock_id, _number in rows:
        if channel == "email" and not message_id:
            problems.append(f"{key} has no Message-ID")
        copies = got_mail[message_id] if channel == "email" else got_sms[key]
        if status == "sent" and copies == 0:
            problems.append(f"{key} is marked sent but was not received")
        if copies > 1:
            duplicates += copies - 1
            duplicate_reminders += (copies - 1) if clock_id else 0
            if attempts < 2:  # a repeat without a second claim: not a dead worker's
                problems.append(f"{key} arrived {copies} times after {attempts} attempt(s)")
    known_ids = {row[5] for row in rows}
    known_refs = {row[0] for row in rows}
    strangers = [m for m in got_mail if m not in known_ids] + [
        r for r in got_sms if r not in known_refs
    ]
    if strangers:
        problems.append(f"received messages no row stands for: {strangers[:5]}")
    outcome.figures.update(
        {
            "messages": len(rows),
            "statuses": dict(statuses),
            "received_mail": len(received.message_ids),
            "received_sms": len(received.sms_refs),
            "duplicates_after_a_dead_worker": duplicates,
            "duplicate_reminders": duplicate_reminders,
            "reminders": sum(1 for row in rows if row[6]),
            "retried_rows": sum(1 for row in rows if row[4] > 1),
        }
    )

"""Public intake over HTTP, beside a bare one-row insert and django-helpdesk's ticket API:
`python -m minsheng.intake.bench_http` prints a table; `run()` returns its rows for `make
bench` (on by default there; MINSHENG_BENCH_HTTP=0 leaves it out).

Set-up, the same for every side: gunicorn with 2 sync workers on 127.0.0.1, the database of
the environment (a throwaway SQLite file in WAL mode by default; DATABASE_URL=postgres://...
from `scripts/with-postgres`), connections kept (CONN_MAX_AGE=60).

- Minsheng: `deploy/gunicorn.conf.py` with production settings (DEBUG off, keys made up for
  the run), the rate limits on and the load client let through by MINSHENG_RATELIMIT_ALLOW,
  and its task worker running beside it: `manage.py task_worker` (database task backend), or
  `rqworker` when REDIS_URL is set (`scripts/with-redis`: Redis task backend and cache).
- bare insert: a tiny Django project written to a temp dir, one view that parses the same
  JSON and inserts one row of about the same size, nothing else.
- django-helpdesk 2.6.1's ticket API (`POST /api/tickets/`, token authentication), in a venv
  of its own built outside the repository and reused (`minsheng/intake/bench_helpdesk.py`);
  the same submission as a ticket of the same size (title, and the text, respondent unit,
  place and complainant in its description). MINSHENG_BENCH_HELPDESK=0 leaves it out; when
  its install fails (no network) its rows say so and the rest goes on.
- Minsheng, rejected (400): the same Minsheng server posted the same submissions without a
  subject, each answered with a problem naming the field: the stack (middleware, rate
  limits, parsing, validation) without the registration, the ceiling of any ratio the
  registration could reach.

The load client (aiohttp) posts `MINSHENG_BENCH_HTTP_REQUESTS` submissions (default 1,500)
at concurrency 8 and 32, the sides interleaved round by round
(`MINSHENG_BENCH_HTTP_ROUNDS`, default 3); figures are medians over the rounds, with the
spread. Server CPU per request is the gunicorn workers' CPU time over the requests.

    .venv/bin/python -m minsheng.intake.bench_http
    scripts/with-postgres scripts/with-redis .venv/bin/python -m minsheng.intake.bench_http
"""

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from minsheng.intake import bench_helpdesk
from minsheng.lib.bench_settings import production_environment

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
CONCURRENCY = (8, 32)
READY_SECONDS = 90
# MINSHENG_BENCH_HTTP_WORKER=0 runs Minsheng without its task worker, to see what it costs.
WITH_WORKER = os.environ.get("MINSHENG_BENCH_HTTP_WORKER", "1") != "0"

SUBJECTS = ("工地夜间施工噪音扰民", "小区路灯不亮", "楼道堆放杂物", "餐馆油烟扰民", "公交站牌损坏")
UNITS = 40  # respondent units the submissions are spread over, as in a day's intake
# The sides' names in the rows (the set-up row names what each posts to).
MINSHENG = "Minsheng"
# The same server answering a submission without a subject: the middleware, the rate limits,
# DRF's parsing and validation and the problem answer, and no registration. What Minsheng's
# stack costs before any case is written, so the floor under any ratio the registration
# can reach.
REJECTED = "Minsheng, rejected (400)"
BARE = "bare insert"
HELPDESK = "django-helpdesk 2.6.1"


def _payload(index: int) -> bytes:
    """The index-th submission: about 300 bytes of Chinese text, one of `UNITS` respondents,
    a phone of its own."""
    subject = SUBJECTS[index % len(SUBJECTS)]
    return json.dumps(
        {
            "kind": "complaint",
            "subject": subject,
            "body": f"{subject}，已经持续一周，影响附近居民休息，希望有关部门尽快处理。",
            "respondent": f"第{index % UNITS}建筑工程有限公司",
            "location": f"幸福路{index % 97}号",
            "people": [{"name": "张伟", "phone": f"138{index % 10**8:08d}"}],
        }
    ).encode()


def _rejected_payload(index: int) -> bytes:
    """The index-th submission without its subject: answered 400 with the field named."""
    matter = json.loads(_payload(index))
    del matter["subject"]
    return json.dumps(matter).encode()


BARE_SETTINGS = """
import os
SECRET_KEY = "bare-bench-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["bareapp"]
MIDDLEWARE = []
ROOT_URLCONF = "bareapp.views"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
import environ
DATABASES = {"default": environ.Env.db_url_config(os.environ["BARE_DATABASE_URL"])}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
"""

BARE_MODELS = """
from django.db import models


class Matter(models.Model):
    kind = models.CharField(max_length=20)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    respondent = models.CharField(max_length=200)
    location = models.CharField(max_length=200)
    name = models.CharField(max_length=100)
    phone = models.CharField(max_length=30)
    created_at = models.DateTimeField()
"""

BARE_VIEWS = """
import json

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from bareapp.models import Matter


@csrf_exempt
def submit(request):
    data = json.loads(request.body)
    person = data["people"][0]
    matter = Matter.objects.create(
        kind=data["kind"], subject=data["subject"], body=data["body"],
        respondent=data["respondent"], location=data["location"],
        name=person["name"], phone=person["phone"], created_at=timezone.now(),
    )
    return JsonResponse({"number": matter.pk}, status=201)


urlpatterns = [path("submit", submit)]
"""


def _helpdesk_payload(queue: int) -> Callable[[int], bytes]:
    """The index-th submission as a django-helpdesk ticket of the same size."""

    def payload(index: int) -> bytes:
        matter = json.loads(_payload(index))
        person = matter["people"][0]
        description = (
            f"{matter['body']}\n被投诉单位：{matter['respondent']}\n地点：{matter['location']}"
            f"\n联系人：{person['name']} {person['phone']}"
        )
        return json.dumps(
            {
                "queue": queue,
                "title": matter["subject"],
                "description": description,
                "submitter_email": f"{person['phone']}@example.com",
                "priority": 3,
            }
        ).encode()

    return payload


@dataclass
class Side:
    """One server under load: where to post, its gunicorn master, what to post and the
    status every answer should have."""

    name: str
    url: str
    pid: int
    payload: Callable[[int], bytes] = _payload
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 201


@dataclass
class Figures:
    """One load run: submissions per second, latency percentiles (ms), server CPU (ms)."""

    per_second: float
    p50: float
    p95: float
    p99: float
    cpu_ms: float
    errors: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} did not start:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own 127.0.0.1 server
            return
        except urllib.error.HTTPError:
            return  # it answers (a 404/405 is an answer)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {READY_SECONDS} s:\n{log.read_text()[-3000:]}")


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _minsheng(tmp: Path) -> Iterator[tuple[Side, str]]:
    """Minsheng under gunicorn (2 workers) with its task worker; yields the side and the task
    backend's name."""
    port = _free_port()
    redis_url = os.environ.get("REDIS_URL", "")
    env = {
        **os.environ,
        **production_environment(),
        "MINSHENG_VAR_DIR": str(tmp / "minsheng"),
        "MINSHENG_RATELIMIT_ALLOW": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_MAX_REQUESTS": "0",
        "DATABASE_CONN_MAX_AGE": "60",
        "TASKS_BACKEND": "redis" if redis_url else "database",
    }
    if redis_url:
        env["CACHE_URL"] = redis_url.rsplit("/", 1)[0] + "/1"
    (tmp / "minsheng").mkdir()
    migrate = [PY, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)  # noqa: S603 - our own manage.py
    worker_cmd = (
        [PY, "manage.py", "rqworker", "default", "--with-scheduler"]
        if redis_url
        else [PY, "manage.py", "task_worker", "--no-startup-delay"]
    )
    log = tmp / "minsheng-web.log"
    with open(log, "wb") as web_out, open(tmp / "minsheng-worker.log", "wb") as worker_out:
        web = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [PY, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "minsheng.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=web_out,
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            worker_cmd if WITH_WORKER else [PY, "-c", "import time; time.sleep(10**6)"],
            cwd=ROOT,
            env=env,
            stdout=worker_out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(f"{url}/api/v1/public/cases", web, log)
            side = Side(MINSHENG, f"{url}/api/v1/public/cases", web.pid)
            yield side, "redis" if redis_url else "database"
        finally:
            _stop([web, worker])


@contextmanager
def _bare(tmp: Path) -> Iterator[Side]:
    """The bare insert project under gunicorn (2 workers)."""
    project = tmp / "bare"
    (project / "bareapp").mkdir(parents=True)
    (project / "bareapp" / "__init__.py").write_text("")
    (project / "bareapp" / "models.py").write_text(BARE_MODELS)
    (project / "bareapp" / "views.py").write_text(BARE_VIEWS)
    (project / "bare_settings.py").write_text(BARE_SETTINGS)
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bare.sqlite3'}"
    env = {
        **os.environ,
        "BARE_DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "bare_settings",
        "PYTHONPATH": str(project),
    }
    subprocess.run(  # noqa: S603 - our own interpreter and django-admin
        [PY, "-m", "django", "migrate", "--run-syncdb", "-v0"], cwd=project, env=env, check=True
    )
    with _served(PY, project, env, tmp / "bare-web.log", "/submit") as (url, pid):
        yield Side(BARE, url, pid)


@contextmanager
def _helpdesk(tmp: Path) -> Iterator[Side | str]:
    """django-helpdesk's ticket API under gunicorn (2 workers), or why it is not measured."""
    if os.environ.get("MINSHENG_BENCH_HELPDESK", "1") == "0":
        yield "left out (MINSHENG_BENCH_HELPDESK=0)"
        return
    try:
        interpreter, project, env, queue = bench_helpdesk.prepare(tmp, PY)
    except RuntimeError as error:
        yield f"not measured: {error}"
        return
    with _served(interpreter, project, env, tmp / "helpdesk-web.log", "/api/tickets/") as (
        url,
        pid,
    ):
        auth = _auth(env["HELPDESK_TOKEN"])
        yield Side(HELPDESK, url, pid, _helpdesk_payload(queue), auth)


@contextmanager
def _served(
    python: str, project: Path, env: dict[str, str], log: Path, path: str
) -> Iterator[tuple[str, int]]:
    """`project` under gunicorn (2 sync workers) on a free port until the block ends:
    (the URL of `path`, the master's pid) once it answers."""
    port = _free_port()
    with open(log, "wb") as out:
        web = subprocess.Popen(  # noqa: S603 - a bench interpreter and gunicorn
            _gunicorn(python, port),
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}{path}"
            _wait_ready(url, web, log)
            yield url, web.pid
        finally:
            _stop([web])


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def _gunicorn(python: str, port: int) -> list[str]:
    """The bare insert's and django-helpdesk's gunicorn: 2 sync workers, the application
    loaded before forking, an access log (as Minsheng's deploy/gunicorn.conf.py)."""
    return [
        python,
        "-m",
        "gunicorn",
        "--workers=2",
        "--worker-class=sync",
        "--preload",
        f"--bind=127.0.0.1:{port}",
        "--access-logfile=-",
        "django.core.wsgi:get_wsgi_application()",
    ]


def _workers_cpu(master_pid: int) -> float:
    """CPU seconds (user + system) of the gunicorn master's worker processes."""
    import psutil

    total = 0.0
    for child in psutil.Process(master_pid).children():
        times = child.cpu_times()
        total += times.user + times.system
    return total


async def _load(side: Side, *, requests: int, concurrency: int) -> tuple[float, list[float], int]:
    """Post `requests` submissions with `concurrency` at once; (seconds, latencies, errors)."""
    import aiohttp

    url = side.url
    bodies = [side.payload(index) for index in range(requests)]
    latencies: list[float] = []
    errors = 0
    remaining = requests
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(
        connector=connector, headers={"Content-Type": "application/json", **side.headers}
    ) as session:

        async def client() -> None:
            nonlocal remaining, errors
            while remaining > 0:
                remaining -= 1
                start = time.perf_counter()
                try:
                    async with session.post(url, data=bodies[remaining]) as answer:
                        await answer.read()
                        errors += answer.status != side.status
                except aiohttp.ClientError:
                    errors += 1
                latencies.append((time.perf_counter() - start) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        return time.perf_counter() - began, latencies, errors


def _measure(side: Side, *, requests: int, concurrency: int) -> Figures:
    cpu_before = _workers_cpu(side.pid)
    seconds, latencies, errors = asyncio.run(
        _load(side, requests=requests, concurrency=concurrency)
    )
    cpu = _workers_cpu(side.pid) - cpu_before
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))]

    return Figures(
        per_second=requests / seconds,
        p50=pct(0.50),
        p95=pct(0.95),
        p99=pct(0.99),
        cpu_ms=cpu / requests * 1000,
        errors=errors,
    )


def _spread(values: list[float], digits: int = 0) -> str:
    """The median and, in brackets, the lowest and highest of the rounds."""
    median = statistics.median(values)
    return f"{median:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def run() -> list[tuple[str, str]]:
    """Rows for `make bench`: per concurrency, each side's figures and Minsheng's ratios to
    the bare insert and to django-helpdesk (per round, then the median and spread). The
    names hold no database: `make bench` puts SQLite's and PostgreSQL's side by side."""
    rounds = int(os.environ.get("MINSHENG_BENCH_HTTP_ROUNDS", "3"))
    requests = int(os.environ.get("MINSHENG_BENCH_HTTP_REQUESTS", "1500"))
    database = (
        "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    )
    runs: dict[tuple[str, int], list[Figures]] = {}
    with tempfile.TemporaryDirectory() as name, ExitStack() as servers:
        tmp = Path(name)
        minsheng, backend = servers.enter_context(_minsheng(tmp))
        rejected = Side(REJECTED, minsheng.url, minsheng.pid, _rejected_payload, status=400)
        sides = [minsheng, rejected, servers.enter_context(_bare(tmp))]
        helpdesk = servers.enter_context(_helpdesk(tmp))
        if isinstance(helpdesk, Side):
            sides.append(helpdesk)
        for side in sides:  # warm-up: imports, connections, caches
            _measure(side, requests=100, concurrency=8)
        for _ in range(rounds):
            for concurrency in CONCURRENCY:
                for side in sides:
                    measured = _measure(side, requests=requests, concurrency=concurrency)
                    runs.setdefault((side.name, concurrency), []).append(measured)
        memory = _workers_memory(minsheng.pid)
    worker = ("rqworker" if backend == "redis" else "task_worker") if WITH_WORKER else "none"
    rows: list[tuple[str, str]] = [
        (
            "intake over HTTP: set-up (gunicorn, 2 sync workers a side)",
            f"{database}, {backend} task backend, worker {worker}; {rounds} rounds × {requests:,}",
        )
    ]
    for concurrency in CONCURRENCY:
        for name in (MINSHENG, REJECTED, BARE, HELPDESK):
            prefix = f"intake c={concurrency} {name}"
            figures = runs.get((name, concurrency))
            if figures is None:
                rows.append((f"{prefix}: submissions/s", str(helpdesk)))
                continue
            rows.append(
                (
                    f"{prefix}: submissions/s, median (min–max)",
                    _spread([f.per_second for f in figures]),
                )
            )
            rows.append(
                (
                    f"{prefix}: p50 / p95 / p99 ms, server CPU ms a request, errors",
                    " / ".join(
                        f"{statistics.median(getattr(f, part) for f in figures):.0f}"
                        for part in ("p50", "p95", "p99")
                    )
                    + f", {statistics.median(f.cpu_ms for f in figures):.1f}"
                    + f", {sum(f.errors for f in figures)}",
                )
            )
        for mine, other, target in (
            (MINSHENG, BARE, "target ≥ 0.6"),
            (MINSHENG, HELPDESK, "target ≥ 3"),
            (REJECTED, BARE, "the stack's own ceiling"),
        ):
            ratio = f"intake c={concurrency} {mine} / {other} ({target})"
            theirs = runs.get((other, concurrency))
            if theirs is None:
                rows.append((ratio, "n/a"))
                continue
            ours = runs[(mine, concurrency)]
            ratios = [m.per_second / o.per_second for m, o in zip(ours, theirs, strict=True)]
            rows.append((ratio, _spread(ratios, 2)))
    rows.append(
        (
            "Minsheng memory per web worker after the run, MB: PSS (target ≤ 250) / RSS / "
            "USS (the largest worker)",
            " / ".join(f"{value:.0f}" for value in memory),
        )
    )
    return rows


def _workers_memory(master_pid: int) -> tuple[float, float, float]:
    """The largest gunicorn worker's proportional, resident and unique memory in MB. The
    routing model is loaded in the master before forking (deploy/gunicorn.conf.py), so its
    pages are shared: RSS counts them whole in every worker, USS leaves them out, PSS
    counts the worker's share of them. The sum of the processes' PSS is what the machine
    holds, so PSS is what a worker costs, and what the target is read against."""
    import psutil

    largest = max(
        (child.memory_full_info() for child in psutil.Process(master_pid).children()),
        key=lambda info: info.pss,
    )
    mb = 2**20
    return largest.pss / mb, largest.rss / mb, largest.uss / mb


def main() -> None:
    rows = run()
    width = max(len(name) for name, _ in rows)
    for name, figure in rows:
        print(f"{name:<{width}}  {figure}")


if __name__ == "__main__":
    main()

"""`scripts/serve` (make serve) starts the production set-up on 127.0.0.1: PostgreSQL,
Redis, gunicorn with WhiteNoise, an RQ worker and the watch; it answers pages and hashed,
compressed static files, serves no stored file by URL, and stops everything on a signal."""

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.production.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
READY_SECONDS = 600  # about 35 s on an idle 2-core machine; a guard against a hang

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="runs once, in the SQLite pass: it starts its own PostgreSQL",
    ),
    pytest.mark.skipif(
        not shutil.which("redis-server"), reason="redis-server is not installed (make redis)"
    ),
    pytest.mark.skipif(
        not (shutil.which("initdb") or Path("/usr/lib/postgresql/15/bin/initdb").exists()),
        reason="the PostgreSQL 15 server binaries are not installed",
    ),
]


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http://127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_serve_answers_pages_and_static_files_and_stops_everything_on_a_signal(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.pop("MINSHENG_SERVE_INSIDE", None)
    with log.open("w") as out:
        serve = subprocess.Popen(
            [str(ROOT / "scripts" / "serve"), "--port", str(port), "--demo-cases", "0"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        started = time.monotonic()
        while "is serving on" not in log.read_text():
            assert serve.poll() is None, log.read_text()
            assert time.monotonic() - started < READY_SECONDS, log.read_text()
            time.sleep(0.5)
        banner = log.read_text()
        assert f"http://127.0.0.1:{port}/" in banner
        assert "minsheng-demo" in banner

        site = f"http://127.0.0.1:{port}"
        status, headers, body = fetch(f"{site}/work/login/")
        assert status == 200
        assert headers["Server"] == "gunicorn"
        page = body.decode()
        # collectstatic's hashed name, served by WhiteNoise, compressed, cached for good.
        css = re.search(r'href="(/static/minsheng\.[0-9a-f]{12}\.css)"', page)
        assert css, page
        status, headers, _body = fetch(f"{site}{css.group(1)}", **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]
        # Stored files have no URL: only the access-checked views send them.
        assert fetch(f"{site}/media/cases/x.pdf")[0] == 404
        # A demo login reaches the workbench (sessions in PostgreSQL, rate limits in Redis).
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        login = browser.open(f"{site}/work/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)
        assert token, login
        fields = {"csrfmiddlewaretoken": token.group(1), "username": "handler"}
        fields["password"] = "minsheng-demo"
        form = urllib.parse.urlencode(fields).encode()
        with browser.open(f"{site}/work/login/", data=form, timeout=10) as answer:
            assert answer.url.startswith(f"{site}/work/")
            assert "/login/" not in answer.url
    finally:
        os.kill(serve.pid, signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            raise
    # Nothing left behind: the port is free again and no process of the group remains.
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)  # noqa: S310
    with pytest.raises(ProcessLookupError):
        os.killpg(serve.pid, 0)

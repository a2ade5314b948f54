"""gunicorn's configuration for Minsheng (README "Running in production").

    gunicorn -c deploy/gunicorn.conf.py minsheng.wsgi

Read from the environment (the systemd unit's EnvironmentFile, or scripts/serve):
GUNICORN_BIND (default 127.0.0.1:8000; a unix:/path socket works too), GUNICORN_WORKERS
(default 2 x CPUs + 1, at most 8), GUNICORN_TIMEOUT (seconds, default 60),
GUNICORN_MAX_REQUESTS (default 2000; 0 turns worker recycling off).

The application is loaded once, in the master, before the workers are forked
(`preload_app`), and the routing model is loaded there too (`when_ready`): the workers share
those pages copy-on-write instead of each reading the model from disk.
"""

import gc
import logging
import os
from typing import Any

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Sync workers: every request is short (pages, API calls, streamed downloads) and the
# database is the limit; two per core plus one keeps the CPUs busy while others wait on it.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 8)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5  # behind nginx, which keeps its upstream connections open
# Restart a worker after this many requests (spread by the jitter so that they do not all
# restart at once): a slow leak in a library never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max(max_requests // 10, 0)
preload_app = True
# Headers from nginx (X-Forwarded-Proto, X-Forwarded-For) are trusted from these addresses
# only; Django's own rule for the client address is MINSHENG_TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access log to stdout (journald under systemd): client, request, status, size, duration in
# microseconds, referer and user agent.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(f)s" "%(a)s"'
proc_name = "minsheng-web"


def when_ready(server: Any) -> None:
    """In the master, after the application is loaded and before any worker is forked:
    import the views (the URLconf) and load the routing model, close the database connection
    this opened (a forked worker must never share it), and freeze what is loaded so the
    workers' garbage collector leaves those pages shared and never walks them (a full pass
    over them took 110-120 ms, one request in twenty)."""
    from django.db import connections
    from django.urls import get_resolver

    from minsheng.routing.selectors import router_active

    get_resolver().url_patterns  # noqa: B018 - imports every view here, not in each worker
    try:
        version, _router = router_active()
        server.log.info("routing model %s loaded before forking the workers", version)
    except Exception:  # the workers load it on first use instead; say why
        logging.getLogger("minsheng").exception("routing model not preloaded")
    finally:
        connections.close_all()
    gc.freeze()

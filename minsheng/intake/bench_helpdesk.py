"""django-helpdesk 2.6.1's ticket API as the third side of the HTTP intake bench
(`minsheng.intake.bench_http`): the general ticketing app issue 14 compares Minsheng with.

Nothing of it is installed in the project: at bench time a venv of its own is built outside
the repository, in `MINSHENG_BENCH_CACHE` (default ~/.cache/minsheng-bench) under a name
that carries the pins' hash, and reused while the pins are unchanged. It holds
django-helpdesk==2.6.1 with every dependency pinned (`REQUIREMENTS`, from PyPI), the same
Django, Django REST framework, gunicorn and psycopg as the project's. Without the network the
install fails, and the bench says so in its row and goes on.

The project written to the bench's temp dir is django-helpdesk's minimal set-up: its apps,
the usual middleware, DEBUG off, mail to a dummy backend (the ticket's e-mails are still
rendered, not sent), its API on (`HELPDESK_API_ENABLED`, the default) with DRF token
authentication (one keyed lookup per request; basic auth would hash the password on every
request), a queue, and a staff API user (its API lets only staff create tickets). The
database engine is the bench's: a SQLite file in WAL mode, or a database of its own on the
same PostgreSQL server (its tables would collide with Minsheng's), connections kept
(CONN_MAX_AGE=60). Served by gunicorn with 2 sync workers as the bare insert is.
"""

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

# `pip freeze` of a venv with django-helpdesk==2.6.1 and the project's Django, DRF, gunicorn
# and psycopg pins.
REQUIREMENTS = """\
asgiref==3.13.0
beautifulsoup4==4.15.0
certifi==2026.10.19.post1
charset-normalizer==3.5.3
Django==5.2.19
django-cleanup==9.0.0
django-helpdesk==2.6.1
django-model-utils==5.0.0
djangorestframework==3.18.3
email-reply-parser==0.5.12
gunicorn==27.0.1
idna==3.21
Markdown==3.11.3
nh3==0.3.8
oauthlib==4.0.1
psycopg==3.3.9
psycopg-binary==3.3.9
requests==2.34.2
requests-oauthlib==2.0.0
soupsieve==4.1.4
sqlparse==0.6.1
typing_extensions==4.16.0
urllib3==2.8.0
"""
INSTALL_SECONDS = 600

SETTINGS = """
import json
import os

SECRET_KEY = "helpdesk-bench-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
ROOT_URLCONF = "helpdesk_urls"
SITE_ID = 1
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_ROOT = os.environ["HELPDESK_MEDIA"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@example.com"
LOGIN_URL = "/login/"
HELPDESK_TEAMS_MODE_ENABLED = False
HELPDESK_API_ENABLED = True
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
DATABASES = {"default": json.loads(os.environ["HELPDESK_DATABASE"])}
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
"""

URLS = """
from django.urls import include, path

urlpatterns = [path("", include("helpdesk.urls", namespace="helpdesk"))]
"""

# Prints the queue's id and the API user's token.
SETUP = """
import json
import django
django.setup()
from django.contrib.auth import get_user_model
from helpdesk.models import Queue
from rest_framework.authtoken.models import Token
queue, _ = Queue.objects.get_or_create(
    slug="complaints", defaults={"title": "Complaints", "allow_public_submission": True}
)
user, _ = get_user_model().objects.get_or_create(
    username="bench-api", defaults={"is_staff": True, "is_superuser": True}
)
token, _ = Token.objects.get_or_create(user=user)
print(json.dumps({"queue": queue.pk, "token": token.key}))
"""


def venv_dir() -> Path:
    """Where the venv lives: named by the pins' hash, so a change of pins builds a new one."""
    cache = Path(
        os.environ.get("MINSHENG_BENCH_CACHE") or Path.home() / ".cache" / "minsheng-bench"
    )
    digest = hashlib.sha256(REQUIREMENTS.encode()).hexdigest()[:12]
    return cache / f"helpdesk-venv-{digest}"


def venv_python(python: str) -> Path:
    """The venv's interpreter, building the venv with `python` (-m venv) when it is missing.
    Raises RuntimeError saying why when it cannot be built (no network, most often)."""
    venv = venv_dir()
    interpreter = venv / "bin" / "python"
    if (venv / ".installed").exists():
        return interpreter
    venv.parent.mkdir(parents=True, exist_ok=True)
    requirements = venv.parent / f"{venv.name}.txt"
    requirements.write_text(REQUIREMENTS)
    steps = [
        [python, "-m", "venv", "--clear", str(venv)],
        [
            str(interpreter),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            "--no-input",
            "--require-virtualenv",
            "-r",
            str(requirements),
        ],
    ]
    for step in steps:
        try:
            subprocess.run(  # noqa: S603 - python -m venv / the venv's own pip
                step, capture_output=True, text=True, check=True, timeout=INSTALL_SECONDS
            )
        except subprocess.CalledProcessError as error:
            lines = [line for line in (error.stderr or "").splitlines() if "ERROR" in line]
            raise RuntimeError((lines or [f"{step[2]} exited {error.returncode}"])[-1]) from None
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"pip install took over {INSTALL_SECONDS} s") from None
    (venv / ".installed").write_text(REQUIREMENTS)
    return interpreter


def database(tmp: Path) -> dict[str, Any]:
    """Django's DATABASES entry for helpdesk: a SQLite file in WAL mode in `tmp`, or a fresh
    database `<name>_helpdesk` on DATABASE_URL's PostgreSQL server."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(tmp / "helpdesk.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    import environ
    import psycopg

    config: dict[str, Any] = environ.Env.db_url_config(url)
    name = f"{config['NAME']}_helpdesk"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": config.get("USER", ""),
        "PASSWORD": config.get("PASSWORD", ""),
        "HOST": config.get("HOST", ""),
        "PORT": str(config.get("PORT", "")),
    }


def prepare(tmp: Path, python: str) -> tuple[str, Path, dict[str, str], int]:
    """Write the helpdesk project into `tmp`/helpdesk, migrate it and make its queue and API
    user; returns (the venv's interpreter, the project dir, the environment to serve it with,
    holding the API user's token as HELPDESK_TOKEN, and the queue's id)."""
    interpreter = str(venv_python(python))
    where = tmp / "helpdesk"
    (where / "media").mkdir(parents=True)
    (where / "helpdesk_settings.py").write_text(SETTINGS)
    (where / "helpdesk_urls.py").write_text(URLS)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp)),
        "DJANGO_SETTINGS_MODULE": "helpdesk_settings",
        "PYTHONPATH": str(where),
        "HELPDESK_MEDIA": str(where / "media"),
        "HELPDESK_DATABASE": json.dumps(database(tmp)),
    }
    try:
        for command in (["-m", "django", "migrate", "--noinput", "-v0"], ["-c", SETUP]):
            answer = subprocess.run(  # noqa: S603 - the helpdesk venv's interpreter
                [interpreter, *command],
                cwd=where,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"helpdesk set-up failed: {(error.stderr or '')[-1500:]}") from None
    made = json.loads(answer.stdout.strip().splitlines()[-1])
    return interpreter, where, {**env, "HELPDESK_TOKEN": made["token"]}, int(made["queue"])

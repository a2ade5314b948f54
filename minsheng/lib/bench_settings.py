"""The settings a benchmark runs Minsheng with: production's (DEBUG off, keys made up for
the run, no HTTPS redirect on 127.0.0.1), so its figures are what a deployment sees. With
DEBUG on, every template node keeps its debug information and every query is recorded:
a case list page took about twice as long."""

import base64
import os


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def production_environment() -> dict[str, str]:
    """Environment variables for settings.py: DEBUG off, with the keys it then requires."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": _key(),
        "HASH_KEY": _key(),
        "FIELD_ENCRYPTION_KEYS": f"bench:{_key()}",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        # The bench logs its users in without a second factor (the client's force_login);
        # a supervisor in production has given one, so their pages are what is timed.
        "MINSHENG_OTP_REQUIRED_ROLES": "",
    }


def static_files_collect() -> None:
    """With DEBUG off, pages name their static files from the manifest collectstatic writes
    (into the benchmark's own MINSHENG_VAR_DIR)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)

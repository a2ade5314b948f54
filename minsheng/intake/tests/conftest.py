"""Fixtures for intake: uploads in a temporary directory, and a running mail receiver."""

import smtplib
import socket
from collections.abc import Iterator

import pytest

from minsheng.intake.channels.email import receiver_controller
from minsheng.intake.services.mail import inbound_mail_receive

COMPLAINT_ADDRESS = "complaints@12345.test"
MAIL_DOMAIN = "12345.test"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_receiver(transactional_db, settings) -> Iterator[tuple[str, int]]:
    """The SMTP receiver of `manage.py mail_receive`, on a free local port. Committed data
    (transactional_db) so the receiver's thread and the test see the same rows."""
    settings.MINSHENG_COMPLAINT_ADDRESS = COMPLAINT_ADDRESS
    settings.MINSHENG_MAIL_DOMAIN = MAIL_DOMAIN
    controller = receiver_controller(
        host="127.0.0.1", port=free_port(), receive=inbound_mail_receive
    )
    controller.start()
    try:
        yield controller.hostname, controller.port
    finally:
        controller.stop()


@pytest.fixture
def send(mail_receiver):
    """Send raw bytes or an EmailMessage over SMTP; returns what the server refused."""

    def send_mail(message, *, mail_from: str = "citizen@example.cn", to=COMPLAINT_ADDRESS):
        host, port = mail_receiver
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            if isinstance(message, bytes):
                return smtp.sendmail(mail_from, [to], message)
            return smtp.send_message(message, from_addr=mail_from, to_addrs=[to])

    return send_mail

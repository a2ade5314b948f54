"""Run the e-mail receiver: SMTP (or LMTP) on host:port; mail to the complaint address
becomes cases (see minsheng/intake/channels/email.py)."""

import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from minsheng.intake.channels.email import receiver_controller
from minsheng.intake.services.mail import inbound_mail_receive


class Command(BaseCommand):
    help = "Receive complaint e-mail over SMTP or LMTP and turn it into cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8025, help="port to listen on")
        parser.add_argument(
            "--lmtp", action="store_true", help="speak LMTP (an MTA's local delivery transport)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        controller = receiver_controller(
            host=options["host"],
            port=options["port"],
            lmtp=options["lmtp"],
            receive=inbound_mail_receive,
        )
        controller.start()
        protocol = "LMTP" if options["lmtp"] else "SMTP"
        self.stdout.write(
            f"Receiving {protocol} on {options['host']}:{options['port']} for "
            f"{settings.MINSHENG_COMPLAINT_ADDRESS} and @{settings.MINSHENG_MAIL_DOMAIN}. "
            "Stop with Ctrl-C."
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()

"""Ways to deliver a message: the log (development), SMTP (email), an HTTP gateway (SMS, WhatsApp).

Which one a channel uses comes from the settings (``sender_for``). A sender raises
``SendError`` when delivery failed and may be tried again later.
"""

from __future__ import annotations

import http.client
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from webapp.outbox.models import EMAIL, OutboxMessage

logger = logging.getLogger("loket.outbox")


class SendError(Exception):
    """Delivery failed; the message stays in the outbox for a later attempt."""


class Sender(Protocol):
    """Delivers one message or raises SendError; ``delivers`` is False for the log (nothing reaches anyone)."""

    delivers: bool

    def send(self, message: OutboxMessage) -> None: ...


class LogSender:
    """No sender set for the channel: the message is written to the log (recipient masked) and not delivered.

    ``deliver_due`` marks such a message ``NO_SENDER``, never sent: staff see it at
    /admin/outbox, and it goes out once SMTP_HOST or MESSAGE_GATEWAY_URL is set.
    """

    delivers = False

    def send(self, message: OutboxMessage) -> None:
        """Log that the message waits (WARNING: a citizen is waiting for it).

        Not its body: bodies carry tracking codes and staff replies that may name the
        citizen. The message stays in the outbox and goes out once a sender is set.
        """
        logger.warning(
            "outbox #%s NOT SENT, no %s sender (set %s): %s to %s, topic %s, reference %s",
            message.id,
            message.channel,
            "SMTP_HOST" if message.channel == EMAIL else "MESSAGE_GATEWAY_URL",
            message.channel,
            message.masked_recipient,
            message.topic or "-",
            message.reference or "-",
        )


class SmtpSender:
    """Email through an SMTP server (STARTTLS or SSL, optional login)."""

    delivers = True

    def __init__(self, config: dict) -> None:
        self.host: str = config["SMTP_HOST"]
        self.port: int = config["SMTP_PORT"]
        self.username: str = config["SMTP_USERNAME"]
        self.password: str = config["SMTP_PASSWORD"]
        self.security: str = config["SMTP_SECURITY"]
        self.timeout: float = config["SMTP_TIMEOUT"]
        self.sender: str = config["MAIL_FROM"]

    def send(self, message: OutboxMessage) -> None:
        """Send one email; any SMTP or network error becomes SendError."""
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject or "Pemberitahuan"
        email["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        email.set_content(message.body)
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:  # its text quotes the address: keep only the codes
            codes = ", ".join(str(code) for code, _ in error.recipients.values())
            raise SendError(f"SMTP {self.host}:{self.port}: alamat penerima ditolak ({codes})") from error
        except (OSError, smtplib.SMTPException) as error:
            raise SendError(f"SMTP {self.host}:{self.port}: {error}") from error


class HttpGatewaySender:
    """SMS or WhatsApp through an HTTP gateway: POST JSON {channel, to, text}, any 2xx is success.

    Most Indonesian SMS/WhatsApp gateways take such a request, or a small adapter in front
    of them does; the token goes in ``Authorization: Bearer``.
    """

    delivers = True

    def __init__(self, config: dict) -> None:
        self.url: str = config["MESSAGE_GATEWAY_URL"]
        self.token: str = config["MESSAGE_GATEWAY_TOKEN"]
        self.timeout: float = config["SMTP_TIMEOUT"]

    def send(self, message: OutboxMessage) -> None:
        """POST the message; a non-2xx answer or a network error becomes SendError."""
        payload = json.dumps({"channel": message.channel, "to": message.recipient, "text": message.body}).encode()
        request = urllib.request.Request(self.url, data=payload, method="POST")  # noqa: S310 (URL from settings)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                answer.read()
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
            raise SendError(f"gateway: {type(error).__name__}: {error}") from error


def has_sender(channel: str, config: dict) -> bool:
    """Whether a message on ``channel`` can reach anyone under the current settings."""
    return bool(config["SMTP_HOST"] if channel == EMAIL else config["MESSAGE_GATEWAY_URL"])


def sender_for(channel: str, config: dict) -> Sender:
    """The sender a channel uses under the current settings."""
    if not has_sender(channel, config):
        return LogSender()
    return SmtpSender(config) if channel == EMAIL else HttpGatewaySender(config)

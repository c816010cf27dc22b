"""A real IMAP server for the mailbox tests: pymap with its in-memory backend.

The server runs as a subprocess on 127.0.0.1 and a free port; tests deliver
messages with IMAP APPEND and read flags back over IMAP, so the reader is
tested against a server's real answers, never a mock of imaplib.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from imap_tools import MailBoxUnencrypted

HOST = "127.0.0.1"
USER = "prensa@upme.gov.co"
PASSWORD = "clave-del-buzon-1"
START_TIMEOUT = 15.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class ImapServer:
    def __init__(self, password: str = PASSWORD) -> None:
        self.password = password
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # Lives as long as the server; closed in stop().
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 -- see above

    def start(self) -> None:
        # The interpreter running the tests, so no PATH or script lookup.
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from pymap.main import main; main()",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--no-service",
                "admin",
                "dict",
                "--demo-user",
                USER,
                "--demo-password",
                self.password,
            ],
            stdout=subprocess.DEVNULL,
            # A file, not a pipe: an undrained pipe could block the server.
            stderr=self.log,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = (
                    self.process.stderr.read().decode() if self.process.stderr else ""
                )
                raise RuntimeError(f"pymap exited: {error}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("pymap did not start listening in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def config(self, **overrides: object) -> dict:
        """A mailbox source's config pointing at this server."""
        config = {
            "host": HOST,
            "port": self.port,
            "ssl": False,
            "username": USER,
            "password": self.password,
            "allowed_senders": ["boletin@energiahoy.example", "@minas.example"],
        }
        config.update(overrides)
        return config

    def mailbox(self) -> MailBoxUnencrypted:
        mailbox = MailBoxUnencrypted(HOST, self.port, timeout=5)
        if self.password.isascii():
            return mailbox.login(USER, self.password)
        return mailbox.login_utf8(USER, self.password)

    def clear(self) -> None:
        with self.mailbox() as mailbox:
            uids = mailbox.uids()
            if uids:
                mailbox.delete(uids)

    def deliver(self, message: EmailMessage | bytes) -> None:
        """Append a message, or its raw bytes as some sender wrote them."""
        raw = message if isinstance(message, bytes) else message.as_bytes()
        with self.mailbox() as mailbox:
            mailbox.append(raw, "INBOX", dt=None, flag_set=())

    def message_ids(self, criteria: str) -> list[str]:
        """The Message-IDs of the messages matching an IMAP search."""
        with self.mailbox() as mailbox:
            return [
                message.headers["message-id"][0]
                for message in mailbox.fetch(
                    criteria, mark_seen=False, headers_only=True
                )
            ]


def newsletter(
    *,
    sender: str,
    subject: str,
    html: str = "",
    text: str = "",
    date: datetime | None = None,
    message_id: str = "",
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = USER
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="energiahoy.example")
    if date:
        message["Date"] = format_datetime(date)
    message.set_content(text or "Este boletín se lee mejor en HTML.")
    if html:
        message.add_alternative(html, subtype="html")
    return message

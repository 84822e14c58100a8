"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, in a thread of its own.

Whatever arrives is kept with its envelope (MAIL FROM, the accepted RCPT TOs) and parsed into an
`EmailMessage` (policy `default`), so a test reads subjects, headers and both parts as a mail
program would. Recipients given to `reject` are refused at RCPT with a 550, the way a relay reports
an unknown mailbox; the mail still goes to the other recipients of the same transaction.

    def test_sends(smtp_server: MailServer) -> None:
        send(host=smtp_server.host, port=smtp_server.port, ...)
        [mail] = smtp_server.wait_for(1)

The fixture is `smtp_server` (one server per test); register it in tests/conftest.py with
`from mail_server import smtp_server_fixture  # noqa: F401`. Outside pytest, `with MailServer()
as server:` does the same. The server runs its own event loop in its own thread, so `wait_for`
may block; a test whose sender runs as a task in the test's own event loop awaits
`wait_for_async` instead, which lets that task run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from survey.settings import Settings

__all__ = ["MailServer", "ReceivedMail", "relay_settings", "smtp_server_fixture"]

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server accepted it."""

    mail_from: str
    #: the recipients the server accepted for this message (refused ones are not among them)
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @functools.cached_property
    def message(self) -> EmailMessage:
        """The message parsed as a mail program would (on first use: parsing every one of 1,000
        mails as it arrives would slow the sender under test)."""
        return cast(EmailMessage, message_from_bytes(self.raw, policy=policy.default))

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


class _Handler:
    """aiosmtpd's handler hooks: refuse listed recipients, keep every message."""

    def __init__(self, server: MailServer) -> None:
        self._server = server

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self._server.refuses(address):
            self._server._note_refusal(address)
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = cast(bytes, envelope.original_content or envelope.content)
        self._server._keep(ReceivedMail(envelope.mail_from or "", tuple(envelope.rcpt_tos), raw))
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """aiosmtpd's controller on port 0: the system picks a free port, read back once bound."""

    def _trigger_server(self) -> None:
        # `server` is bound by now (the controller waits for it before triggering); the base class
        # connects to `self.port` to check that the server answers, so it must be the real one.
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class MailServer:
    """An SMTP server on 127.0.0.1 that keeps every message; `start()`/`stop()` or `with`."""

    def __init__(self, reject: Iterable[str] = ()) -> None:
        self.host = HOST
        self.port = 0
        self._rejected = {address.lower() for address in reject}
        self._received: list[ReceivedMail] = []
        self._refused: list[str] = []
        self._changed = threading.Condition()
        self._controller = _Controller(
            _Handler(self), hostname=HOST, port=0, enable_SMTPUTF8=True, ready_timeout=10.0
        )

    # --- running --------------------------------------------------------------------------------

    def start(self) -> MailServer:
        self._controller.start()
        self.port = self._controller.port
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # --- what the test sets -----------------------------------------------------------------------

    def reject(self, *addresses: str) -> None:
        """Refuse these recipients from now on with 550 (case does not matter)."""
        with self._changed:
            self._rejected.update(address.lower() for address in addresses)

    def refuses(self, address: str) -> bool:
        with self._changed:
            return address.lower() in self._rejected

    def clear(self) -> None:
        """Forget what has arrived and been refused so far."""
        with self._changed:
            self._received.clear()
            self._refused.clear()

    # --- what the test reads ----------------------------------------------------------------------

    def messages(self) -> list[ReceivedMail]:
        """Every message received so far, in order of arrival (a copy of the list)."""
        with self._changed:
            return list(self._received)

    def to(self, address: str) -> list[ReceivedMail]:
        """The messages accepted for `address` (envelope recipient, case does not matter)."""
        wanted = address.lower()
        return [mail for mail in self.messages() if wanted in (r.lower() for r in mail.rcpt_tos)]

    def refused(self) -> list[str]:
        """Every recipient refused with 550 so far, once per attempt."""
        with self._changed:
            return list(self._refused)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """Block until at least `count` messages have arrived and return them; after `timeout`
        seconds fail the test, saying how many came."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"expected {count} mails within {timeout} s, {len(self._received)} arrived")
                self._changed.wait(left)
            return list(self._received)

    # A deadline of its own rather than asyncio.timeout: on failure it says how many mails came.
    async def wait_for_async(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:  # noqa: ASYNC109
        """`wait_for` for a test whose sender runs in the test's own event loop."""
        deadline = time.monotonic() + timeout
        while len(received := self.messages()) < count:
            if time.monotonic() >= deadline:
                pytest.fail(f"expected {count} mails within {timeout} s, {len(received)} arrived")
            await asyncio.sleep(0.02)
        return received

    # --- called by the handler, in the server's thread ----------------------------------------------

    def _keep(self, mail: ReceivedMail) -> None:
        with self._changed:
            self._received.append(mail)
            self._changed.notify_all()

    def _note_refusal(self, address: str) -> None:
        with self._changed:
            self._refused.append(address)

    def __repr__(self) -> str:
        return f"<MailServer {self.host}:{self.port}, {len(self.messages())} mails>"


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[MailServer]:
    """A running `MailServer` for one test; `smtp_server.reject(...)` sets refused recipients."""
    with MailServer() as server:
        yield server


def relay_settings(settings: Settings, server: MailServer, *, rate: int = 600_000) -> Settings:
    """`settings` with `server` as the Kommune's relay (no TLS on 127.0.0.1) and a rate that does
    not slow a test down."""
    return dataclasses.replace(
        settings,
        smtp_host=server.host,
        smtp_port=server.port,
        smtp_security="none",
        mail_from="Befragung Lindenau <befragung@lindenau.example>",
        mail_rate=rate,
    )

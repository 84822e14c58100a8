"""The test SMTP server itself (tests/mail_server.py): what a client sends arrives, refused
recipients get a 550 and the rest of the same mail still arrives."""

from __future__ import annotations

import smtplib
import threading
from email.message import EmailMessage

import aiosmtplib
import pytest
from mail_server import MailServer, smtp_server_fixture  # noqa: F401  (the fixture, for this module)

REFUSED = "niemand@lindenau.de"


def _mail(subject: str, to: list[str], body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Befragung <umfrage@lindenau.de>"
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    return message


async def test_mails_arrive_and_refused_recipients_get_550(smtp_server: MailServer) -> None:
    smtp_server.reject(REFUSED)
    first = _mail("Einladung für Grünflächen", ["anna@lindenau.de", REFUSED], "Grüße aus dem Rathaus")
    errors, _ = await aiosmtplib.send(first, hostname=smtp_server.host, port=smtp_server.port)
    assert set(errors) == {REFUSED}
    assert errors[REFUSED].code == 550

    second = _mail("Erinnerung", ["bernd@lindenau.de"], "Noch bis Freitag")
    await aiosmtplib.send(second, hostname=smtp_server.host, port=smtp_server.port)

    mails = await smtp_server.wait_for_async(2)
    assert [m.subject for m in mails] == ["Einladung für Grünflächen", "Erinnerung"]
    assert mails[0].mail_from == "umfrage@lindenau.de"
    assert mails[0].rcpt_tos == ("anna@lindenau.de",)
    assert mails[0].message.get_content().strip() == "Grüße aus dem Rathaus"
    assert [m.subject for m in smtp_server.to("BERND@lindenau.de")] == ["Erinnerung"]
    assert smtp_server.to(REFUSED) == []
    assert smtp_server.refused() == [REFUSED]


async def test_a_mail_only_to_refused_recipients_is_refused(smtp_server: MailServer) -> None:
    smtp_server.reject(REFUSED)
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await aiosmtplib.send(
            _mail("Einladung", [REFUSED], "x"), hostname=smtp_server.host, port=smtp_server.port
        )
    assert smtp_server.messages() == []


def test_wait_for_blocks_until_the_mails_are_there_and_fails_when_they_are_not() -> None:
    with MailServer() as server:
        assert server.port > 0

        def send() -> None:
            with smtplib.SMTP(server.host, server.port) as client:
                client.send_message(_mail("Aus einem Thread", ["carla@lindenau.de"], "Hallo"))

        thread = threading.Thread(target=send)
        thread.start()
        [mail] = server.wait_for(1, timeout=10)
        thread.join()
        assert mail.rcpt_tos == ("carla@lindenau.de",)
        with pytest.raises(pytest.fail.Exception, match=r"expected 2 mails within 0\.1 s, 1 arrived"):
            server.wait_for(2, timeout=0.1)

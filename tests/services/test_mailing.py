"""Invitations and reminders by e-mail against a real SMTP server (aiosmtpd on 127.0.0.1), on
SQLite and PostgreSQL: each address gets its invitation once, also with two senders at work;
reminders come on their days and never at weekends; in mode nur offene Codes only those whose code
is unused get one; addresses go when they are no longer needed."""

from __future__ import annotations

import asyncio
import datetime as dt
import quopri
import re
from pathlib import Path

import pytest
from mail_server import MailServer, relay_settings

from survey.services.answering import answer, new_submission_key
from survey.services.mailing import (
    AddressListError,
    mail_overview,
    release,
    send_due,
    stop_mails,
    take_address_list,
)
from survey.services.waves import close_wave, create_wave, open_wave
from survey.store.engine import fetch_tuples
from survey.store.tables import TABLES
from survey.store.waves import get_wave

UNITS = ("jugendamt", "asd", "kita-verwaltung")
#: a Thursday: 2 days on is a Saturday (moves to Monday the 7th), 7 days on the Thursday after
THURSDAY = dt.date(2026, 12, 3)
CODE = re.compile(r"/i/([A-Z0-9-]{10,})")


def text_of(mail) -> str:  # type: ignore[no-untyped-def]
    """The mail as its reader sees the text (quoted-printable undone), without parsing it whole:
    1,000 mails parsed with the e-mail package's header registry take seconds."""
    return quopri.decodestring(mail.raw).decode("utf-8", "replace")


def address_list(count: int, *, header: str = "einheit;email;sprache") -> str:
    rows = [header]
    for i in range(count):
        rows.append(f"{UNITS[i % 3]};person{i:04d}@lindenau.example;{'en' if i % 10 == 0 else 'de'}")
    return "\n".join(rows) + "\n"


def mail_settings(field, server: MailServer):  # type: ignore[no-untyped-def]
    return relay_settings(field.settings, server)


async def mail_wave(field, approve, key: str, *, mode: str = "all", days=(2, 7), opens=THURSDAY):  # type: ignore[no-untyped-def]
    await create_wave(
        key=key,
        questionnaires=field.questionnaires,
        questionnaire="staff-pulse",
        version=None,
        units=list(UNITS),
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=27),
        reminder_mode=mode,
        reminder_days=tuple(days),
    )
    await approve(key, field.questionnaires)
    await open_wave(key, opens, field.questionnaires)


async def send_all(settings, today: dt.date, worker: str = "w1") -> None:  # type: ignore[no-untyped-def]
    for _ in range(2000):
        run = await send_due(settings, worker=worker, today=today)
        assert not run.relay_problem
        if run.held and not run.remaining:
            return
        if not run.held:  # another sender is at work
            await asyncio.sleep(0.01)
    raise AssertionError("the mails did not go out")


async def database_text() -> str:
    """Every row of every table as text (what a look into the database would find)."""
    parts = []
    for table in TABLES:
        for row in await fetch_tuples(f"SELECT * FROM {table._meta.tablename}"):
            parts.append(" ".join(str(v) for v in row))
    return "\n".join(parts)


async def test_500_addresses_in_three_units_get_one_invitation_each_with_two_senders(
    field, approve, smtp_server: MailServer
) -> None:  # type: ignore[no-untyped-def]
    settings = mail_settings(field, smtp_server)
    await mail_wave(field, approve, "mail-puls")
    taken = await take_address_list(settings, "mail-puls", address_list(500), by="buero", today=THURSDAY)
    assert taken.added == {"jugendamt": 167, "asd": 167, "kita-verwaltung": 166} and taken.known == 0
    # the same list again: nothing new, no second code
    again = await take_address_list(settings, "mail-puls", address_list(500), by="buero", today=THURSDAY)
    assert again.added == {} and again.known == 500

    await asyncio.gather(send_all(settings, THURSDAY, "host-a"), _second_sender(settings))
    mails = smtp_server.messages()
    assert len(mails) == 500
    receivers = sorted(to for mail in mails for to in mail.rcpt_tos)
    assert receivers == sorted(f"person{i:04d}@lindenau.example" for i in range(500))
    codes = {CODE.search(text_of(mail)).group(1) for mail in mails}  # type: ignore[union-attr]
    assert len(codes) == 500  # each its own code
    english = next(m for m in mails if m.rcpt_tos == ("person0010@lindenau.example",))
    german = next(m for m in mails if m.rcpt_tos == ("person0001@lindenau.example",))
    assert english.subject.startswith("We would like") and not german.subject.startswith("We would like")
    overview = await mail_overview(settings, await get_wave("mail-puls"))
    assert overview.total.invitations.sent == 500 and overview.total.addresses == 500
    assert {u.key: u.invitations.sent for u in overview.units if u.invitations.sent} == {
        "jugendamt": 167,
        "asd": 167,
        "kita-verwaltung": 166,
    }
    # a run with nothing due sends nothing
    await send_all(settings, THURSDAY, "host-a")
    assert len(smtp_server.messages()) == 500


async def _second_sender(settings) -> None:  # type: ignore[no-untyped-def]
    """Another worker on the same schedule: it sends only while it holds the lease."""
    for _ in range(20):
        run = await send_due(settings, worker="host-b", today=THURSDAY)
        assert not run.relay_problem
        await asyncio.sleep(0.01)
    await release("host-b")


async def test_reminders_follow_the_approved_days_and_skip_weekends(
    field, approve, smtp_server: MailServer
) -> None:  # type: ignore[no-untyped-def]
    settings = mail_settings(field, smtp_server)
    await mail_wave(field, approve, "mail-tage", days=(2, 7))
    await take_address_list(settings, "mail-tage", address_list(30), by="buero", today=THURSDAY)
    arrived: dict[dt.date, int] = {}
    for offset in range(0, 14):
        day = THURSDAY + dt.timedelta(days=offset)
        before = len(smtp_server.messages())
        await send_all(settings, day)
        arrived[day] = len(smtp_server.messages()) - before
    assert {day: n for day, n in arrived.items() if n} == {
        THURSDAY: 30,  # the invitations
        dt.date(2026, 12, 7): 30,  # day 2 is a Saturday: the Monday after
        dt.date(2026, 12, 10): 30,  # day 7, a Thursday
    }
    reminders = [m for m in smtp_server.messages() if m.rcpt_tos == ("person0001@lindenau.example",)]
    assert len(reminders) == 3
    # mode an alle: the reminder carries no code; after the last one no address is kept
    assert not CODE.search(text_of(reminders[2]))
    assert await fetch_tuples("SELECT COUNT(*) FROM mail_recipient") == [(0,)] or (
        (await fetch_tuples("SELECT COUNT(*) FROM mail_recipient"))[0][0] == 0
    )


async def test_an_alle_reminds_all_500_and_keeps_no_address_after_the_last_reminder(
    field, approve, smtp_server: MailServer
) -> None:  # type: ignore[no-untyped-def]
    settings = mail_settings(field, smtp_server)
    await mail_wave(field, approve, "mail-alle", days=(7,))
    await take_address_list(settings, "mail-alle", address_list(500), by="buero", today=THURSDAY)
    await send_all(settings, THURSDAY)
    codes = [CODE.search(text_of(m)).group(1) for m in smtp_server.messages()]  # type: ignore[union-attr]
    await _answer(field, settings, codes[:120])
    smtp_server.clear()
    await send_all(settings, THURSDAY + dt.timedelta(days=7))
    assert len(smtp_server.messages()) == 500
    assert all("/i/" not in text_of(m) for m in smtp_server.messages())
    assert (await fetch_tuples("SELECT COUNT(*) FROM mail_recipient"))[0][0] == 0
    text = await database_text()
    assert "lindenau.example" not in text
    with pytest.raises(AddressListError):
        await take_address_list(settings, "mail-alle", address_list(3), by="buero", today=THURSDAY)


async def _answer(field, settings, codes: list[str]) -> None:  # type: ignore[no-untyped-def]
    for code in codes:
        await answer(
            settings,
            "invitation",
            code,
            answers={"fachbereiche-ziehen-mit": "4"},
            language="de",
            submission_key=await new_submission_key(settings),
            today=THURSDAY + dt.timedelta(days=1),
        )


async def test_open_codes_reminds_exactly_those_who_have_not_answered_and_forgets_at_closing(
    field, approve, smtp_server: MailServer, tmp_path: Path, database_engine: str
) -> None:  # type: ignore[no-untyped-def]
    settings = mail_settings(field, smtp_server)
    await mail_wave(field, approve, "mail-offen", mode="open_codes", days=(7,))
    await take_address_list(settings, "mail-offen", address_list(500), by="buero", today=THURSDAY)
    await send_all(settings, THURSDAY)
    by_address = {m.rcpt_tos[0]: CODE.search(text_of(m)).group(1) for m in smtp_server.messages()}  # type: ignore[union-attr]
    answered = sorted(by_address)[:120]
    await _answer(field, settings, [by_address[a] for a in answered])
    smtp_server.clear()
    await send_all(settings, THURSDAY + dt.timedelta(days=7))
    reminded = sorted(to for m in smtp_server.messages() for to in m.rcpt_tos)
    assert reminded == sorted(set(by_address) - set(answered))
    assert len(reminded) == 380
    # each reminder carries the person's own code again
    assert all(CODE.search(text_of(m)).group(1) == by_address[m.rcpt_tos[0]] for m in smtp_server.messages())  # type: ignore[union-attr]
    sealed = [row[0] for row in await fetch_tuples("SELECT sealed FROM mail_recipient")]
    assert len(sealed) == 500

    await close_wave("mail-offen")
    text = await database_text()
    assert (await fetch_tuples("SELECT COUNT(*) FROM mail_recipient"))[0][0] == 0
    assert (await fetch_tuples("SELECT COUNT(*) FROM mail_outbox"))[0][0] == 0
    assert "lindenau.example" not in text
    assert not any(s[:40] in text for s in sealed)
    backup = await _backup(settings, tmp_path, database_engine)
    assert b"lindenau.example" not in backup
    assert not any(s[:40].encode() in backup for s in sealed)


async def _backup(settings, tmp_path: Path, engine: str) -> bytes:  # type: ignore[no-untyped-def]
    from survey.services.backup import backup

    copied = await asyncio.to_thread(backup, settings, tmp_path / f"after-closing.{engine}")
    return copied.path.read_bytes()


async def test_the_stop_link_stops_further_mails(field, approve, smtp_server: MailServer) -> None:  # type: ignore[no-untyped-def]
    settings = mail_settings(field, smtp_server)
    await mail_wave(field, approve, "mail-stopp", days=(7,))
    await take_address_list(settings, "mail-stopp", address_list(5), by="buero", today=THURSDAY)
    await send_all(settings, THURSDAY)
    first = smtp_server.to("person0001@lindenau.example")[0]
    token = re.search(r"/abmelden/([0-9]+-[0-9a-f]+)", text_of(first)).group(1)  # type: ignore[union-attr]
    assert first.message["List-Unsubscribe"].strip("<>").endswith(token)
    assert await stop_mails(settings, token) is True
    assert await stop_mails(settings, token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    smtp_server.clear()
    await send_all(settings, THURSDAY + dt.timedelta(days=7))
    assert sorted(to for m in smtp_server.messages() for to in m.rcpt_tos) == [
        f"person{i:04d}@lindenau.example" for i in (0, 2, 3, 4)
    ]


async def test_refused_addresses_are_counted_per_unit(field, approve, smtp_server: MailServer) -> None:  # type: ignore[no-untyped-def]
    settings = mail_settings(field, smtp_server)
    smtp_server.reject("person0001@lindenau.example", "person0004@lindenau.example")
    await mail_wave(field, approve, "mail-bounce", days=())
    await take_address_list(settings, "mail-bounce", address_list(6), by="buero", today=THURSDAY)
    await send_all(settings, THURSDAY)
    overview = await mail_overview(settings, await get_wave("mail-bounce"))
    assert {u.key: (u.invitations.sent, u.invitations.refused) for u in overview.units if u.addresses} == {
        "jugendamt": (2, 0),
        "asd": (0, 2),
        "kita-verwaltung": (2, 0),
    }


async def test_bad_lists_name_the_line_and_nothing_is_taken(field, approve, smtp_server: MailServer) -> None:  # type: ignore[no-untyped-def]
    settings = mail_settings(field, smtp_server)
    await mail_wave(field, approve, "mail-fehler", days=())
    cases = {
        "PK\x03\x04binary": "not a CSV file",
        "name;vorname\nA;B\n": "line 1: the header row names the columns",
        "einheit;email\njugendamt;kein-at-zeichen\n": "line 2: `kein-at-zeichen` is not an e-mail address",
        "einheit;email\njugendamt;a@x.example\nasd;A@x.example\n": "line 3: `A@x.example` is on line 2",
        "einheit;email\nbauhof;a@x.example\n": "line 2: `bauhof` is not a unit of this wave",
        "einheit;email;sprache\njugendamt;a@x.example;tr\n": "line 2: there is no invitation mail in `tr`",
        "": "the list is empty",
        'einheit;email\njugendamt;"a@x.example\n' + "x" * 200_000: "line 3: a field does not end",
    }
    for text, expected in cases.items():
        with pytest.raises(AddressListError) as refused:
            await take_address_list(settings, "mail-fehler", text, by="buero", today=THURSDAY)
        assert expected in str(refused.value), (text, str(refused.value))
    assert (await fetch_tuples("SELECT COUNT(*) FROM mail_recipient"))[0][0] == 0
    assert (await fetch_tuples("SELECT COUNT(*) FROM invitation"))[0][0] == 0
    # good next to bad: pasted addresses, one per line, for a unit chosen on the page
    taken = await take_address_list(
        settings, "mail-fehler", "a@x.example\nb@x.example\n", by="buero", default_unit="asd", today=THURSDAY
    )
    assert taken.added == {"asd": 2}
    await send_all(settings, THURSDAY)
    assert len(smtp_server.messages()) == 2

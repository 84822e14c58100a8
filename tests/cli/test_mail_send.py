"""The sender as the Kommune's IT runs it, against a real SMTP server: `survey mail send` killed
with SIGKILL in the middle and started again sends the rest and nothing twice; two `survey serve`
workers on the same schedule send each mail once (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from mail_server import MailServer

from survey.services.mailing import take_address_list
from survey.services.waves import create_wave, open_wave
from survey.store.engine import fetch_tuples

ROOT = Path(__file__).resolve().parents[2]
UNITS = ("jugendamt", "asd", "kita-verwaltung")


def _environment(url: str, server: MailServer, rate: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SURVEY_SMTP_HOST": server.host,
        "SURVEY_SMTP_PORT": str(server.port),
        "SURVEY_SMTP_SECURITY": "none",
        "SURVEY_MAIL_FROM": "Befragung Lindenau <befragung@lindenau.example>",
        "SURVEY_MAIL_RATE": str(rate),
        "SURVEY_BASE_URL": "https://umfrage.lindenau.example",
    }


async def _listed_wave(field, approve, key: str, count: int) -> None:  # type: ignore[no-untyped-def]
    today = field.today
    await create_wave(
        key=key,
        questionnaires=field.questionnaires,
        questionnaire="staff-pulse",
        version=None,
        units=list(UNITS),
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=27),
    )
    await approve(key, field.questionnaires)
    await open_wave(key, today, field.questionnaires)
    rows = ["einheit;email"] + [f"{UNITS[i % 3]};kollegin{i:04d}@lindenau.example" for i in range(count)]
    await take_address_list(field.settings, key, "\n".join(rows), by="buero", today=today)


def _sender(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "survey", "mail", "send", "--until-done", "--worker", "it-timer"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _once_each(server: MailServer, count: int) -> None:
    received = Counter(to for mail in server.messages() for to in mail.rcpt_tos)
    assert sorted(received) == sorted(f"kollegin{i:04d}@lindenau.example" for i in range(count))
    assert set(received.values()) == {1}, [a for a, n in received.items() if n > 1]


async def test_a_sender_killed_in_the_middle_sends_the_rest_and_nothing_twice(
    field, approve, smtp_server: MailServer
) -> None:  # type: ignore[no-untyped-def]
    await _listed_wave(field, approve, "mail-absturz", 500)
    env = _environment(field.settings.database_url, smtp_server, rate=6000)
    first = _sender(env)
    try:
        smtp_server.wait_for(180, timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    arrived = len(smtp_server.messages())
    assert 180 <= arrived < 500  # killed in the middle

    again = _sender(env)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    _once_each(smtp_server, 500)
    (uncertain,) = (await fetch_tuples("SELECT SUM(uncertain) FROM mail_tally"))[0]
    assert (uncertain or 0) <= 1  # a mail claimed at the kill counts as sent, never goes twice
    assert "sent" in out


async def test_two_app_workers_on_the_same_schedule_send_each_mail_once(
    field, approve, smtp_server: MailServer, running_server
) -> None:  # type: ignore[no-untyped-def]
    await _listed_wave(field, approve, "mail-zwei", 150)
    env = _environment(field.settings.database_url, smtp_server, rate=12000)
    env.pop("DATABASE_URL")
    extra = {k: v for k, v in env.items() if k.startswith("SURVEY_")}
    with running_server(field.settings.database_url, "--workers", "2", **extra):
        smtp_server.wait_for(150, timeout=90)
        await asyncio.sleep(2)  # anything sent twice would arrive now
    _once_each(smtp_server, 150)

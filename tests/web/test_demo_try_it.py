"""After `survey demo`, the three addresses it prints work through the real app: the service
point's form stores a rating, the invitation link stores a response, the lead signs in and sees
results; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

from litestar.testing import AsyncTestClient
from portal_helpers import sign_in

from survey.services.demo import DemoOptions, build_demo
from survey.services.demo_open import open_demo_waves
from survey.services.demo_users import DEMO_PASSWORD, ensure_demo_users
from survey.settings import Settings
from survey.store import waves as wave_store
from survey.store.tables import Answer, ResponseRow
from survey.web.app import create_app

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


def _key(page: str) -> str:
    match = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert match, "the form carries a submission key"
    return match.group(1)


async def _count(client: AsyncTestClient, wave_key: str) -> int:
    async def call() -> int:
        wave = await wave_store.get_wave(wave_key)
        assert wave is not None
        return await ResponseRow.count().where(ResponseRow.wave == wave.id).run()

    return await asyncio.to_thread(client.blocking_portal.call, call)


async def test_the_three_printed_addresses_work(db: str) -> None:
    # the day the waves run on is the app's today: the forms check their wave against it
    today = dt.date.today()
    settings = Settings(database_url=db, questionnaires=QUESTIONNAIRES, base_url="http://demo.invalid")
    await build_demo(QUESTIONNAIRES, DemoOptions(staff=300, waves=2, citizen_ratings=150, today=today))
    users = [u[0] for u in await ensure_demo_users()]
    try_it = await open_demo_waves(settings, QUESTIONNAIRES, today)
    assert try_it.service_point and try_it.invitation and "leitung-jugendamt" in users
    assert try_it.codes > 20  # as many codes as the Jugendamt's teams have staff
    citizen, staff = (
        (await wave_store.get_wave(try_it.citizen_wave or "")),
        (await wave_store.get_wave(try_it.staff_wave or "")),
    )
    assert citizen and staff and citizen.status == staff.status == "open"
    assert citizen.opens_on <= today <= citizen.closes_on and staff.opens_on <= today <= staff.closes_on

    async with AsyncTestClient(app=create_app(settings)) as client:
        form = urlsplit(try_it.service_point).path
        page = (await client.get(form)).text
        rated = await client.post(
            form,
            data={"submission_key": _key(page), "lang": "de", "gesamturteil": "8"},
            follow_redirects=False,
        )
        assert rated.status_code == 303, rated.text
        assert await _count(client, citizen.key) == 1

        link = urlsplit(try_it.invitation).path
        page = (await client.get(link)).text
        answered = await client.post(
            link,
            data={"submission_key": _key(page), "lang": "de", "fachbereiche-ziehen-mit": "4"},
            follow_redirects=False,
        )
        assert answered.status_code == 303, answered.text
        assert await _count(client, staff.key) == 1
        stored = await asyncio.to_thread(
            client.blocking_portal.call,
            lambda: Answer.select(Answer.value).where(Answer.item == "fachbereiche-ziehen-mit").run(),
        )
        assert {"value": 4} in stored
        assert (await client.get(link)).status_code == 410  # the code is used now

        assert urlsplit(try_it.sign_in).path == "/anmelden"
        client.follow_redirects = False
        await sign_in(client, "leitung-jugendamt", DEMO_PASSWORD)
        results = await client.get("/dashboard/jugendamt")
        assert results.status_code == 200
        # the closed waves' results: scores with one decimal place, e.g. "63,4"
        assert re.search(r"\b\d{2},\d\b", results.text)

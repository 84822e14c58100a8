"""Flood protection of the citizen form: at most SURVEY_FLOOD_LIMIT ratings per service point and
minute, counted in the database; on SQLite and PostgreSQL.

The count is kept per (service point, minute) in the table flood_counter by the submission writer
(survey.store.submissions), with the minute the app worker took from `survey.store.access.
current_minute()` as the submission came in: the tests set that minute,
so that a rating is never counted into the next minute by chance. The limit holds for the form,
the kiosk form and the JSON API together, and across two `survey serve` processes on one database.

The sign-in's own rate limit and lock-out are tested in tests/web/test_sign_in.py:
test_sign_in_rate_limit_counts_every_attempt and
test_five_failures_lock_the_account_and_a_new_password_unlocks_it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient
from portal_helpers import app_call

from survey.store import access
from survey.store.tables import FloodCounter, ResponseRow
from survey.web.app import create_app

LIMIT = 4
MITTE, NORD = "buergerbuero-mitte", "buergerbuero-nord"
GERMAN = (
    "Gerade gehen sehr viele Rückmeldungen ein. Bitte senden Sie Ihre Antworten in einer Minute noch einmal."
)
ENGLISH = "Very many ratings are arriving right now. Please send again in a minute."


@pytest.fixture
async def client(field) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    from survey.store.submissions import stop_writer

    await stop_writer()  # the app's lifespan runs its own writer
    settings = dataclasses.replace(field.settings, flood_limit=LIMIT)
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        test_client.follow_redirects = False
        yield test_client


@pytest.fixture
def minute(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The app worker's minute, set by the test: `minute[0] += 1` is the next minute."""
    now = [int(time.time() // 60)]
    monkeypatch.setattr(access, "current_minute", lambda: now[0])
    return now


async def _stored(client: AsyncTestClient, point: str | None = None) -> int:
    query = ResponseRow.count()
    if point is not None:
        query = query.where(ResponseRow.service_point.key == point)
    return await app_call(client, query.run)


def _form_fields(page: str) -> dict[str, str]:
    match = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert match
    return {"submission_key": match.group(1), "gesamturteil": "9"}


async def _by_form(client: AsyncTestClient, point: str = MITTE, lang: str = "de", kiosk: bool = False):  # type: ignore[no-untyped-def]
    path = f"/s/{point}" + ("/kiosk" if kiosk else "")
    page = (await client.get(f"{path}?lang={lang}")).text
    return await client.post(path, data={**_form_fields(page), "lang": lang})


async def _by_api(client: AsyncTestClient, point: str = MITTE, lang: str = "de"):  # type: ignore[no-untyped-def]
    form = (await client.get(f"/api/v1/forms/service-points/{point}")).json()
    body = {
        "channel": "service_point",
        "reference": point,
        "language": lang,
        "submission_key": form["submission_key"],
        "answers": {"gesamturteil": 9},
    }
    return await client.post("/api/v1/responses", json=body)


async def test_the_limit_plus_one_rating_in_a_minute_is_refused(
    client: AsyncTestClient, minute: list[int]
) -> None:
    # Up to the limit, through form, kiosk and API alike: stored.
    assert (await _by_form(client)).status_code == 303
    assert (await _by_form(client, kiosk=True)).status_code == 303
    assert (await _by_api(client)).status_code == 201
    assert (await _by_api(client, lang="en")).status_code == 201
    assert await _stored(client, MITTE) == LIMIT

    # One more in the same minute: 429 with a clear message, in the respondent's language.
    german = await _by_form(client)
    assert german.status_code == 429 and GERMAN in german.text and 'role="alert"' in german.text
    assert 'value="9" checked' in german.text  # the answers stay, to send again in a minute
    assert german.headers["cache-control"].startswith("no-store")
    assert german.headers["x-content-type-options"] == "nosniff"
    english = await _by_form(client, lang="en")
    assert english.status_code == 429 and ENGLISH in english.text
    kiosk = await _by_form(client, kiosk=True)
    assert kiosk.status_code == 429 and GERMAN in kiosk.text
    for lang, message in (("de", GERMAN), ("en", ENGLISH)):
        api = await _by_api(client, lang=lang)
        assert api.status_code == 429
        problems = api.json()["problems"]
        assert [(p["code"], p["message"]) for p in problems] == [("flood", message)]
    assert await _stored(client, MITTE) == LIMIT, "nothing beyond the limit is stored"
    counters = await app_call(client, FloodCounter.select(FloodCounter.minute, FloodCounter.count).run)
    assert counters == [{"minute": minute[0], "count": LIMIT}], "a refused rating is not counted"

    # Another service point has a count of its own.
    assert (await _by_api(client, point=NORD)).status_code == 201
    assert await _stored(client, NORD) == 1

    # The next minute starts from nothing: the limit again, then 429.
    minute[0] += 1
    for _ in range(LIMIT):
        assert (await _by_api(client)).status_code == 201
    assert (await _by_form(client)).status_code == 429
    assert await _stored(client, MITTE) == 2 * LIMIT


async def test_a_duplicate_is_not_counted(client: AsyncTestClient, minute: list[int]) -> None:
    """Sending the same form twice (a double click) stores once and counts once."""
    page = (await client.get(f"/s/{MITTE}")).text
    fields = {**_form_fields(page), "lang": "de"}
    for _ in range(LIMIT + 2):
        assert (await client.post(f"/s/{MITTE}", data=fields)).status_code == 303
    assert await _stored(client, MITTE) == 1
    for _ in range(LIMIT - 1):
        assert (await _by_api(client)).status_code == 201
    assert (await _by_api(client)).status_code == 429


def _await_fresh_minute(seconds_needed: float = 15) -> None:
    """Start where the minute has at least `seconds_needed` left (the servers use the real clock)."""
    left = 60 - time.time() % 60
    if left < seconds_needed:
        time.sleep(left + 0.2)


def _rate(base: str, point: str, lang: str) -> tuple[int, dict]:
    with urllib.request.urlopen(f"{base}/api/v1/forms/service-points/{point}") as answer:
        key = json.loads(answer.read())["submission_key"]
    body = {
        "channel": "service_point",
        "reference": point,
        "language": lang,
        "submission_key": key,
        "answers": {"gesamturteil": 7},
    }
    request = urllib.request.Request(
        f"{base}/api/v1/responses",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


async def test_the_limit_holds_across_two_server_processes(field, running_server) -> None:  # type: ignore[no-untyped-def]
    """Two `survey serve` processes on one database: the count is the database's, not a worker's."""
    url = field.settings.database_url
    with (
        running_server(url, SURVEY_FLOOD_LIMIT="3") as first,
        running_server(url, SURVEY_FLOOD_LIMIT="3") as second,
    ):

        def scenario() -> list[tuple[int, dict]]:
            _await_fresh_minute()
            start = int(time.time() // 60)
            answers = [
                _rate(server.base, MITTE, lang)
                for server, lang in (
                    (first, "de"),
                    (second, "de"),
                    (first, "en"),
                    (second, "de"),
                    (first, "en"),
                )
            ]
            assert int(time.time() // 60) == start, "the ratings were sent within one minute"
            return answers

        answers = await asyncio.to_thread(scenario)
    assert [status for status, _ in answers] == [201, 201, 201, 429, 429]
    assert answers[3][1]["problems"][0]["message"] == GERMAN
    assert answers[4][1]["problems"][0]["message"] == ENGLISH
    assert await ResponseRow.count().run() == 3
    assert "Traceback" not in first.err + second.err

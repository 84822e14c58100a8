"""The participation monitor on an open wave's page and in its API (issue 22), on SQLite and
PostgreSQL: each shown unit over the days as a chart with its text alternative, and for citizens
the ratings per service point and week, in German and in English.

The Kommune is the portal's small demo (tests/web/portal_helpers.py); the waves here run from a
Monday two weeks ago. What the monitor may show is tested in tests/services/test_participation_
monitor.py and attacked in tests/web/test_anonymity_attacks.py.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.testing import AsyncTestClient
from portal_helpers import QUESTIONNAIRES, app_call, sign_in

from survey.services.waves import create_wave, open_wave
from survey.store.bulk import ResponseBatch, bulk_insert_responses
from survey.store.tables import OrgUnitRow, ServicePointRow

TODAY = dt.date.today()
OPENS = TODAY - dt.timedelta(days=14 + TODAY.weekday())


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


async def _wave(client: AsyncTestClient, key: str, audience: str, unit: str, approve: Any) -> int:
    wave = await app_call(
        client,
        create_wave,
        key=key,
        questionnaires=QUESTIONNAIRES,
        questionnaire="staff-pulse" if audience == "staff" else "citizen-contact",
        version=None,
        units=[unit],
        opens_on=OPENS,
        closes_on=TODAY + dt.timedelta(days=10),
    )
    if audience == "staff":
        await app_call(client, approve, key, QUESTIONNAIRES)
    await app_call(client, open_wave, key, OPENS, QUESTIONNAIRES)
    return wave.id


async def _answer(
    client: AsyncTestClient, wave_id: int, answers: dict[tuple[str, str | None], dict[int, int]]
) -> None:
    units = {
        r["key"]: r["id"]
        for r in await app_call(client, OrgUnitRow.select(OrgUnitRow.key, OrgUnitRow.id).run)
    }
    points = {
        r["key"]: r["id"]
        for r in await app_call(client, ServicePointRow.select(ServicePointRow.key, ServicePointRow.id).run)
    }
    batch = ResponseBatch()
    for (unit, point), per_day in answers.items():
        for day, people in per_day.items():
            for _ in range(people):
                rid = uuid.uuid4()
                at = points[point] if point else None
                batch.responses.append((rid, units[unit], at, "de", OPENS + dt.timedelta(days=day)))
                batch.answers.append((rid, units[unit], "eine-anlaufstelle", 4))
    await app_call(client, bulk_insert_responses, wave_id, [batch])


async def test_each_unit_over_the_days_on_the_page_and_in_the_api(
    portal_client: AsyncTestClient, approve: Callable[..., Awaitable[None]]
) -> None:
    client = portal_client
    await sign_in(client, "buero")
    wave_id = await _wave(client, "monitor-puls", "staff", "jugendamt", approve)
    # ASD 6 on the first day and 4 more on the fourth; Kita-Verwaltung 3 on the second, 3 on the sixth
    await _answer(client, wave_id, {("asd", None): {0: 6, 3: 4}, ("kita-verwaltung", None): {1: 3, 5: 3}})

    api = (await client.get("/api/v1/waves/monitor-puls")).json()["participation"]
    lines = {s["unit"]: s for s in api["series"]}
    assert list(lines) == ["jugendamt", "asd", "kita-verwaltung"] and api["service_points"] is None
    days = [p["day"] for p in lines["asd"]["points"]]
    assert days[0] == OPENS.isoformat() and days[-1] == TODAY.isoformat()
    asd = [p["responses"] for p in lines["asd"]["points"]]
    kita = [p["responses"] for p in lines["kita-verwaltung"]["points"]]
    # added up, never a day's own number; Kita-Verwaltung under k until its sixth day, and ASD
    # hidden with it (Jugendamt minus ASD would be Kita-Verwaltung's 3)
    assert all(v["reason"] == "below_k" for v in kita[:5]) and kita[5:] == [6] * (len(days) - 5)
    assert [v["reason"] for v in asd[:5]] == ["secondary"] * 5 and asd[5:] == [10] * (len(days) - 5)
    assert lines["asd"]["headcount"] == 20 and lines["asd"]["points"][-1]["rate"] == 0.5
    assert lines["asd"]["points"][0]["rate"]["hidden"] is True
    assert [p["responses"] for p in lines["jugendamt"]["points"]][:6] == [6, 9, 9, 13, 13, 16]

    page = await client.get("/buero/runden/monitor-puls")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Jede Organisationseinheit im Verlauf der Tage" in text
    assert 'role="img" aria-label="Bisherige Quote je Organisationseinheit"' in page.text
    day = f"{OPENS.day}.{OPENS.month}."
    assert f"3 Linien, eine je gezeigter Organisationseinheit, vom {day} bis zum" in text
    assert "Jede Organisationseinheit im Verlauf der Tage als Tabelle" in text
    table = page.text[page.text.index('id="units-caption"') :]
    table = table[: table.index("</table>")]
    heads = re.findall(r'<th scope="col" class="num">(.*?)</th>', table)
    assert [html.unescape(h) for h in heads] == [
        "Fachbereich Jugendamt",
        "Abteilung Allgemeiner Sozialer Dienst",
        "Abteilung Kita-Verwaltung",
    ]
    last = re.findall(r"<tr><th scope=\"row\">[^<]*</th>(.*?)</tr>", table)[-1]
    cells = [html.unescape(c) for c in re.findall(r'<td class="num[^"]*">(.*?)</td>', last)]
    assert cells == ["16 (57,1\xa0%)", "10 (50,0\xa0%)", "6 (75,0\xa0%)"]
    first = re.findall(r"<tr><th scope=\"row\">[^<]*</th>(.*?)</tr>", table)[0]
    assert "unter 5" in first and "verborgen" in first

    english = await client.get("/buero/runden/monitor-puls?lang=en")
    said = _text(english.text)
    assert "Each unit over the days" in said and "Rate so far, per unit" in said
    assert "3 lines, one per unit shown" in said and "under 5" in said
    assert not re.search(r"Bisherige|Linien|Verlauf|unter 5", said)


async def test_the_citizens_ratings_per_service_point_and_week(
    portal_client: AsyncTestClient, approve: Callable[..., Awaitable[None]]
) -> None:
    client = portal_client
    await sign_in(client, "buero")
    wave_id = await _wave(client, "monitor-buerger", "citizen", "buergerdienste", approve)
    await _answer(
        client,
        wave_id,
        {
            ("team-buergerbuero-mitte", "buergerbuero-mitte"): {0: 6, 8: 7, 14: 2},
            ("team-buergerbuero-nord", "buergerbuero-nord"): {2: 3, 9: 6},
            ("kfz-zulassung", "kfz-zulassungsstelle"): {1: 5, 10: 5},
        },
    )
    api = (await client.get("/api/v1/waves/monitor-buerger")).json()["participation"]
    points = api["service_points"]
    first = OPENS.isocalendar()
    assert points["weeks"][0] == {
        "week": f"{first[0]}-W{first[1]:02d}",
        "first_day": OPENS.isoformat(),
        "last_day": (OPENS + dt.timedelta(days=6)).isoformat(),
    }
    assert len(points["weeks"]) == 3 and points["weeks"][-1]["last_day"] == TODAY.isoformat()
    rows = {r["service_point"]: r for r in points["rows"]}
    assert set(rows) == {
        "buergerbuero-mitte",
        "buergerbuero-nord",
        "kfz-zulassungsstelle",
        "standesamt-service",
    }

    def said(row: dict[str, Any]) -> list[Any]:
        return [v["reason"] if isinstance(v, dict) else v for v in [*row["weeks"], row["total"]]]

    # Nord's first week (3) is under k, so its second (6) is hidden with it: Nord's series shows
    # 9 after week 1, and 9 − 6 would be the 3. Mitte's last week (2) is under k.
    assert said(rows["buergerbuero-nord"]) == ["below_k", "secondary", 0, "secondary"]
    assert said(rows["buergerbuero-mitte"]) == [6, 7, "below_k", "secondary"]  # no total beside a hidden week
    # Kfz: while Nord had its 3, Kfz-Zulassung is hidden beside it in the series (Bürgerdienste
    # minus Mitte minus Kfz would be Nord's 3), so its weeks up to then are hidden too: its first
    # week's 5 would be what it had at the end of that week.
    assert said(rows["kfz-zulassungsstelle"]) == ["secondary", "secondary", 0, "secondary"]
    assert said(rows["standesamt-service"]) == [0, 0, 0, 0]
    lines = {s["unit"]: [p["responses"] for p in s["points"]] for s in api["series"]}
    assert isinstance(lines["kfz-zulassung"][6], dict) and isinstance(
        lines["team-buergerbuero-nord"][6], dict
    )
    assert lines["kfz-zulassung"][9:11] == [5, 10] and lines["team-buergerbuero-mitte"][13:15] == [13, 15]
    assert {s["unit"] for s in api["series"]} >= {"buergerdienste", "kfz-zulassung"}

    page = await client.get("/buero/runden/monitor-buerger")
    text = _text(page.text)
    assert "Bewertungen je Servicestelle und Kalenderwoche" in text
    assert f"KW {first[1]}" in text and "Bisher" in text
    table = page.text[page.text.index('id="weeks-caption"') :]
    table = table[: table.index("</table>")]
    nord = next(r for r in re.findall(r"<tr>(.*?)</tr>", table) if "Bürgerbüro Nord" in html.unescape(r))
    assert re.findall(r'<td class="num hidden-figure">(.*?)</td>', nord)[0] == "unter 5"
    english = _text((await client.get("/buero/runden/monitor-buerger?lang=en")).text)
    assert "Ratings per service point and week" in english and f"Week {first[1]}" in english
    assert "So far" in english and "Bewertungen" not in english

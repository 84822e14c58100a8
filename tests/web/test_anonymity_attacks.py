"""Anonymity attacks through every output path a non-analyst has (issue 8, part 6), on SQLite and
PostgreSQL: the figures API, the overview API, the comments API, the dashboard pages, the
department report and the aggregate export, read by the lead of a Fachbereich and by the survey
office. Each test plays one attack and shows it is blocked.

The Kommune: Rathaus > Fachbereich `fb` > Teams `a`, `b`, `c` (k = 5, k_text = 10); every team
answers with a value of its own, so a team's score would stand out wherever it leaked.

| wave | a | b | c | what an attacker tries |
| ---- | - | - | - | --- |
| w1 closed | 6 | 9 | 6 | (all shown) |
| w2 closed | 6 | 9 | 3 | c = fb − a − b (differencing a parent against its children) |
| w3 closed | 7 | 9 | 6 | the person who joined a: a(w3)·7 − a(w1)·6 (a one-person change) |
| w4 open   | … | … | … | watch the figures while one person answers (timing of submissions) |
| w5 open   | 6 | 9 | 3 | the participation monitor: whole wave, units, days and their differences |

What is stored about a submission's time (the day, under a random id) is tested in
tests/web/test_privacy.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from participation_attack import Kommune, pinned, seen_in_api
from portal_helpers import app_call, sign_in
from public_kommune import KLEINSTADT, PLANTED

from survey.services.accounts import add_user
from survey.services.answering import new_submission_key
from survey.services.invitations import create_unit_link
from survey.services.org import import_org
from survey.services.waves import close_wave, create_wave, open_wave
from survey.settings import Settings
from survey.store.bulk import ResponseBatch, bulk_insert_responses
from survey.store.tables import OrgUnitRow
from survey.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"
TODAY = dt.date(2026, 11, 21)
PASSWORD = "ein-langes-testpasswort"
#: each team's answer to the two `gemeinsam` items, and its comment
ANSWER = {"a": 2, "b": 4, "c": 5}
SIZES = {
    "w1": {"a": 6, "b": 9, "c": 6},
    "w2": {"a": 6, "b": 9, "c": 3},
    "w3": {"a": 7, "b": 9, "c": 6},
}
ORG = """kommune: Kleinstadt
units:
  - {key: rathaus, name: Rathaus, kind: Verwaltung, headcount: 0}
  - {key: fb, name: Fachbereich Ordnung, kind: Fachbereich, parent: rathaus, headcount: 0}
  - {key: a, name: Team A, kind: Team, parent: fb, headcount: 8}
  - {key: b, name: Team B, kind: Team, parent: fb, headcount: 10}
  - {key: c, name: Team C, kind: Team, parent: fb, headcount: 7}
  - {key: d, name: Fachbereich D, kind: Fachbereich, parent: rathaus, headcount: 60}
"""


def _batch(units: dict[str, int], team: str, people: int, day: dt.date) -> ResponseBatch:
    batch = ResponseBatch()
    for _ in range(people):
        rid = uuid.uuid4()
        batch.responses.append((rid, units[team], None, "de", day))
        batch.answers.append((rid, units[team], "fachbereiche-ziehen-mit", ANSWER.get(team, 3)))
        batch.answers.append((rid, units[team], "eine-anlaufstelle", ANSWER.get(team, 3)))
        batch.comments.append((rid, units[team], "kommentar", f"Kommentar aus Team {team.upper()}", day))
    return batch


async def _wave(key: str, number: int, approve, units: dict[str, int], sizes: dict[str, int]) -> int:  # type: ignore[no-untyped-def]
    # the open wave runs today (the server's clock): it takes submissions
    opens = TODAY - dt.timedelta(days=120 - 30 * number) if number < 3 else dt.date.today()
    wave = await create_wave(
        key=key,
        questionnaires=QUESTIONNAIRES,
        questionnaire="staff-pulse",
        version=2,
        units=["rathaus"],
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=20),
    )
    await approve(key, QUESTIONNAIRES)
    await open_wave(key, opens, QUESTIONNAIRES)
    await bulk_insert_responses(wave.id, [_batch(units, t, n, opens) for t, n in {**sizes, "d": 40}.items()])
    return wave.id


async def _build(db: str, tmp_path: Path, approve, open_round: bool) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The Kommune and its waves (with `open_round` also w4, open today, and a unit link of
    team b for it), in the database; the users. Everything before the app starts: the app runs in
    a loop of its own."""
    org = tmp_path / "org.yaml"
    org.write_text(ORG, encoding="utf-8")
    await import_org(org)
    units = {r["key"]: r["id"] for r in await OrgUnitRow.select(OrgUnitRow.key, OrgUnitRow.id).run()}
    for number, (key, sizes) in enumerate(SIZES.items()):
        await _wave(key, number, approve, units, sizes)
        await close_wave(key)
    await add_user("leitung-fb", "Leitung Fb", PASSWORD, ["lead:fb"])
    await add_user("buero", "Büro", PASSWORD, ["office"])
    if not open_round:
        return {}
    await _wave("w4", 3, approve, units, {"a": 6, "b": 9, "c": 6})
    settings = Settings(database_url=db, questionnaires=QUESTIONNAIRES)
    link = await create_unit_link(settings, "w4", "b")
    return {
        "channel": "unit",
        "reference": link.url.rsplit("/", 1)[-1],
        "access_code": link.access_code,
        "submission_key": await new_submission_key(settings),
    }


@pytest.fixture
async def kleinstadt(db: str, tmp_path: Path, approve) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    await _build(db, tmp_path, approve, open_round=False)
    async with AsyncTestClient(
        app=create_app(Settings(database_url=db, questionnaires=QUESTIONNAIRES))
    ) as client:
        client.follow_redirects = False
        yield client


@pytest.fixture
async def kleinstadt_open(db: str, tmp_path: Path, approve) -> AsyncIterator[tuple[AsyncTestClient, dict]]:  # type: ignore[no-untyped-def]
    form = await _build(db, tmp_path, approve, open_round=True)
    async with AsyncTestClient(
        app=create_app(Settings(database_url=db, questionnaires=QUESTIONNAIRES))
    ) as client:
        client.follow_redirects = False
        yield client, form


def _hidden(figure: object) -> bool:
    return isinstance(figure, dict) and figure.get("hidden") is True


def _shown_groups(figures: dict, value: str = "gemeinsam") -> dict[str, dict[str, tuple[int, float]]]:
    """What the figures of one unit give away per wave: {wave: {group: (n, mean)}} for the unit
    itself (respondents and the value's score)."""
    out: dict[str, dict[str, tuple[int, float]]] = {}
    series = next(v for v in figures["values"] if v["value"] == value)["series"]
    for summary, point in zip(figures["waves"], series, strict=True):
        if isinstance(summary["respondents"], int) and not _hidden(point["score"]) and point["score"]:
            out.setdefault(summary["wave"], {})[figures["unit"]] = (
                summary["respondents"],
                point["score"]["mean"],
            )
    return out


async def _attackers_view(client: AsyncTestClient) -> dict[str, dict[str, tuple[int, float]]]:
    """Everything the lead of fb reads from the figures API, per wave and group."""
    view: dict[str, dict[str, tuple[int, float]]] = {}
    for unit in ("fb", "a", "b", "c"):
        response = await client.get(f"/api/v1/units/{unit}/figures")
        assert response.status_code == 200, response.text
        for wave, groups in _shown_groups(response.json()).items():
            view.setdefault(wave, {}).update(groups)
    return view


def _by_difference(groups: dict[str, tuple[int, float]]) -> tuple[int, float] | None:
    """c = fb − a − b: n and mean of the one child the lead cannot see, if the rest is shown."""
    if "fb" not in groups:
        return None
    missing = [t for t in ("a", "b", "c") if t not in groups]
    if len(missing) != 1:
        return None
    n, total = groups["fb"][0], groups["fb"][0] * groups["fb"][1]
    for team in ("a", "b", "c"):
        if team in groups:
            n -= groups[team][0]
            total -= groups[team][0] * groups[team][1]
    return (n, total / n) if n else None


async def test_a_parent_minus_its_children_reveals_no_small_team(kleinstadt: AsyncTestClient) -> None:
    client = kleinstadt
    await sign_in(client, "leitung-fb", PASSWORD)
    view = await _attackers_view(client)
    # w1: every team is shown (6, 9, 6); the attack needs nothing hidden there
    assert set(view["w1"]) == {"fb", "a", "b", "c"}
    # w2: c has 3 people: hidden, and with it the next-smallest team, so fb − b = a + c (9 people)
    assert set(view["w2"]) == {"fb", "b"}, view["w2"]
    assert _by_difference(view["w2"]) is None
    print(f"w2: the lead reads {sorted(view['w2'])}; c (3 people) cannot be worked out")
    # The same through the aggregate export (the attacker's spreadsheet) …
    export = (await client.get("/api/v1/exports/aggregate/fb?format=csv")).text
    from_export: dict[str, dict[str, tuple[int, float]]] = {}
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    for row in rows:
        if row["measure"] == "value" and row["key"] == "gemeinsam" and row["mean"]:
            from_export.setdefault(row["wave"], {})[row["unit"]] = (int(row["n"]), float(row["mean"]))
    # (fb's waves, its teams in the latest: w3, where a and c are hidden, see the next test)
    assert {r["unit"] for r in rows} == {"fb", "a", "b", "c"}
    assert set(from_export["w3"]) == {"fb", "b"}
    assert all(_by_difference(groups) is None for groups in from_export.values())
    hidden_rows = [r for r in rows if r["unit"] in ("a", "c") and r["measure"] == "value"]
    assert hidden_rows and all(r["hidden"] and not r["mean"] and not r["n"] for r in hidden_rows)
    # … and on the page of fb for w2 and in its report: a and c as hidden, with the reason.
    page = (await client.get("/dashboard/fb?fragebogen=staff-pulse&welle=w2")).text
    assert page.count("damit sich eine kleinere Gruppe nicht durch Differenzbildung") >= 1
    assert "weniger als 5 Antworten" in page
    report = (await client.get("/dashboard/fb/bericht?fragebogen=staff-pulse")).text
    assert "verborgen" in report


async def test_a_one_person_change_between_waves_is_not_shown(kleinstadt: AsyncTestClient) -> None:
    client = kleinstadt
    await sign_in(client, "leitung-fb", PASSWORD)
    view = await _attackers_view(client)
    # a had 6 in w1 (its last shown wave) and 7 in w3: a(w3)·7 − a(w1)·6 would be the new
    # person's answer. a is hidden in w3, and c with it, so that fb − b does not give a back.
    assert "a" in view["w1"] and "a" not in view["w3"], view
    assert "c" not in view["w3"] and _by_difference(view["w3"]) is None
    figures = (await client.get("/api/v1/units/a/figures")).json()
    assert figures["waves"][2]["respondents"]["reason"] == "few_changed"
    change = next(v for v in figures["values"] if v["value"] == "gemeinsam")["change"]
    assert _hidden(change)
    # Picking a window of waves (w3 alone, or up to w3) does not bring it back.
    for query in ("welle=w3", "welle=w2"):
        page = await client.get(f"/dashboard/a/fragen?fragebogen=staff-pulse&{query}")
        assert page.status_code == 200
        if query == "welle=w3":
            assert "Antwortende mehr oder weniger" in page.text and "<strong>" not in page.text
    # The office's organisation overview (the latest closed wave here) agrees.
    await sign_in(client, "buero", PASSWORD)
    overview = (await client.get("/api/v1/overview/figures")).json()
    rows = {row["unit"]: row for row in overview["rows"]}
    assert overview["wave"] == "w3"
    assert "a" not in rows or _hidden(rows["a"]["scores"]["gemeinsam"])
    print("w1 → w3: team a grew from 6 to 7; its w3 figures and the change stay hidden everywhere")


async def test_comments_below_k_text_are_not_shown(kleinstadt: AsyncTestClient) -> None:
    client = kleinstadt
    await sign_in(client, "leitung-fb", PASSWORD)
    # w3: fb has 22 respondents (≥ k_text 10): its comments, all of them together; no team has 10
    fb = (await client.get("/api/v1/units/fb/comments")).json()
    assert fb["comments"] is not None and len(fb["comments"]) == 22
    for team in ("a", "b", "c"):
        shown = (await client.get(f"/api/v1/units/{team}/comments")).json()
        assert shown["comments"] is None and shown["hidden"]["hidden"] is True, team
        page = (await client.get(f"/dashboard/{team}?fragebogen=staff-pulse")).text
        assert f"Kommentar aus Team {team.upper()}" not in page


async def test_watching_an_open_wave_shows_no_ones_answers(kleinstadt_open) -> None:  # type: ignore[no-untyped-def]
    client, form = kleinstadt_open
    await sign_in(client, "leitung-fb", PASSWORD)

    async def everything() -> dict[str, object]:
        seen: dict[str, object] = {}
        for unit in ("fb", "a", "b", "c"):
            figures = (await client.get(f"/api/v1/units/{unit}/figures")).json()
            for summary in figures["waves"] + figures["open_waves"]:
                summary.pop("respondents")  # how many answered may be seen while a wave runs
                summary.pop("response_rate")
            for child in figures["children"]:
                child.pop("respondents")
            seen[unit] = figures
            seen[f"{unit}/comments"] = (await client.get(f"/api/v1/units/{unit}/comments")).json()
        return seen

    before = await everything()
    figures = before["b"]
    # the results are the closed waves'; the open w4 appears only as participation
    assert isinstance(figures, dict) and figures["waves"][-1]["wave"] == "w3"
    assert [w["wave"] for w in figures["open_waves"]] == ["w4"]
    assert all(p["wave"] != "w4" for v in figures["values"] for p in v["series"])
    # One person of team b answers now, as the lead watches.
    answer = await client.post(
        "/api/v1/responses",
        json={
            **form,
            "answers": {"fachbereiche-ziehen-mit": 1, "eine-anlaufstelle": 1, "kommentar": "Ich war es."},
        },
    )
    assert answer.status_code == 201, answer.text
    after = await everything()
    assert after == before, "nothing but the number of respondents changes while a wave is open"
    report = (await client.get("/dashboard/b/bericht?fragebogen=staff-pulse")).text
    assert "Ich war es." not in report
    print("w4 open: one answer later, every score, change and comment the lead can read is unchanged")


# --- the pages without sign-in (issue 19): feedback pages, public pages, Open Data ----------------

_NUMBER = re.compile(r'<strong class="number">(\d+)</strong>')
#: "8 Personen haben geantwortet." – not the reason of a hidden count ("weniger als 5 Personen …")
_COUNT = re.compile(r"(?<!als )\b(\d+) (?:Person hat|Personen haben) geantwortet\.")


def _page_figures(page: str) -> tuple[int | None, list[int]]:
    """What a page without sign-in gives away: the number of people and the scores it shows."""
    count = _COUNT.search(page)
    return (int(count.group(1)) if count else None), [int(n) for n in _NUMBER.findall(page)]


def _rounded(mean: float) -> int:
    return int(mean + 0.5)


async def test_the_feedback_pages_show_nothing_the_dashboard_hides(kleinstadt: AsyncTestClient) -> None:
    """Each team's feedback page (no sign-in) against what the lead of fb reads: in w3, the latest
    closed wave, a (one person more than in w1) and c are hidden on the dashboard, and so on their
    pages; fb's page minus b's gives a + c together (13 people), never one of them."""
    from survey.services.public_results import renew_feedback_link

    client = kleinstadt
    pages = {}
    for unit in ("fb", "a", "b", "c"):
        token = await app_call(client, renew_feedback_link, unit, by="buero")
        response = await client.get(f"/rueckmeldung/{token}?lang=de")
        assert response.status_code == 200
        pages[unit] = response.text
    await sign_in(client, "leitung-fb", PASSWORD)
    view = await _attackers_view(client)
    assert set(view["w3"]) == {"fb", "b"}
    for unit, page in pages.items():
        count, scores = _page_figures(page)
        if unit in view["w3"]:
            n, mean = view["w3"][unit]
            assert count == n and _rounded(mean) in scores, unit
        else:
            assert count is None and scores == [], f"{unit}: the feedback page shows what the dashboard hides"
        assert "Kommentar aus Team" not in page
    fb, b = _page_figures(pages["fb"])[0], _page_figures(pages["b"])[0]
    assert fb is not None and b is not None and fb - b >= 5
    print("w3 on the feedback pages: fb and b shown, a and c hidden as on the dashboard; fb − b = 13 people")


async def test_a_feedback_page_stays_still_while_a_wave_is_open(kleinstadt_open) -> None:  # type: ignore[no-untyped-def]
    from survey.services.public_results import renew_feedback_link

    client, form = kleinstadt_open
    token = await app_call(client, renew_feedback_link, "b", by="buero")
    before = (await client.get(f"/rueckmeldung/{token}?lang=de")).text
    answer = await client.post(
        "/api/v1/responses",
        json={**form, "answers": {"fachbereiche-ziehen-mit": 1, "kommentar": "Ich war es."}},
    )
    assert answer.status_code == 201, answer.text
    after = (await client.get(f"/rueckmeldung/{token}?lang=de")).text
    assert after == before and "Ich war es." not in after


@pytest.fixture
async def kleinstadt_public(db: str, database_engine: str, snapshots) -> dict:  # type: ignore[no-untyped-def]
    """`db` holds the Kommune of tests/public_kommune.py (its starting point, by this name)."""
    return await snapshots.facts(database_engine, KLEINSTADT)


@pytest.fixture
async def citizens(kleinstadt_public: dict, db: str) -> AsyncIterator[AsyncTestClient]:
    """The Kommune of tests/public_kommune.py: service points mitte and nord of unit buerger, nord
    under k in the latest wave; schalter all of unit amt."""
    async with AsyncTestClient(
        app=create_app(Settings(database_url=db, questionnaires=QUESTIONNAIRES))
    ) as client:
        client.follow_redirects = False
        yield client


async def test_public_pages_and_open_data_give_no_small_group_away(citizens: AsyncTestClient) -> None:
    """The public pages and Open Data (no sign-in) beside the dashboard (an admin's view): buerger
    is shown there with 14 citizens in the latest wave; were mitte (12) shown as well, nord (2)
    would be the difference. Neither is shown, anywhere; the Kommune's figure is the dashboard's."""
    client = citizens
    public = {}
    for key in ("mitte", "nord", "schalter"):
        public[key] = _page_figures((await client.get(f"/oeffentlich/{key}?lang=de")).text)
    kommune = _page_figures((await client.get("/oeffentlich?lang=de")).text)
    rows = list(
        csv.DictReader(io.StringIO((await client.get("/oeffentlich/daten.csv")).text.lstrip("\ufeff")))
    )
    await sign_in(client, "chef", PASSWORD)
    dashboard = {}
    for unit in ("rathaus", "buerger", "amt"):
        figures = (await client.get(f"/api/v1/units/{unit}/figures?questionnaire=citizen-contact")).json()
        dashboard[unit] = _shown_groups(figures, "kundenorientiert").get("c3", {}).get(unit)
    assert dashboard["buerger"] is not None and dashboard["buerger"][0] == 14
    # mitte and nord: no number on their pages, none in the files
    assert public["mitte"] == (None, []) and public["nord"] == (None, [])
    for row in rows:
        if row["service_point"] in ("mitte", "nord"):
            assert row["score"] == "" and row["respondents"] == "" and row["score_hidden"], row
    # what the shown service points leave of each unit is 0 or at least k
    shown_at = {"buerger": ("mitte", "nord"), "amt": ("schalter",)}
    for unit, points in shown_at.items():
        n = dashboard[unit][0] if dashboard[unit] else None
        left = None if n is None else n - sum(public[p][0] or 0 for p in points)
        assert left is None or left == 0 or left >= 5, (unit, left)
    # schalter is all of amt: the dashboard's figure, rounded; the Kommune's is rathaus's
    assert public["schalter"][0] == dashboard["amt"][0] == 7
    assert dashboard["rathaus"] is not None and kommune[0] == dashboard["rathaus"][0]
    assert _rounded(dashboard["rathaus"][1]) in kommune[1]
    # and never a comment
    for path in ("/oeffentlich", "/oeffentlich/mitte", "/oeffentlich/schalter", "/oeffentlich/daten.json"):
        assert PLANTED not in (await client.get(path)).text, path
    print("c3: buerger 14 on the dashboard; mitte and nord hidden on the public pages and in Open Data")


# --- the participation monitor of an open wave (issue 22): its page and its API --------------------

#: the open wave w5's responses per team and day (day 0 is nine days ago): c has 3 in all, under k
MONITOR = {"a": {0: 3, 4: 3}, "b": {1: 5, 6: 4}, "c": {2: 1, 7: 2}, "d": {0: 20, 5: 20}}
#: what the attacker knows of the Kommune: who has staff, and how many
MONITOR_KOMMUNE = Kommune(
    {"rathaus": None, "fb": "rathaus", "a": "fb", "b": "fb", "c": "fb", "d": "rathaus"},
    [("a", None), ("b", None), ("c", None), ("d", None)],
    {"a": 8, "b": 10, "c": 7, "d": 60},
)


@pytest.fixture
async def kleinstadt_monitor(db: str, tmp_path: Path, approve) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    org = tmp_path / "org.yaml"
    org.write_text(ORG, encoding="utf-8")
    await import_org(org)
    units = {r["key"]: r["id"] for r in await OrgUnitRow.select(OrgUnitRow.key, OrgUnitRow.id).run()}
    await add_user("buero", "Büro", PASSWORD, ["office"])
    opens = dt.date.today() - dt.timedelta(days=9)
    wave = await create_wave(
        key="w5",
        questionnaires=QUESTIONNAIRES,
        questionnaire="staff-pulse",
        version=2,
        units=["rathaus"],
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=20),
    )
    await approve("w5", QUESTIONNAIRES)
    await open_wave("w5", opens, QUESTIONNAIRES)
    batches = [
        _batch(units, team, people, opens + dt.timedelta(days=day))
        for team, days in MONITOR.items()
        for day, people in days.items()
    ]
    await bulk_insert_responses(wave.id, batches)
    async with AsyncTestClient(
        app=create_app(Settings(database_url=db, questionnaires=QUESTIONNAIRES))
    ) as client:
        client.follow_redirects = False
        yield client


async def test_the_participation_monitor_shows_no_small_team_by_any_difference(
    kleinstadt_monitor: AsyncTestClient,
) -> None:
    """The survey office watches w5 on its page and in the API: team c (3 people) says "unter 5",
    has no line over the days, and no difference of anything shown — the whole wave and its days,
    the units, their lines, one day against another — gives its number, or a's hidden beside it,
    on any day (a linear program over the responses per team and day tries them all at once)."""
    client = kleinstadt_monitor
    await sign_in(client, "buero", PASSWORD)
    api = (await client.get("/api/v1/waves/w5")).json()["participation"]
    units = {u["unit"]: u for u in api["units"]}
    assert units["c"]["responses"]["reason"] == "below_k"
    assert units["a"]["responses"]["reason"] == "secondary"  # fb − b would be a + c
    assert (units["b"]["responses"], units["fb"]["responses"], api["total"]["responses"]) == (9, 18, 58)
    lines = {s["unit"] for s in api["series"]}
    assert lines == {"rathaus", "fb", "b", "d"}  # none for a or c
    for line in api["series"]:  # a day under k says so, never a number under k
        assert all(
            p["responses"] == 0 or not isinstance(p["responses"], int) or p["responses"] >= 5
            for p in line["points"]
        )
    given_away = pinned(MONITOR_KOMMUNE, seen_in_api(api))
    assert not {label: n for label, n in given_away.items() if label.startswith(("unit:", "past:")) and n}

    page = await client.get("/buero/runden/w5")
    assert page.status_code == 200
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page.text, re.S):
        name = re.search(r'<th scope="row" class="indent-\d">([^<]*)<span class="staff">', row)
        if name:
            rows[name.group(1)] = re.findall(r'<td class="num[^"]*">(.*?)</td>', row)[0]
    assert (rows["Team C"], rows["Team A"], rows["Team B"]) == ("unter 5", "verborgen", "9")
    series = page.text[page.text.index('id="units-caption"') :]
    series = series[: series.index("</table>")]
    heads = re.findall(r'<th scope="col" class="num">(.*?)</th>', series)
    assert "Team C" not in heads and "Team A" not in heads and "Team B" in heads
    # the table of the days under the chart is the API's, cell for cell
    cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', series)
    assert "3" not in cells and "1" not in cells and "unter 5" in cells
    assert "Team C" not in page.text[page.text.index('id="participation-units"') :]
    print("w5 open: c (3) says 'unter 5' on the page and in the API, has no line; no difference gives it")

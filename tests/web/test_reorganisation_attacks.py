"""Differencing across a reorganisation (issue 24, acceptance 3), on SQLite and PostgreSQL: the
Schul- und Sportverwaltung (43 people) splits into a Schulverwaltung of 40 and a Sportamt of 3.
The lead of the Dezernat reads the figures API, the dashboard pages, the department report and
the aggregate export, before and after the split: the 3 are never shown, and no difference of
what is shown gives them away.

| wave | fb | fa | fz | y (Archiv) | x (Ordnungsamt) |
| ---- | -- | -- | -- | ---------- | --------------- |
| w1 closed, before | 43 | – | – | 10 | 8 (in Dezernat 2 then) |
| w3 closed, after  | – | 40 | 3 | 10 | 8 (moved into Dezernat 1) |
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from portal_helpers import sign_in
from staff_waves import QUESTIONNAIRES, closed_staff_wave

from survey.services.accounts import add_user
from survey.services.org import import_org
from survey.settings import Settings
from survey.web.app import create_app

TODAY = dt.date.today()
PASSWORD = "ein-langes-testpasswort"
BEFORE = """kommune: Kleinstadt
units:
  - {key: rathaus, name: Rathaus, kind: Verwaltung, headcount: 0}
  - {key: d1, name: Dezernat 1, kind: Dezernat, parent: rathaus, headcount: 0}
  - {key: d2, name: Dezernat 2, kind: Dezernat, parent: rathaus, headcount: 0}
  - {key: fb, name: Schul- und Sportverwaltung, kind: Fachbereich, parent: d1, headcount: 45}
  - {key: y, name: Archiv, kind: Fachbereich, parent: d1, headcount: 12}
  - {key: x, name: Ordnungsamt, kind: Fachbereich, parent: d2, headcount: 12}
  - {key: z, name: Bauamt, kind: Fachbereich, parent: d2, headcount: 30}
"""
AFTER = """kommune: Kleinstadt
units:
  - {key: rathaus, name: Rathaus, kind: Verwaltung, headcount: 0}
  - {key: d1, name: Dezernat 1, kind: Dezernat, parent: rathaus, headcount: 0}
  - {key: d2, name: Dezernat 2, kind: Dezernat, parent: rathaus, headcount: 0}
  - {key: fa, name: Schulverwaltung, kind: Fachbereich, parent: d1, headcount: 42}
  - {key: fz, name: Sportamt, kind: Fachbereich, parent: d1, headcount: 3}
  - {key: y, name: Archiv, kind: Fachbereich, parent: d1, headcount: 12}
  - {key: x, name: Ordnungsamt, kind: Fachbereich, parent: d1, headcount: 12}
  - {key: z, name: Bauamt, kind: Fachbereich, parent: d2, headcount: 30}
changes:
  - {kind: split, from: fb, to: [fa, fz], shares: {fa: 93, fz: 7}}
  - {kind: moved, from: x, to: x}
"""
#: respondents and each group's answer (1–5): the Sportamt's 1 would stand out wherever it leaked
PEOPLE = {
    "w1": {"fb": (43, 4), "y": (10, 3), "x": (8, 2), "z": (20, 3)},
    "w3": {"fa": (40, 4), "fz": (3, 1), "y": (10, 3), "x": (8, 2), "z": (20, 3)},
}
UNITS = ("d1", "fa", "fz", "y", "x")


async def _wave(key: str, number: int, approve) -> None:  # type: ignore[no-untyped-def]
    await closed_staff_wave(key, TODAY - dt.timedelta(days=90 - 30 * number), approve, PEOPLE[key])


@pytest.fixture
async def split(db: str, tmp_path: Path, approve) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    path = tmp_path / "org.yaml"
    path.write_text(BEFORE, encoding="utf-8")
    await import_org(path)
    await _wave("w1", 0, approve)
    path.write_text(AFTER, encoding="utf-8")
    await import_org(path)
    await _wave("w3", 2, approve)
    await add_user("leitung-d1", "Leitung Dezernat 1", PASSWORD, ["lead:d1"])
    async with AsyncTestClient(
        app=create_app(Settings(database_url=db, questionnaires=QUESTIONNAIRES))
    ) as client:
        client.follow_redirects = False
        yield client


def _hidden(figure: object) -> bool:
    return isinstance(figure, dict) and figure.get("hidden") is True


async def _view(client: AsyncTestClient) -> dict[str, dict[str, tuple[int, float]]]:
    """Per wave, each unit's respondents and `gemeinsam` score, where the figures API shows them."""
    view: dict[str, dict[str, tuple[int, float]]] = {}
    for unit in UNITS:
        response = await client.get(f"/api/v1/units/{unit}/figures")
        assert response.status_code == 200, response.text
        figures = response.json()
        series = next(v for v in figures["values"] if v["value"] == "gemeinsam")["series"]
        for summary, point in zip(figures["waves"], series, strict=True):
            if isinstance(summary["respondents"], int) and point["score"] and not _hidden(point["score"]):
                view.setdefault(summary["wave"], {})[unit] = (summary["respondents"], point["score"]["mean"])
    return view


async def test_a_split_into_40_and_3_never_gives_the_3_away(split: AsyncTestClient) -> None:
    client = split
    await sign_in(client, "leitung-d1", PASSWORD)
    view = await _view(client)
    # before the split both successors show the 43 together: the Sportamt's 3 are not in it alone
    assert view["w1"]["fa"] == view["w1"]["fz"] == (43, 75.0)
    # after it the 3 are hidden, and so is what would give them back by difference
    assert "fz" not in view["w3"]
    shown = view["w3"]
    assert "d1" in shown and "fa" in shown
    children = [u for u in ("fa", "fz", "y", "x") if u in shown]
    rest = shown["d1"][0] - sum(shown[u][0] for u in children)
    assert rest >= 5, (shown, rest)  # the hidden part of Dezernat 1 is never fewer than k people
    figures = (await client.get("/api/v1/units/fz/figures")).json()
    assert figures["waves"][-1]["respondents"]["reason"] == "below_k"
    # no score of 1 (the Sportamt's answer, 0 on 0–100) anywhere in the latest wave
    for unit in UNITS:
        page = await client.get(f"/api/v1/units/{unit}/figures")
        for value in page.json()["values"]:
            point = value["series"][-1]["score"]
            assert not (isinstance(point, dict) and point.get("mean") == 0.0), (unit, value["value"])

    # the aggregate export (the attacker's spreadsheet) hides the same
    export = (await client.get("/api/v1/exports/aggregate/d1?format=csv")).text
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    fz_rows = [r for r in rows if r["unit"] == "fz" and r["wave"] == "w3" and r["measure"] == "value"]
    assert fz_rows and all(r["hidden"] and not r["mean"] and not r["n"] for r in fz_rows)
    d1_rows = {
        r["wave"]: r
        for r in rows
        if r["unit"] == "d1" and r["measure"] == "value" and r["key"] == "gemeinsam"
    }
    assert d1_rows["w3"]["n"] and int(d1_rows["w3"]["n"]) == 61

    # the pages and the report: the Sportamt as hidden with its reason; its earlier value said
    # to be the shared one of the unit it was split from
    page = (await client.get("/dashboard/fz?fragebogen=staff-pulse")).text
    assert "weniger als 5 Antworten" in page
    assert "vor der Neuordnung: gemeinsamer Wert von Schul- und Sportverwaltung" in page
    report = await client.get("/dashboard/d1/bericht?fragebogen=staff-pulse")
    assert report.status_code == 200 and "verborgen" in report.text


async def test_the_dezernat_keeps_its_past_after_a_unit_moved_in(split: AsyncTestClient) -> None:
    """The Ordnungsamt moved into Dezernat 1 after w1: w1 of Dezernat 1 stays without it."""
    client = split
    await sign_in(client, "leitung-d1", PASSWORD)
    d1 = (await client.get("/api/v1/units/d1/figures")).json()
    assert [w["respondents"] for w in d1["waves"]] == [43 + 10, 40 + 3 + 10 + 8]
    assert [w["headcount"] for w in d1["waves"]] == [45 + 12, 42 + 3 + 12 + 12]

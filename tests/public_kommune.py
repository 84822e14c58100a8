"""A small Kommune for the pages without sign-in (issue 19): service points whose figures would give
away a small group by difference, a staff unit under k, and a planted comment that must never
appear. Shared by tests/services/test_public_results.py, tests/web/test_public_pages.py and the
attacks of tests/web/test_anonymity_attacks.py.

Citizens (citizen-contact v1, k = 5): Fachbereich `buerger` has two service points, `mitte` and
`nord`; Abteilung `amt` has one, `schalter` (its figures are amt's own). Each service point's
citizens answer with a value of their own, so that its score would stand out wherever it leaked.

| wave | mitte | nord | schalter | what is shown of buerger's service points |
| ---- | ----- | ---- | -------- | --- |
| c1   | 8     | 6    | 7        | both (the rest of buerger is 0)           |
| c2   | 9     | 3    | 7        | neither: nord < k, so mitte = buerger − nord would give nord back |
| c3   | 12    | 2    | 7        | neither (and mitte changed by 4 since c1, its last shown wave) |

Staff (staff-pulse v2, one closed wave `s1`): buerger 6, jobs 8, amt 3 (under k: hidden).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path
from typing import Any

from snapshots import Start, starts_from

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRES = ROOT / "questionnaires"
PLANTED = "GEHEIMER-KOMMENTAR-7Q4Z"
#: each service point's answer to every citizen item (1 … 5), and each staff unit's
POINT_ANSWER = {"mitte": 5, "nord": 1, "schalter": 3}
STAFF_ANSWER = {"buerger": 4, "jobs": 2, "amt": 5}
CITIZEN_ITEMS = (
    "freundlich-respektvoll",
    "verstaendlich-erklaert",
    "schnell-unbuerokratisch",
    "eine-anlaufstelle",
    "anliegen-geloest",
)
STAFF_ITEMS = ("fachbereiche-ziehen-mit", "eine-anlaufstelle")
CITIZEN_WAVES = {
    "c1": {"mitte": 8, "nord": 6, "schalter": 7},
    "c2": {"mitte": 9, "nord": 3, "schalter": 7},
    "c3": {"mitte": 12, "nord": 2, "schalter": 7},
}
STAFF_WAVE = {"buerger": 6, "jobs": 8, "amt": 3}
PASSWORD = "ein-langes-testpasswort"
ORG = """kommune: Kleinstadt
units:
  - {key: rathaus, name: Rathaus Kleinstadt, kind: Verwaltung, headcount: 0}
  - {key: buerger, name: Fachbereich Bürgerdienste, kind: Fachbereich, parent: rathaus, headcount: 8}
  - {key: amt, name: Abteilung Ordnungsamt, kind: Abteilung, parent: rathaus, headcount: 4}
  - {key: jobs, name: Fachbereich Jobcenter, kind: Fachbereich, parent: rathaus, headcount: 10}
service_points:
  - {key: mitte, name: Bürgerbüro Mitte, unit: buerger}
  - {key: nord, name: Bürgerbüro Nord, unit: buerger}
  - {key: schalter, name: Ordnungsamt Schalter, unit: amt}
"""


async def approve_staff(key: str, questionnaires: Path) -> None:
    """The Personalrat approves the staff wave `key` and its version (as tests/conftest.py does)."""
    from survey.services.accounts import add_user, principal_of
    from survey.services.approvals import approve_version, approve_wave
    from survey.store import waves as wave_store

    await add_user("pr-kleinstadt", "Personalrat", PASSWORD, ["personalrat"])
    personalrat = await principal_of("pr-kleinstadt")
    wave = await wave_store.get_wave(key)
    assert wave is not None
    await approve_version(wave.questionnaire, wave.version, by=personalrat, questionnaires=questionnaires)
    await approve_wave(key, by=personalrat)


def _day(number: int) -> dt.date:
    return dt.date(2026, 1, 5) + dt.timedelta(days=91 * number)


async def build_kleinstadt(tmp_path: Path, approve: Any = approve_staff) -> dict[str, Any]:
    """The Kommune, its waves (closed), an admin `chef` and the office `buero`, in the database
    piccolo points at; the ids of the units and service points."""
    from survey.services.accounts import add_user
    from survey.services.org import import_org
    from survey.services.waves import close_wave, create_wave, open_wave
    from survey.store.bulk import ResponseBatch, bulk_insert_responses
    from survey.store.tables import OrgUnitRow, ServicePointRow

    org = tmp_path / "kleinstadt.yaml"
    org.write_text(ORG, encoding="utf-8")
    await import_org(org)
    units = {r["key"]: r["id"] for r in await OrgUnitRow.select(OrgUnitRow.key, OrgUnitRow.id).run()}
    points = {
        r["key"]: (r["id"], r["unit"])
        for r in await ServicePointRow.select(
            ServicePointRow.key, ServicePointRow.id, ServicePointRow.unit
        ).run()
    }
    for number, (key, sizes) in enumerate(CITIZEN_WAVES.items()):
        opens = _day(number)
        wave = await create_wave(
            key=key,
            questionnaires=QUESTIONNAIRES,
            questionnaire="citizen-contact",
            version=1,
            units=["rathaus"],
            opens_on=opens,
            closes_on=opens + dt.timedelta(days=30),
        )
        await open_wave(key, opens, QUESTIONNAIRES)
        batch = ResponseBatch()
        for point, people in sizes.items():
            point_id, unit_id = points[point]
            for _ in range(people):
                rid = uuid.uuid4()
                batch.responses.append((rid, unit_id, point_id, "de", opens))
                for item in CITIZEN_ITEMS:
                    batch.answers.append((rid, unit_id, item, POINT_ANSWER[point]))
                batch.comments.append((rid, unit_id, "kommentar", f"{PLANTED} {point}", opens))
        await bulk_insert_responses(wave.id, [batch])
        await close_wave(key)
    opens = _day(2)
    staff = await create_wave(
        key="s1",
        questionnaires=QUESTIONNAIRES,
        questionnaire="staff-pulse",
        version=2,
        units=["rathaus"],
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=20),
    )
    await approve("s1", QUESTIONNAIRES)
    await open_wave("s1", opens, QUESTIONNAIRES)
    batch = ResponseBatch()
    for unit, people in STAFF_WAVE.items():
        for _ in range(people):
            rid = uuid.uuid4()
            batch.responses.append((rid, units[unit], None, "de", opens))
            for item in STAFF_ITEMS:
                batch.answers.append((rid, units[unit], item, STAFF_ANSWER[unit]))
            batch.comments.append((rid, units[unit], "kommentar", f"{PLANTED} {unit}", opens))
    await bulk_insert_responses(staff.id, [batch])
    await close_wave("s1")
    await add_user("chef", "Chef", PASSWORD, ["admin"])
    await add_user("buero", "Büro", PASSWORD, ["office"])
    return {"units": units, "points": {k: v[0] for k, v in points.items()}}


async def _snapshot() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        facts = await build_kleinstadt(Path(folder))
    return {**facts, "measures": await add_measures()}


#: the Kommune with its measures, as a starting point of `db` (tests/snapshots.py): tests that use
#: a fixture named `kleinstadt_public` get a copy, built once per run and engine
KLEINSTADT = Start("public-kleinstadt", _snapshot)
starts_from("kleinstadt_public", KLEINSTADT)


async def add_measures() -> dict[str, int]:
    """A public measure of buerger, an internal one of buerger, a public one of amt (ids by name)."""
    from survey.services.accounts import principal_of
    from survey.services.measures import MeasureInput, create_measure

    chef = await principal_of("chef")
    made = {}
    for name, unit, public in (
        ("public", "buerger", True),
        ("internal", "buerger", False),
        ("amt", "amt", True),
    ):
        measure = await create_measure(
            chef,
            MeasureInput(
                title=f"Maßnahme {name}",
                description=f"Beschreibung {name}",
                values=["kundenorientiert"],
                units=[unit],
                responsible="Leitung",
                starts_on="2026-03-01",
                due_on="2026-12-31",
                status="laufend",
                public=public,
            ),
        )
        made[name] = measure.id
    return made

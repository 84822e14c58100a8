"""The demo Kommune's measures (Maßnahmen), agreed by its leads after reading earlier waves.

Each shows one thing the effect check says, on the demo's simulated answers
(survey.services.simulation):

- the Jobcenter's "Anträge ohne Umwege" on "Unbürokratisch lösen", started midway through the
  waves: the Jobcenter's planted improvement follows it ("verbessert");
- the Runder Tisch of Jugendamt, Jobcenter and Schul- und Sportverwaltung (after the demo's
  reorganisation the Schulverwaltung) on "Gemeinsam für Lindenau": created by the Jugendamt's
  lead, the other two units invited and then confirmed by the Dezernentin; the check reports
  each unit and the three together;
- the Bauhof's "Nachhaltigkeitsrunde" on "Nachhaltig wirken", where the model plants nothing
  (`FLAT`): no change to be found;
- two public measures at service points for the citizens' pages: the Ausländerbehörde's
  multilingual leaflets (started midway) and the Bürgerbüros' online appointments, started after
  the last closed wave ("zu früh").

Running the demo again adds nothing twice: a measure whose title is there already is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from survey.services.accounts import principal_of
from survey.services.demo_reorganisation import SUCCESSOR
from survey.services.measures import (
    MeasureChange,
    MeasureInput,
    add_note,
    change_measure,
    confirm_unit,
    create_measure,
    invite_unit,
    visible_measures,
)
from survey.store import org as org_store
from survey.store import waves as wave_store

__all__ = ["DemoMeasure", "add_demo_measures"]


@dataclass(frozen=True)
class DemoMeasure:
    title: str
    description: str
    values: tuple[str, ...]
    units: tuple[str, ...]
    responsible: str
    #: "midway": the first staff wave of the second half; "recent": after the last closed wave
    starts: str
    status: str
    #: who creates it; the units after the first are invited and confirmed by `confirms`
    creator: str
    confirms: str | None = None
    public: bool = False
    notes: tuple[str, ...] = ()


MEASURES = (
    DemoMeasure(
        "Anträge ohne Umwege",
        "Ein Antrag, eine Ansprechperson: Weiterbewilligungen ohne erneute Vorlage bekannter "
        "Unterlagen, Rückfragen per Telefon statt Brief.",
        ("unbuerokratisch",),
        ("jobcenter",),
        "Leitung Team Leistung",
        "midway",
        "umgesetzt",
        "leitung-kjfs",
        notes=("Checkliste bekannter Unterlagen eingeführt.", "Rückrufzeiten in allen Teams festgelegt."),
    ),
    DemoMeasure(
        "Runder Tisch Bildung und Teilhabe",
        "Jugendamt, Jobcenter und Schulverwaltung stimmen Fälle von Familien gemeinsam ab: eine "
        "Fallkonferenz im Monat, gemeinsame Ansprechpersonen.",
        ("gemeinsam",),
        ("jugendamt", "jobcenter", "schule-sport"),
        "Netzwerkkoordination Jugendamt",
        "midway",
        "laufend",
        "leitung-jugendamt",
        confirms="leitung-kjfs",
        notes=("Erste Fallkonferenz mit allen drei Fachbereichen.",),
    ),
    DemoMeasure(
        "Nachhaltigkeitsrunde im Bauhof",
        "Vierteljährliche Runde zu Fuhrpark, Grünpflege und Materialeinsatz.",
        ("nachhaltig",),
        ("bauhof",),
        "Betriebsleitung Bauhof",
        "midway",
        "laufend",
        "admin",
    ),
    DemoMeasure(
        "Merkblätter in sieben Sprachen",
        "Die häufigsten Anliegen der Ausländerbehörde als kurze Merkblätter in sieben Sprachen, "
        "am Schalter und online.",
        ("transparenz", "kundenorientiert"),
        ("auslaenderbehoerde",),
        "Leitung Ausländerbehörde",
        "midway",
        "umgesetzt",
        "admin",
        public=True,
    ),
    DemoMeasure(
        "Online-Termine in den Bürgerbüros",
        "Termine im Bürgerbüro Mitte und Nord online buchen, mit Erinnerung per SMS oder E-Mail.",
        ("kundenorientiert", "unbuerokratisch"),
        ("team-buergerbuero-mitte", "team-buergerbuero-nord"),
        "Leitung Bürgerdienste",
        "recent",
        "laufend",
        "admin",
        public=True,
    ),
)


async def _start_days() -> dict[str, dt.date] | None:
    """The demo's start days: midway (the first staff wave of the second half) and recent (the
    day after the newest closed wave opened); None without closed staff waves."""
    closed = [w for w in await wave_store.list_waves() if w.status == "closed"]
    staff = sorted((w for w in closed if w.audience == "staff"), key=lambda w: w.opens_on)
    if len(staff) < 2:
        return None
    return {
        "midway": staff[len(staff) // 2].opens_on,
        "recent": max(w.opens_on for w in closed) + dt.timedelta(days=1),
    }


def _carried_on(keys: tuple[str, ...], units: set[str]) -> tuple[str, ...]:
    """The units as they are named now: after the demo's reorganisation, a unit that ended is
    the one that carries on its work (survey.services.demo_reorganisation.SUCCESSOR)."""
    now = [key if key in units else SUCCESSOR.get(key, key) for key in keys]
    return tuple(dict.fromkeys(now))


async def add_demo_measures() -> list[str]:
    """Add the demo's measures that are not there yet (their units must exist); their titles."""
    starts = await _start_days()
    if starts is None:
        return []
    units = {u.key for u in await org_store.list_units()}
    admin = await principal_of("admin")
    existing = {m.title for m in await visible_measures(admin)}
    added = []
    for planned in MEASURES:
        planned = replace(planned, units=_carried_on(planned.units, units))
        if planned.title in existing or not set(planned.units) <= units:
            continue
        creator = await principal_of(planned.creator)
        start = starts[planned.starts]
        first = planned.units[:1] if planned.confirms else planned.units
        measure = await create_measure(
            creator,
            MeasureInput(
                title=planned.title,
                description=planned.description,
                values=planned.values,
                units=first,
                responsible=planned.responsible,
                starts_on=start.isoformat(),
                due_on=(start + dt.timedelta(days=365)).isoformat(),
                status=planned.status,
            ),
        )
        if planned.confirms:
            confirming = await principal_of(planned.confirms)
            for unit in planned.units[1:]:
                await invite_unit(creator, measure.id, unit)
                await confirm_unit(confirming, measure.id, unit)
        if planned.public:
            await change_measure(await principal_of("buero"), measure.id, MeasureChange(public=True))
        for number, note in enumerate(planned.notes):
            await add_note(
                creator, measure.id, (start + dt.timedelta(days=30 * (number + 1))).isoformat(), note
            )
        added.append(planned.title)
    return added

"""Measures (Maßnahmen): who creates, joins, changes and reads them, their notes and statuses, the
checks of every field, and the audit log's entries; on SQLite and PostgreSQL.

The organisation is the demo Kommune's (`field`): Dezernat kjfs with Jugendamt (ASD, Kita-
Verwaltung), Jobcenter, Sozialamt and Schul- und Sportverwaltung below it. The viewers are
principals built here with the grants of each role (who signs in is the web tests' business).
"""

from __future__ import annotations

import datetime as dt

import pytest

from survey.services.accounts import Grant, Principal
from survey.services.audit import audit_log
from survey.services.measures import (
    MeasureChange,
    MeasureConflict,
    MeasureError,
    MeasureForbidden,
    MeasureInput,
    MeasureNotFound,
    add_note,
    change_measure,
    confirm_unit,
    create_measure,
    find_measure,
    invite_unit,
    measure_catalog,
    owned_measures,
    rights_of,
    visible_measures,
    waiting_invitations,
)
from survey.store.org import list_units

TODAY = dt.date(2026, 11, 21)


async def _viewer(username: str, *grants: str) -> Principal:
    """A principal with grants written as `role` or `role:unit`."""
    paths = {u.key: (u.name, u.path) for u in await list_units()}
    made = []
    for grant in grants:
        role, _, unit = grant.partition(":")
        name, path = paths[unit] if unit else (None, "/")
        made.append(Grant(role, unit or None, name, path))
    return Principal(username, username, tuple(made))


def _measure(**changes: object) -> MeasureInput:
    fields: dict[str, object] = {
        "title": "Runder Tisch Übergang Schule–Beruf",
        "description": "Jugendamt, Jobcenter und Schulverwaltung treffen sich monatlich.",
        "values": ["gemeinsam"],
        "units": ["jugendamt"],
        "responsible": "Netzwerkkoordination",
        "starts_on": "2026-12-01",
        "due_on": "30.6.2027",
        "effect_lag_days": "30",
    }
    fields.update(changes)
    return MeasureInput(**fields)  # type: ignore[arg-type]


async def _entries(action: str) -> list[tuple[str, str, str]]:
    return [(e.username, e.target, e.detail) for e in await audit_log(action=action)]


async def test_a_lead_of_the_common_parent_creates_a_measure_of_several_units(field) -> None:  # type: ignore[no-untyped-def]
    dezernat = await _viewer("leitung-kjfs", "lead:kjfs")
    measure = await create_measure(dezernat, _measure(units=["jugendamt", "jobcenter", "schule-sport"]))
    assert [(o.unit, o.confirmed, o.confirmed_by) for o in measure.owners] == [
        ("jugendamt", True, "leitung-kjfs"),
        ("jobcenter", True, "leitung-kjfs"),
        ("schule-sport", True, "leitung-kjfs"),
    ]
    assert (measure.starts_on, measure.due_on, measure.effect_lag_days) == (
        dt.date(2026, 12, 1),
        dt.date(2027, 6, 30),
        30,
    )
    assert (measure.status, measure.public, measure.values, measure.items) == (
        "geplant",
        False,
        ("gemeinsam",),
        (),
    )
    assert await _entries("measure.create") == [
        (
            "leitung-kjfs",
            f"{measure.id}: Runder Tisch Übergang Schule–Beruf",
            "units=jugendamt,jobcenter,schule-sport; values=gemeinsam; status=geplant",
        )
    ]
    # the Dezernat's measures are those of the units below it; the effect check sees all three
    assert [m.id for m in await owned_measures(["kjfs"])] == [measure.id]
    assert [m.id for m in await owned_measures(["sozialamt"])] == []


async def test_one_lead_creates_and_the_other_unit_lead_joins(field) -> None:  # type: ignore[no-untyped-def]
    jugendamt = await _viewer("leitung-jugendamt", "lead:jugendamt")
    jobcenter = await _viewer("leitung-jobcenter", "lead:jobcenter")
    sozialamt = await _viewer("leitung-sozialamt", "lead:sozialamt")
    measure = await create_measure(jugendamt, _measure(units=["jugendamt", "jobcenter"]))
    assert [(o.unit, o.confirmed) for o in measure.owners] == [("jugendamt", True), ("jobcenter", False)]
    assert "invited=jobcenter" in (await _entries("measure.create"))[0][2]
    # only confirmed units own it: on their pages and in the effect check
    owned = await owned_measures()
    assert [o.unit for o in owned[0].owners] == ["jugendamt"]
    assert await owned_measures(["jobcenter"]) == []
    assert [m.id for m in await visible_measures(jugendamt, unit="jugendamt")] == [measure.id]
    assert await visible_measures(jobcenter, unit="jobcenter") == []

    # the invited unit's lead reads it (to decide), is asked, but changes nothing before joining
    assert [m.id for m in await visible_measures(jobcenter)] == [measure.id]
    assert [(m.id, units) for m, units in await waiting_invitations(jobcenter)] == [
        (measure.id, ("jobcenter",))
    ]
    rights = rights_of(jobcenter, await find_measure(jobcenter, measure.id))
    assert (rights.edit, rights.confirm) == (False, ("jobcenter",))
    with pytest.raises(MeasureForbidden):
        await add_note(jobcenter, measure.id, "2026-11-20", "Wir sind dabei", today=TODAY)
    with pytest.raises(MeasureForbidden):
        await confirm_unit(sozialamt, measure.id, "jobcenter")  # not theirs to confirm
    with pytest.raises(MeasureForbidden):
        await confirm_unit(jugendamt, measure.id, "jobcenter")  # the inviter neither

    joined = await confirm_unit(jobcenter, measure.id, "jobcenter")
    assert [(o.unit, o.confirmed, o.confirmed_by) for o in joined.owners] == [
        ("jugendamt", True, "leitung-jugendamt"),
        ("jobcenter", True, "leitung-jobcenter"),
    ]
    assert await waiting_invitations(jobcenter) == []
    assert [m.id for m in await visible_measures(jobcenter, unit="jobcenter")] == [measure.id]
    noted = await add_note(jobcenter, measure.id, "2026-11-20", "Wir sind dabei", today=TODAY)
    assert [(n.author, n.text) for n in noted.notes] == [("leitung-jobcenter", "Wir sind dabei")]
    with pytest.raises(MeasureConflict, match="has confirmed already"):
        await confirm_unit(jobcenter, measure.id, "jobcenter")
    with pytest.raises(MeasureNotFound, match="not invited"):
        await confirm_unit(await _viewer("buero", "office"), measure.id, "sozialamt")
    assert await _entries("measure.confirm") == [
        ("leitung-jobcenter", f"{measure.id}: Runder Tisch Übergang Schule–Beruf", "unit=jobcenter")
    ]

    # a further unit: invited by an editor, joined at once where the one who adds it leads it too
    invited = await invite_unit(jugendamt, measure.id, "schule-sport")
    assert [(o.unit, o.confirmed) for o in invited.owners][-1] == ("schule-sport", False)
    with pytest.raises(MeasureConflict, match="among the units"):
        await invite_unit(jobcenter, measure.id, "schule-sport")
    added = await invite_unit(jugendamt, measure.id, "asd")
    assert [(o.unit, o.confirmed) for o in added.owners][-1] == ("asd", True)
    with pytest.raises(MeasureError) as unknown:
        await invite_unit(jugendamt, measure.id, "mond")
    assert set(unknown.value.fields) == {"unit"} and "no unit mond" in unknown.value.fields["unit"].text()
    with pytest.raises(MeasureForbidden):
        await invite_unit(sozialamt, measure.id, "sozialamt")  # no owner of it: cannot join itself
    assert [d for _, _, d in await _entries("measure.invite")] == ["unit=schule-sport"]


async def test_a_lead_outside_the_scope_is_refused(field) -> None:  # type: ignore[no-untyped-def]
    jugendamt = await _viewer("leitung-jugendamt", "lead:jugendamt")
    sozialamt = await _viewer("leitung-sozialamt", "lead:sozialamt")
    asd = await _viewer("leitung-asd", "lead:asd")
    with pytest.raises(MeasureError) as refused:
        await create_measure(sozialamt, _measure(units=["jugendamt"]))
    assert set(refused.value.fields) == {"units"}
    assert "you lead none of the chosen units" in refused.value.fields["units"].text()
    measure = await create_measure(jugendamt, _measure())
    for step in (
        find_measure(sozialamt, measure.id),
        change_measure(sozialamt, measure.id, MeasureChange(title="Anders")),
        add_note(sozialamt, measure.id, "2026-11-20", "Notiz", today=TODAY),
        visible_measures(sozialamt, unit="jugendamt"),
        # a lead below the owning unit does not lead it
        change_measure(asd, measure.id, MeasureChange(status="laufend")),
        # leads do not mark measures public
        change_measure(jugendamt, measure.id, MeasureChange(public=True)),
    ):
        with pytest.raises(MeasureForbidden):
            await step
    assert await visible_measures(sozialamt) == [] and await visible_measures(asd) == []
    with pytest.raises(MeasureNotFound):
        await find_measure(jugendamt, 99999)
    with pytest.raises(MeasureNotFound):
        await visible_measures(jugendamt, unit="mond")
    assert not await _entries("measure.edit") and not await _entries("measure.note")


async def test_the_office_and_the_personalrat_read_every_measure_the_personalrat_only_reads(field) -> None:  # type: ignore[no-untyped-def]
    jugendamt = await _viewer("leitung-jugendamt", "lead:jugendamt")
    sozialamt = await _viewer("leitung-sozialamt", "lead:sozialamt")
    office = await _viewer("buero", "office")
    personalrat = await _viewer("personalrat", "personalrat")
    analyst = await _viewer("auswertung-jugendamt", "analyst:jugendamt")
    admin = await _viewer("admin", "admin")
    first = await create_measure(jugendamt, _measure())
    second = await create_measure(sozialamt, _measure(title="Grundsicherung digital", units=["sozialamt"]))
    for reader in (office, personalrat, admin):
        assert {m.id for m in await visible_measures(reader)} == {first.id, second.id}
        assert (await find_measure(reader, second.id)).title == "Grundsicherung digital"
    assert [m.id for m in await visible_measures(analyst)] == [first.id]
    with pytest.raises(MeasureForbidden):
        await find_measure(analyst, second.id)

    for step in (
        change_measure(personalrat, first.id, MeasureChange(status="laufend")),
        change_measure(personalrat, first.id, MeasureChange(public=True)),
        add_note(personalrat, first.id, "2026-11-20", "Notiz", today=TODAY),
        invite_unit(personalrat, first.id, "jobcenter"),
        confirm_unit(personalrat, first.id, "jugendamt"),
        create_measure(personalrat, _measure()),
        create_measure(analyst, _measure()),
        # the office marks measures public and confirms units, but writes no measure of its own
        create_measure(office, _measure()),
        change_measure(office, first.id, MeasureChange(title="Anders")),
        add_note(office, first.id, "2026-11-20", "Notiz", today=TODAY),
    ):
        with pytest.raises(MeasureForbidden):
            await step
    public = await change_measure(office, first.id, MeasureChange(public=True))
    assert public.public and public.title == first.title
    assert await _entries("measure.public") == [("buero", public.target, "public=yes; units=jugendamt")]
    # the office adds a unit: its word counts as a confirmation
    assert [(o.unit, o.confirmed) for o in (await invite_unit(office, first.id, "jobcenter")).owners][-1] == (
        "jobcenter",
        True,
    )
    everything = await change_measure(
        admin, second.id, MeasureChange(title="Grundsicherung online", public=True)
    )
    assert (everything.title, everything.public) == ("Grundsicherung online", True)
    assert (await _entries("measure.edit"))[0] == (
        "admin",
        everything.target,
        "changed=public,title; units=sozialamt",
    )


async def test_notes_with_their_days_and_status_changes(field) -> None:  # type: ignore[no-untyped-def]
    lead = await _viewer("leitung-jugendamt", "lead:jugendamt")
    measure = await create_measure(lead, _measure())
    await add_note(lead, measure.id, "2026-11-02", "Erstes Treffen", today=TODAY)
    await add_note(lead, measure.id, "21.11.2026", "Zweites Treffen", today=TODAY)
    noted = await add_note(lead, measure.id, "2026-11-10", "Protokoll verschickt", today=TODAY)
    assert [(n.noted_on, n.text, n.author) for n in noted.notes] == [
        (dt.date(2026, 11, 21), "Zweites Treffen", "leitung-jugendamt"),
        (dt.date(2026, 11, 10), "Protokoll verschickt", "leitung-jugendamt"),
        (dt.date(2026, 11, 2), "Erstes Treffen", "leitung-jugendamt"),
    ]
    with pytest.raises(MeasureError) as refused:
        await add_note(lead, measure.id, "2026-11-22", "  ", today=TODAY)
    assert set(refused.value.fields) == {"noted_on", "text"}
    assert "after today" in refused.value.fields["noted_on"].text()
    with pytest.raises(MeasureError) as bad_day:
        await add_note(lead, measure.id, "gestern", "Text", today=TODAY)
    assert "gestern is no day" in bad_day.value.fields["noted_on"].text()
    assert [d for _, _, d in await _entries("measure.note")] == [
        "note of 2026-11-10; units=jugendamt",
        "note of 2026-11-21; units=jugendamt",
        "note of 2026-11-02; units=jugendamt",
    ]

    for status in ("laufend", "umgesetzt", "verworfen", "geplant"):
        assert (await change_measure(lead, measure.id, MeasureChange(status=status))).status == status
    assert [d for _, _, d in await _entries("measure.status")][:2] == [
        "status=geplant (was verworfen); units=jugendamt",
        "status=verworfen (was umgesetzt); units=jugendamt",
    ]
    with pytest.raises(MeasureError) as unknown:
        await change_measure(lead, measure.id, MeasureChange(status="erledigt"))
    assert "erledigt is not a status" in unknown.value.fields["status"].text()
    # nothing changed: nothing written
    before = len(await _entries("measure.edit")) + len(await _entries("measure.status"))
    await change_measure(lead, measure.id, MeasureChange(title=measure.title, status="geplant"))
    assert len(await _entries("measure.edit")) + len(await _entries("measure.status")) == before
    removed = await change_measure(lead, measure.id, MeasureChange(due_on="", effect_lag_days="0"))
    assert (removed.due_on, removed.effect_lag_days) == (None, 0)
    assert (await _entries("measure.edit"))[0][2] == "changed=due_on,effect_lag_days; units=jugendamt"


async def test_every_field_names_its_problem_and_good_input_passes(field) -> None:  # type: ignore[no-untyped-def]
    lead = await _viewer("leitung-jugendamt", "lead:jugendamt")
    catalog = await measure_catalog()
    assert "gemeinsam" in catalog.value_keys()
    together = next(i for i in catalog.items if "gemeinsam" in i.values)
    elsewhere = next(i for i in catalog.items if "gemeinsam" not in i.values)
    wrong = _measure(
        title="Zeile\neins",
        description="x" * 5001,
        values=["gemeinsam", "mond"],
        items=[together.id],
        units=[],
        responsible="",
        starts_on="2026-13-01",
        due_on="2026-01-01",
        effect_lag_days="731",
        status="erledigt",
    )
    with pytest.raises(MeasureError) as refused:
        await create_measure(lead, wrong)
    problems = {name: message.text() for name, message in refused.value.fields.items()}
    assert set(problems) == {
        "title",
        "description",
        "values",
        "units",
        "responsible",
        "starts_on",
        "effect_lag_days",
        "status",
    }
    assert "line break" in problems["title"] and "5001 characters" in problems["description"]
    assert "mond is not a value of the Leitbild" in problems["values"] and "gemeinsam" in problems["values"]
    assert "at least one unit" in problems["units"] and "responsible" in problems["responsible"]
    assert "2026-13-01 is no day" in problems["starts_on"] and "from 0 to 730" in problems["effect_lag_days"]
    assert refused.value.message.text() == "8 entries need a change"
    assert await visible_measures(lead) == []

    for changes, name, says in (
        ({"title": "x" * 201}, "title", "201 characters"),
        ({"values": []}, "values", "at least one value"),
        ({"items": ["gibt-es-nicht"]}, "items", "not a question of a published questionnaire"),
        ({"items": [elsewhere.id]}, "items", f"the question {elsewhere.id} measures"),
        ({"units": ["mond"]}, "units", "no unit mond"),
        ({"starts_on": ""}, "starts_on", "the day the measure starts"),
        ({"due_on": "1.11.2026"}, "due_on", "before the start 2026-12-01"),
        ({"starts_on": "1.1.1999"}, "starts_on", "too far from today"),
        ({"effect_lag_days": "-3"}, "effect_lag_days", "-3 is no waiting time"),
    ):
        with pytest.raises(MeasureError) as one:
            await create_measure(lead, _measure(**changes))
        assert set(one.value.fields) == {name} and says in one.value.fields[name].text(), changes

    good = await create_measure(
        lead, _measure(items=[together.id, together.id], values=["gemeinsam", "gemeinsam"])
    )
    assert (good.items, good.values) == ((together.id,), ("gemeinsam",))
    with pytest.raises(MeasureError) as later:
        await change_measure(lead, good.id, MeasureChange(values=["vertrauen"]))
    assert set(later.value.fields) == {"items"}  # the item measures another value than those left
    changed = await change_measure(lead, good.id, MeasureChange(values=["vertrauen"], items=[]))
    assert (changed.values, changed.items) == (("vertrauen",), ())

"""Waves: creation rules, opening locks version and thresholds, closing."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.services.waves import (
    WaveError,
    answerable,
    close_wave,
    create_wave,
    edit_wave,
    list_waves,
    open_wave,
)
from survey.store.tables import WaveRow, WaveUnitRow

TODAY = dt.date(2026, 11, 21)


def _create(field, **changes):  # type: ignore[no-untyped-def]
    arguments = dict(
        key="runde",
        questionnaires=field.questionnaires,
        questionnaire="staff-pulse",
        version=None,
        units=["jugendamt"],
        opens_on=TODAY,
        closes_on=TODAY + dt.timedelta(days=14),
    )
    arguments.update(changes)
    return create_wave(**arguments)


async def test_create_takes_the_newest_version_and_the_subtree(field) -> None:  # type: ignore[no-untyped-def]
    wave = await _create(field)
    assert (wave.questionnaire, wave.version, wave.audience, wave.status) == (
        "staff-pulse",
        2,
        "staff",
        "draft",
    )
    assert (wave.k, wave.k_text) == (5, 10)
    units = await WaveUnitRow.count().where(WaveUnitRow.wave == wave.id).run()
    assert units == 3  # Jugendamt with ASD and Kita-Verwaltung
    single = await create_wave(
        key="nur-amt",
        questionnaires=field.questionnaires,
        questionnaire="staff-pulse",
        version=1,
        units=["jugendamt"],
        opens_on=TODAY,
        closes_on=TODAY,
        subtrees=False,
    )
    assert single.version == 1
    assert await WaveUnitRow.count().where(WaveUnitRow.wave == single.id).run() == 1


async def test_a_version_only_in_the_database_serves_a_wave(field) -> None:  # type: ignore[no-untyped-def]
    """The database is the record: a version published there (from the browser) needs no file,
    and without a folder the newest published version is taken."""
    import shutil

    shutil.rmtree(field.questionnaires / "staff-pulse")
    wave = await _create(field)
    assert (wave.questionnaire, wave.version) == ("staff-pulse", 2)
    shutil.rmtree(field.questionnaires)
    older = await _create(field, key="aelter", version=1)
    assert older.version == 1
    with pytest.raises(Exception, match=r"staff-pulse has no version 9 \(versions: v1, v2\)"):
        await _create(field, key="gibt-es-nicht", version=9)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": "Runde 1"}, "is not a wave key"),
        ({"key": "puls"}, "a wave `puls` exists already"),
        ({"closes_on": TODAY - dt.timedelta(days=1)}, "is before --opens"),
        ({"k": 2}, "at least 3 respondents"),
        ({"k": 6, "k_text": 5}, "--k-text 5"),
        ({"units": ["nirgendwo"]}, "no unit with key `nirgendwo`"),
        ({"units": []}, "name at least one unit"),
        ({"questionnaire": "kantine"}, "there is no questionnaire `kantine`"),
        ({"version": 9}, "staff-pulse has no version 9"),
    ],
)
async def test_bad_waves_are_refused_clearly(field, changes: dict, message: str) -> None:  # type: ignore[no-untyped-def]
    before = await WaveRow.count().run()
    with pytest.raises(Exception, match=message):
        await _create(field, **changes)
    assert await WaveRow.count().run() == before


async def test_open_locks_version_thresholds_and_start(field, approve) -> None:  # type: ignore[no-untyped-def]
    await _create(field)
    changed = await edit_wave("runde", k=7, k_text=12, title="Neu")
    assert (changed.k, changed.k_text, changed.title) == (7, 12, "Neu")
    await approve("runde", field.questionnaires)
    opened = await open_wave("runde", TODAY, field.questionnaires)
    assert opened.status == "open"
    for locked in ({"k": 5}, {"k_text": 20}, {"opens_on": TODAY + dt.timedelta(days=1)}):
        with pytest.raises(WaveError, match="locked once a wave opens"):
            await edit_wave("runde", **locked)
    longer = await edit_wave("runde", closes_on=TODAY + dt.timedelta(days=30))
    assert longer.closes_on == TODAY + dt.timedelta(days=30) and longer.k == 7
    with pytest.raises(WaveError, match="open already"):
        await open_wave("runde", TODAY, field.questionnaires)
    closed = await close_wave("runde")
    assert closed.status == "closed"
    with pytest.raises(WaveError, match="is not opened again"):
        await open_wave("runde", TODAY, field.questionnaires)
    with pytest.raises(WaveError, match="nothing about it changes"):
        await edit_wave("runde", title="x")


async def test_a_wave_past_its_last_day_cannot_open(field) -> None:  # type: ignore[no-untyped-def]
    await _create(field, opens_on=TODAY - dt.timedelta(days=20), closes_on=TODAY - dt.timedelta(days=5))
    with pytest.raises(WaveError, match="which has passed"):
        await open_wave("runde", TODAY, field.questionnaires)


async def test_answerable_states_and_listing(field, approve) -> None:  # type: ignore[no-untyped-def]
    wave = await _create(field)
    assert answerable(wave, TODAY) == "draft"
    await approve("runde", field.questionnaires)
    wave = await open_wave("runde", TODAY, field.questionnaires)
    assert answerable(wave, TODAY - dt.timedelta(days=1)) == "not_yet_open"
    assert answerable(wave, TODAY) == "open"
    assert answerable(wave, TODAY + dt.timedelta(days=15)) == "closed"
    listing = {w.wave.key: w for w in await list_waves()}
    assert listing["runde"].units == 3 and listing["runde"].responses == 0

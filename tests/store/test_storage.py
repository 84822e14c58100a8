"""Migrations, engine settings and bulk loading, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import importlib
import sqlite3
import uuid
from pathlib import Path

import pytest

from survey.errors import ConfigError
from survey.store.bulk import ResponseBatch, bulk_insert_responses
from survey.store.counts import count_table, respondents
from survey.store.engine import current_engine, engine_from_url, is_sqlite, sqlite_path, write_transaction
from survey.store.migrate import migration_status, upgrade
from survey.store.tables import Answer, Comment, OrgUnitRow, ResponseRow
from survey.store.tally import RESPONSES, differences
from survey.store.waves import delete_wave

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


async def test_upgrade_applies_every_migration_once(db: str) -> None:
    status = await migration_status()
    assert len(status) >= 2
    assert all(applied for _, _, applied in status)
    assert await upgrade() == []  # nothing left to do


async def test_answers_keep_one_index_and_counts_come_from_the_tally(db: str) -> None:
    """The answers' one index is (unit, wave); the count index and the response index are gone,
    and so is the response's foreign key (deleting a response would scan every answer)."""
    engine = current_engine()
    if is_sqlite(engine):
        rows = await OrgUnitRow.raw("SELECT name FROM sqlite_master WHERE type IN ('index', 'table')")
        keys = await OrgUnitRow.raw("SELECT \"from\" AS name FROM pragma_foreign_key_list('answer')")
    else:
        rows = await OrgUnitRow.raw(
            "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public' "
            "UNION SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        keys = await OrgUnitRow.raw(
            "SELECT conname AS name FROM pg_constraint WHERE conrelid = 'answer'::regclass AND contype = 'f'"
        )
    names = {r["name"] for r in rows}
    assert {"answer_unit", "answer_tally", "questionnaire_version_unique", "wave_unit_unique"} <= names
    assert not {"answer_counts", "answer_response", "response_wave"} & names
    assert not [k for k in keys if "response" in k["name"]]


async def test_the_tally_counts_what_a_bulk_load_stored_and_forgets_a_deleted_wave(db: str) -> None:
    unit_id = await _unit()
    wave_id = await _wave(unit_id)
    await bulk_insert_responses(wave_id, [_batch(unit_id, 40, 16), _batch(unit_id, 30, 16)])
    assert await differences() == {}
    rows = await count_table([wave_id], units=[unit_id])
    assert sum(n for *_, n in rows) == 70 * 16
    # items 0, 7 and 14: "keine Angabe"
    assert sum(n for _, _, _, value, n in rows if value is None) == 70 * 3
    assert [tuple(r) for r in await respondents([wave_id])] == [(wave_id, unit_id, 70)]
    await delete_wave(wave_id)
    assert await count_table([wave_id], units=[unit_id]) == []
    assert await respondents([wave_id]) == []
    assert await differences() == {}
    wave_id = await _wave(unit_id)
    await bulk_insert_responses(wave_id, [_batch(unit_id, 5, 4)])
    await Answer.raw("UPDATE answer_tally SET n = n + 1 WHERE item = 'item-1'")  # a writer's slip
    assert list((await differences()).values()) == [(5, 6)]


async def test_the_tally_counts_the_responses_and_the_migration_fills_them_in(db: str) -> None:
    """The responses per unit and wave come from the tally; the migration of 2026-12-07T15:00 counts
    those stored before it."""
    unit_id = await _unit()
    wave_id = await _wave(unit_id)
    await bulk_insert_responses(wave_id, [_batch(unit_id, 12, 4)])
    await Answer.raw("DELETE FROM answer_tally WHERE item = {}", RESPONSES)  # as before the migration
    assert list((await differences()).values()) == [(12, 0)]
    assert await respondents([wave_id]) == []
    migration = importlib.import_module("survey.store.piccolo_migrations.store_2026_12_07t15_00_00_000000")
    await (await migration.forwards()).run()
    assert await differences() == {}
    assert [tuple(r) for r in await respondents([wave_id])] == [(wave_id, unit_id, 12)]


def test_sqlite_file_is_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from survey.store.engine import use_engine

    path = tmp_path / "wal.sqlite3"
    use_engine(engine_from_url(f"sqlite:///{path}"))
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_engine_waits_for_the_lock() -> None:
    engine = engine_from_url("sqlite:///x.sqlite3", sqlite_timeout=12.5)
    assert engine.connection_kwargs["timeout"] == 12.5  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///:memory:", "must be a file"),
        ("sqlite://relative.db", "sqlite:///relative/path"),
        ("mysql://localhost/x", "use sqlite:///"),
        ("nonsense", "use sqlite:///"),
    ],
)
def test_bad_database_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        engine_from_url(url)
    assert url in str(caught.value)


def test_relative_and_absolute_sqlite_paths() -> None:
    assert str(sqlite_path("sqlite:///var/x.sqlite3")) == "var/x.sqlite3"
    assert str(sqlite_path("sqlite:////tmp/x.sqlite3")) == "/tmp/x.sqlite3"
    assert sqlite_path("postgresql://localhost/x") is None


async def test_sqlite_write_transactions_take_the_lock_at_once(sqlite_db: str) -> None:
    """IMMEDIATE: a second writer is locked out from BEGIN on, not only from the first write."""
    engine = current_engine()
    async with write_transaction():
        await OrgUnitRow.select(OrgUnitRow.id).run()  # a read only: a DEFERRED one would hold no lock
        other = sqlite3.connect(engine.path, timeout=0)  # type: ignore[attr-defined]
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


async def _unit() -> int:
    rows = (
        await OrgUnitRow.insert(
            OrgUnitRow(key="u", name="U", kind="Verwaltung", headcount=1, path="/u/", depth=0)
        )
        .returning(OrgUnitRow.id)
        .run()
    )
    return rows[0]["id"]


async def _wave(unit_id: int) -> int:
    from survey.domain import load_catalog
    from survey.services.catalog import publish_catalog
    from survey.store import waves

    await publish_catalog(load_catalog(QUESTIONNAIRES))
    version = await waves.version_id("staff-pulse", 1)
    assert version is not None
    return await waves.insert_wave(
        key="w",
        title="W",
        version_id=version,
        audience="staff",
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 1, 31),
        unit_ids=[unit_id],
    )


def _batch(unit_id: int, people: int, items: int) -> ResponseBatch:
    batch = ResponseBatch()
    day = dt.date(2026, 1, 15)
    for _ in range(people):
        rid = uuid.uuid4()
        batch.responses.append((rid, unit_id, None, "de", day))
        batch.answers.extend(
            (rid, unit_id, f"item-{i}", (i % 5) + 1 if i % 7 else None) for i in range(items)
        )
        batch.comments.append((rid, unit_id, "kommentar", "<b>text</b>", day))
    return batch


async def test_bulk_insert_goes_past_the_parameter_limit(db: str) -> None:
    """40,000 answers (×5 columns) in one batch: far over the drivers' ~32,766 parameters."""
    unit_id = await _unit()
    wave_id = await _wave(unit_id)
    counts = await bulk_insert_responses(wave_id, [_batch(unit_id, 2_500, 16)])
    assert (counts.responses, counts.answers, counts.comments) == (2_500, 40_000, 2_500)
    assert await Answer.count().where(Answer.wave == wave_id).run() == 40_000
    assert await Answer.count().where(Answer.value.is_null()).run() == 2_500 * 3  # items 0, 7 and 14
    assert await Comment.select(Comment.text).first().run() == {"text": "<b>text</b>"}


async def test_bulk_insert_is_all_or_nothing(db: str) -> None:
    unit_id = await _unit()
    wave_id = await _wave(unit_id)

    def batches():  # type: ignore[no-untyped-def]
        yield _batch(unit_id, 10, 3)
        raise RuntimeError("generator failed half-way")

    with pytest.raises(RuntimeError):
        await bulk_insert_responses(wave_id, batches())
    assert await ResponseRow.count().run() == 0
    assert await Answer.count().run() == 0


async def test_comments_stored_before_redaction_are_redacted_by_the_upgrade(field) -> None:  # type: ignore[no-untyped-def]
    """The migration of 2026-12-06T14:40 run again over a comment stored as typed (as before it)."""

    from survey.store.tables import WaveRow

    wave = await WaveRow.select(WaveRow.id).where(WaveRow.key == "puls").first().run()
    unit = await OrgUnitRow.select(OrgUnitRow.id).where(OrgUnitRow.key == "asd").first().run()
    response = uuid.uuid4()
    today = dt.date.today()
    await ResponseRow.insert(
        ResponseRow(id=response, wave=wave["id"], unit=unit["id"], language="de", submitted_on=today)
    ).run()
    typed = "Frau Brenninkmeyer ist erreichbar unter 0171 4455667 oder anna.b@lindenau.de."
    kept = "Paragraph 31 SGB II verstehen wir nicht."
    for text in (typed, kept):
        await Comment.insert(
            Comment(
                response=response,
                wave=wave["id"],
                unit=unit["id"],
                item="kommentar",
                text=text,
                submitted_on=today,
            )
        ).run()
    migration = importlib.import_module("survey.store.piccolo_migrations.store_2026_12_06t14_40_00_000000")
    await (await migration.forwards()).run()
    texts = sorted(r["text"] for r in await Comment.select(Comment.text).run())
    assert texts == ["Frau [Name] ist erreichbar unter [Telefonnummer] oder [E-Mail].", kept]

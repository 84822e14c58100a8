"""`survey backup`, `survey restore` and `survey purge` on SQLite and PostgreSQL, in-process
through click's runner: every row of every table comes back; broken, foreign and cross-engine
files are refused with a clear message and change nothing; purging leaves the figures."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from survey.cli.main import main
from survey.errors import SurveyError
from survey.services.backup import months_ago, parse_age

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"


def _run(url: str, *args: str, stdin: str = "") -> Result:
    result = CliRunner().invoke(
        main, list(args), input=stdin, env={"DATABASE_URL": url, "SURVEY_QUESTIONNAIRES": str(QUESTIONNAIRES)}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def _tables(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (sorted), straight from the driver."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {
                n: sorted(map(repr, db.execute(f'SELECT * FROM "{n}"')))
                for n in names
                if n != "sqlite_sequence"
            }

    async def read() -> dict[str, list[tuple]]:
        import asyncpg

        connection = await asyncpg.connect(url)
        try:
            names = [
                r[0]
                for r in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ]
            return {
                n: sorted(repr(tuple(r)) for r in await connection.fetch(f'SELECT * FROM "{n}"'))
                for n in names
            }
        finally:
            await connection.close()

    return asyncio.run(read())


def _count(url: str, table: str) -> int:
    return len(_tables(url)[table])


def test_backup_and_restore_round_trip_every_row(database_url: str, tmp_path: Path) -> None:
    built = _run(database_url, "demo", "--staff", "120", "--waves", "2", "--citizen-ratings", "40")
    assert built.exit_code == 0, built.output
    before = _tables(database_url)
    assert len(before["answer"]) > 1000 and len(before["app_user"]) == 6 and before["comment"]
    file = tmp_path / "lindenau.backup"
    taken = _run(database_url, "backup", str(file))
    assert taken.exit_code == 0 and str(file) in taken.stdout, taken.output
    # Everything changes after the backup: answers gone, a user added.
    assert (
        _run(
            database_url,
            "user",
            "add",
            "neu",
            "--role",
            "office",
            "--password-stdin",
            stdin="ein-langes-passwort\n",
        ).exit_code
        == 0
    )
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            db.execute("DELETE FROM answer")
    else:
        asyncio.run(_execute(database_url, "DELETE FROM answer"))
    assert _tables(database_url) != before
    refused = _run(database_url, "restore", str(file), stdin="n\n")
    assert refused.exit_code == 1 and _count(database_url, "answer") == 0  # asked, declined, nothing done
    restored = _run(database_url, "restore", str(file), "--yes")
    assert restored.exit_code == 0, restored.output
    assert _tables(database_url) == before
    assert _run(database_url, "db", "status").exit_code == 0


async def _execute(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def test_bad_backup_and_restore_arguments_are_refused_clearly(database_url: str, tmp_path: Path) -> None:
    assert _run(database_url, "db", "upgrade").exit_code == 0
    before = _tables(database_url)
    existing = tmp_path / "there.backup"
    existing.write_text("keep me", encoding="utf-8")
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("<script>alert(1)</script> not a database", encoding="utf-8")
    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE anything (x)")
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    pg_dump_file = tmp_path / "pg.backup"
    pg_dump_file.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
    cases = [
        (("backup", str(existing)), "exists already: choose another name or add --force"),
        (("backup", str(tmp_path / "missing" / "x.backup")), "does not exist; create it first"),
        (("backup", str(tmp_path)), "is a folder: give the name of the backup file"),
        (("restore", str(tmp_path / "nothing.backup"), "--yes"), "there is no such file"),
        (("restore", str(not_a_backup), "--yes"), "is not a backup made by `survey backup`"),
    ]
    if database_url.startswith("sqlite"):
        cases += [
            (("restore", str(foreign), "--yes"), "is an SQLite database, but not one of Leitbild-Puls"),
            (("restore", str(damaged), "--yes"), "damaged.backup"),
            (("restore", str(pg_dump_file), "--yes"), "is a PostgreSQL backup: restore it with DATABASE_URL"),
        ]
    else:
        cases += [
            (("restore", str(foreign), "--yes"), "is an SQLite backup: restore it with DATABASE_URL=sqlite"),
            (("restore", str(pg_dump_file), "--yes"), "pg_restore failed"),
        ]
    for args, message in cases:
        refused = _run(database_url, *args)
        assert refused.exit_code == 1 and message in refused.stderr, (args, refused.stderr)
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert _tables(database_url) == before  # nothing restored half


def test_purge_deletes_old_free_text_and_keeps_the_figures(database_url: str) -> None:
    built = _run(database_url, "demo", "--staff", "120", "--waves", "12", "--citizen-ratings", "40")
    assert built.exit_code == 0, built.output
    before = _tables(database_url)
    cutoff = months_ago(dt.date.today(), 24)
    old = [row for row in before["comment"] if _day_of(row) < cutoff]
    assert old and len(old) < len(before["comment"])
    purged = _run(database_url, "purge", "--comments-older-than", "24m")
    assert (
        purged.exit_code == 0 and f"deleted {len(old):,} comments submitted before {cutoff}" in purged.stdout
    )
    after = _tables(database_url)
    assert len(after["comment"]) == len(before["comment"]) - len(old)
    assert all(_day_of(row) >= cutoff for row in after["comment"])
    assert after["answer"] == before["answer"] and after["response"] == before["response"]
    assert any("comments.purge" in row for row in after["audit_log"])
    again = _run(database_url, "purge", "--comments-older-than", "2y")
    assert again.exit_code == 0 and "deleted 0 comments" in again.stdout
    for wrong in ("24", "24x", "0m", "-3m", "viele"):
        refused = _run(database_url, "purge", "--comments-older-than", wrong)
        assert (
            refused.exit_code == 1
            and "give months like 24m, years like 2y or days like 730d" in refused.stderr
        )


def _day_of(row: str) -> dt.date:
    """The submitted_on of a comment row's repr (its last date)."""
    import re

    found = re.findall(r"(\d{4})-(\d{2})-(\d{2})|date\((\d{4}), (\d{1,2}), (\d{1,2})\)", row)
    y, m, d, y2, m2, d2 = found[-1]
    return dt.date(int(y or y2), int(m or m2), int(d or d2))


def test_ages_and_month_arithmetic() -> None:
    assert parse_age("24m") == (24, "m") and parse_age(" 2Y ") == (2, "y") and parse_age("730d") == (730, "d")
    with pytest.raises(SurveyError):
        parse_age("zwei Jahre")
    assert months_ago(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_ago(dt.date(2026, 11, 21), 24) == dt.date(2024, 11, 21)
    assert months_ago(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)

"""Crash safety against the real server, on SQLite and PostgreSQL (issue 8, part 2).

Fifty clients submit as fast as they can; in the middle of the run the server and its report
process are killed with SIGKILL (no batch finished, no connection closed, no shutdown code run).
After a restart on the same database: every submission that had been acknowledged is stored,
none twice, no response is half written, and the database passes its integrity check. Then every
client sends its form again with the same submission key, as a browser does after a lost answer:
the acknowledged ones get "duplicate" (the stored result), the rest are stored now or found
stored — and in the end each form is in the database exactly once. Two crashes per engine.

Marked `slow` (`make test` and CI run it). Each round prints sent, acknowledged, stored,
duplicated, lost (which must be 0).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import httpx
import pytest
from piccolo.engine.postgres import PostgresEngine
from test_concurrency import ANSWERS, stored_in_wave

from survey.services.answering import new_submission_key
from survey.services.invitations import create_unit_link
from survey.store.engine import fetch_tuples
from survey.store.tables import ResponseRow, WaveRow

pytestmark = pytest.mark.slow

FORMS_PER_ROUND = 1000
CLIENTS = 50
#: the kill comes once this many submissions have been acknowledged: well inside the run
KILL_AFTER = 300


async def _wave_id() -> int:
    return (await WaveRow.select(WaveRow.id).where(WaveRow.key == "puls").first().run())["id"]


async def _stored() -> int:
    return await stored_in_wave("puls")


async def _load_until_crash(server, bodies: list[dict]) -> dict[int, int]:  # type: ignore[no-untyped-def]
    """Submit every body, CLIENTS at a time; SIGKILL the server after KILL_AFTER acknowledgements.
    The answer per body index: its status code, 0 where no answer came (refused, reset, cut off)."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(bodies)):
        queue.put_nowait(index)
    answers: dict[int, int] = {}
    acknowledged = asyncio.Event()
    count = 0

    async def client() -> None:
        nonlocal count
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            while not queue.empty():
                index = queue.get_nowait()
                try:
                    answer = await http.post("/api/v1/responses", json=bodies[index])
                except httpx.TransportError:
                    answers[index] = 0
                    continue
                answers[index] = answer.status_code
                if answer.status_code == 201:
                    count += 1
                    if count >= KILL_AFTER:
                        acknowledged.set()

    async def killer() -> None:
        await asyncio.wait_for(acknowledged.wait(), timeout=120)
        server.crash()

    await asyncio.gather(killer(), *(client() for _ in range(CLIENTS)))
    return answers


async def _resend(base: str, bodies: list[dict]) -> list[tuple[int, str]]:
    limits = asyncio.Semaphore(CLIENTS)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:

        async def send(body: dict) -> tuple[int, str]:
            async with limits:
                answer = await http.post("/api/v1/responses", json=body)
                return answer.status_code, answer.json().get("status", "")

        return await asyncio.gather(*(send(body) for body in bodies))


async def _check_integrity() -> None:
    """The database's own check, and no response without all its answers."""
    if isinstance(ResponseRow._meta.db, PostgresEngine):
        # amcheck verifies every B-tree index of our tables against its heap.
        await ResponseRow.raw("CREATE EXTENSION IF NOT EXISTS amcheck").run()
        indexes = await fetch_tuples(
            "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = 'public' AND c.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')"
        )
        for (index,) in indexes:
            await ResponseRow.raw(f"SELECT bt_index_check('{index}'::regclass, true)").run()
    else:
        assert await fetch_tuples("PRAGMA integrity_check") == [("ok",)]
        assert await fetch_tuples("PRAGMA foreign_key_check") == []
    incomplete = await fetch_tuples(
        "SELECT r.id FROM response r LEFT JOIN answer a ON a.response = r.id WHERE r.wave = {} "
        "GROUP BY r.id HAVING COUNT(a.id) <> {}",
        await _wave_id(),
        len(ANSWERS),
    )
    assert not incomplete, f"{len(incomplete)} responses without all their answers"
    orphans = await fetch_tuples(
        "SELECT COUNT(*) FROM response r LEFT JOIN submission_key k ON k.response = r.id "
        "WHERE r.wave = {} AND k.response IS NULL",
        await _wave_id(),
    )
    assert orphans[0][0] == 0, "a response without its submission key could be stored twice"


async def test_sigkill_during_load_loses_no_acknowledged_submission(field, running_server) -> None:  # type: ignore[no-untyped-def]
    link = await create_unit_link(field.settings, "puls", "jugendamt")
    token = link.url.rsplit("/", 1)[-1]
    everything: list[dict] = []
    for round_number in (1, 2):
        bodies = [
            {
                "channel": "unit",
                "reference": token,
                "access_code": link.access_code,
                "submission_key": await new_submission_key(field.settings),
                "answers": {item: max(1, value - random.randint(0, 2)) for item, value in ANSWERS.items()},
            }
            for _ in range(FORMS_PER_ROUND)
        ]
        before = await _stored()
        with running_server(field.settings.database_url) as server:
            answers = await _load_until_crash(server, bodies)
        statuses = Counter(answers.values())
        acknowledged = [i for i, status in answers.items() if status == 201]
        unanswered = len(bodies) - len(acknowledged)
        # Restarted on the same database: what was acknowledged is there, nothing half written.
        stored_after_crash = await _stored() - before
        await _check_integrity()
        with running_server(field.settings.database_url) as server:
            again = await _resend(server.base, bodies)
        resent = Counter(again)
        found = sum(1 for i in acknowledged if again[i] == (200, "duplicate"))
        lost = len(acknowledged) - found
        stored = await _stored() - before
        duplicated = max(0, stored - len(bodies))
        await _check_integrity()
        print(
            f"round {round_number}: sent {len(bodies)}, acknowledged {len(acknowledged)} before the "
            f"SIGKILL (answers {dict(statuses)}), stored after restart {stored_after_crash}; "
            f"resent {len(bodies)} with the same keys: {dict(resent)}; "
            f"stored {stored}, duplicated {duplicated}, lost {lost}"
        )
        assert not [s for s in statuses if s >= 500], statuses
        assert KILL_AFTER <= len(acknowledged) < len(bodies), "the kill must fall inside the run"
        assert unanswered > 0
        assert stored_after_crash >= len(acknowledged)
        # Every acknowledged form is found stored; the others are stored now or found stored.
        assert lost == 0 and duplicated == 0
        assert set(resent) <= {(200, "duplicate"), (201, "stored")}, resent
        assert resent[(201, "stored")] == len(bodies) - stored_after_crash
        # Each form exactly once.
        assert stored == len(bodies)
        assert "Traceback" not in server.err
        everything += bodies
    assert await _stored() == len(everything)

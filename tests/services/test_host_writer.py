"""The app workers of one host share one submission writer (survey.store.host_writer), on SQLite and
PostgreSQL. Two HostWriters in this process stand for two app workers: each has its own writer
and its own database connection, as a worker has; only the lock file and the socket join them."""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from survey.services.answering import entry_for_unit_link
from survey.services.invitations import create_unit_link
from survey.store import host_writer
from survey.store.engine import current_engine
from survey.store.host_writer import HostWriter, LinkBroken, host_folder
from survey.store.submission_types import NewResponse, Outcome
from survey.store.submissions import _own_writer
from survey.store.tables import ResponseRow
from survey.store.tally import differences


async def _responses(field, count: int) -> list[NewResponse]:  # type: ignore[no-untyped-def]
    link = await create_unit_link(field.settings, "puls", "musikschule")
    entry = await entry_for_unit_link(field.settings, link.url.rsplit("/", 1)[1])
    return [
        NewResponse(
            key_hash=uuid.uuid4().hex * 2,
            wave_id=entry.wave.id,
            unit_id=entry.unit_id,
            language="de",
            submitted_on=field.today,
            answers=[("fachbereiche-ziehen-mit", 1 + n % 5), ("eine-anlaufstelle", None)],
            comments=[("kommentar", f"Kommentar {n}")] if n % 4 == 0 else [],
        )
        for n in range(count)
    ]


async def _stored(responses: list[NewResponse]) -> int:
    return await ResponseRow.count().where(ResponseRow.id.is_in([r.id for r in responses])).run()


async def _until(condition, seconds: float = 10) -> bool:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return False


async def test_a_second_worker_follows_and_the_leaders_writer_commits_for_both(field) -> None:  # type: ignore[no-untyped-def]
    """The worker started first leads; a second one sends its submissions through the socket and
    gets each outcome back; its own writer writes nothing. The same key again is a duplicate."""
    leader = HostWriter(*_own_writer(current_engine()))
    await leader.start()
    follower = HostWriter(*_own_writer(current_engine()))
    await follower.start()
    try:
        assert leader.role == "leader"
        assert follower.role == "follower"
        responses = await _responses(field, 40)
        outcomes = await asyncio.gather(*(follower.submit(r) for r in responses))
        assert outcomes == [Outcome.STORED] * 40
        assert await _stored(responses) == 40
        assert follower.inner.largest_batch == 0  # its own writer never wrote
        assert leader.largest_batch >= 10  # the follower's submissions met in the leader's batches
        again = await follower.submit(responses[0])
        assert again == Outcome.DUPLICATE
        assert await differences() == {}
    finally:
        await follower.stop()
    # a follower that stopped left the leader's socket alone: the next worker follows too
    assert leader.socket_path is not None and leader.socket_path.exists()
    another = HostWriter(*_own_writer(current_engine()))
    await another.start()
    try:
        assert another.role == "follower"
    finally:
        await another.stop()
        await leader.stop()


async def test_when_the_leader_stops_a_follower_leads(field) -> None:  # type: ignore[no-untyped-def]
    """A worker that stops lets go of the lead (its lock file); the follower takes it and goes on
    storing, now with its own writer."""
    leader = HostWriter(*_own_writer(current_engine()))
    await leader.start()
    follower = HostWriter(*_own_writer(current_engine()))
    await follower.start()
    try:
        assert leader.role == "leader" and follower.role == "follower"
        first, second = await _responses(field, 2)
        assert await follower.submit(first) == Outcome.STORED
        await leader.stop()  # the leader's worker shuts down
        assert await _until(lambda: follower.role == "leader"), follower.role
        assert await follower.submit(second) == Outcome.STORED
        assert follower.inner.largest_batch == 1
        assert await _stored([first, second]) == 2
    finally:
        await follower.stop()


async def test_a_leader_that_goes_away_unanswered_is_an_error_not_a_wait(field) -> None:  # type: ignore[no-untyped-def]
    """A leader that takes a submission and goes away before it answers: the follower raises
    LinkBroken at once (the client sends it again with its submission key), then leads itself."""
    base = Path(tempfile.mkdtemp(prefix="hw-", dir="/tmp"))  # a socket's path is at most 107 bytes
    folder = host_folder(base)
    assert folder is not None
    inner, _ = _own_writer(current_engine())
    writer = HostWriter(inner, "this test's database", folder=folder)
    lock = os.open(writer.lock_path, os.O_RDWR | os.O_CREAT, 0o600)  # type: ignore[arg-type]
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a leader that reads and hangs up

    async def hang_up(reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
        await reader.read(1)
        stream.close()

    server = await asyncio.start_unix_server(hang_up, path=str(writer.socket_path))
    await writer.start()
    try:
        assert writer.role == "follower"
        first, second = await _responses(field, 2)
        with pytest.raises(LinkBroken):
            await asyncio.wait_for(writer.submit(first), 10)
        server.close()
        os.close(lock)
        assert await _until(lambda: writer.role == "leader"), writer.role
        assert await writer.submit(second) == Outcome.STORED
        assert await _stored([first, second]) == 1
    finally:
        await writer.stop()
        server.close()
        shutil.rmtree(base)


async def test_a_folder_others_can_enter_is_not_used(field, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The lock and socket live in a folder only this user can enter. Where that folder is open to
    others, or is a link, no worker leads: each writes alone, and everything is still stored."""
    open_folder = tmp_path / "open" / f"leitbild-puls-{os.getuid()}"
    open_folder.mkdir(parents=True)
    open_folder.chmod(0o777)
    assert host_folder(tmp_path / "open") is None
    (tmp_path / "private").mkdir()
    private = host_folder(tmp_path / "private")
    assert private is not None and private.stat().st_mode & 0o777 == 0o700
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / f"leitbild-puls-{os.getuid()}").symlink_to(private)
    assert host_folder(linked) is None

    monkeypatch.setattr(host_writer, "host_folder", lambda: None)
    alone = HostWriter(*_own_writer(current_engine()))
    await alone.start()
    try:
        assert alone.role == "alone"
        responses = await _responses(field, 3)
        assert await asyncio.gather(*(alone.submit(r) for r in responses)) == [Outcome.STORED] * 3
        assert alone.inner.largest_batch >= 1
    finally:
        await alone.stop()

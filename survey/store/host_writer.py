"""The app workers of one host share one submission writer.

Each app worker has its own writer (survey.store.submissions). With several workers on one host
the submissions spread over them, so each writer commits small batches: on PostgreSQL four
workers committed batches of about 8 instead of 32, and each batch's fixed work (the gate's read,
the tally's upserts, the commit) and four database backends inserting into the same index pages
made the database spend twice the CPU per submission, on the two cores it shares with the app.

So the first worker of a host to start takes a lock file and leads: its writer commits for every
worker of the host, and it listens on a Unix socket; the other workers follow: they send each
checked submission through that socket and wait for its outcome, which the leader sends back
once the batch holding it has committed (as a local submission waits). Batches stay as large as
with one worker, and one database connection writes.

- The leader's lock is an `flock` on a file named after the database, so it goes with the
  leader's process however that ends; the socket is next to it. Both are in a folder only this
  system user can enter (`leitbild-puls-UID` in the temporary folder, mode 0700), and either
  end checks that the other runs as the same user (SO_PEERCRED): no other local user can send
  answers in or read them.
- A follower whose leader went away (its link broke) answers the submissions it was waiting for
  with an error, nothing known about them (the client sends them again with the same submission
  key, which stores each once); then it tries to lead, or follows the new leader.
- Where no leader can be reached (not started yet, no usable folder) a worker writes with its own
  writer, as before: sharing saves CPU and never decides what is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import socket
import stat
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from survey.store.submission_types import NewResponse, Outcome, SubmissionWriter

__all__ = ["FRAME_HEADER", "HostWriter", "LinkBroken", "host_folder", "split_frames"]

#: how long a worker without a leader waits before it tries again to lead or follow
RETRY_SECONDS = 0.2
#: a frame's header: the length of what follows (for a frame under 2 GiB the same bytes as
#: multiprocessing.Connection writes, which the SQLite writer's process reads and sends)
FRAME_HEADER = struct.Struct("!I")
_PEER = struct.Struct("3i")  # struct ucred: pid, uid, gid
_log = logging.getLogger(__name__)


class LinkBroken(RuntimeError):
    """The leader went away before it answered: whether the submission was stored is not known."""


def host_folder(base: Path | None = None) -> Path | None:
    """This user's private folder for the lock and socket, made if need be; None where it cannot
    be made private (then each worker writes alone)."""
    folder = (base or Path(tempfile.gettempdir())) / f"leitbild-puls-{os.getuid()}"
    try:
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        found = os.lstat(folder)
    except OSError as error:
        _log.warning("the app workers write alone: cannot make %s (%s)", folder, error)
        return None
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        _log.warning(
            "the app workers write alone: %s must be a folder of this user that only it can enter "
            "(mode 0700); remove it and start again",
            folder,
        )
        return None
    return folder


def _same_user(sock: socket.socket | None) -> bool:
    if sock is None:
        return False
    _, uid, _ = _PEER.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEER.size))
    return uid == os.getuid()


_ENCODER = msgspec.msgpack.Encoder()
_REQUEST = msgspec.msgpack.Decoder(tuple[int, NewResponse])
#: (number, stored or refused, the outcome's value or the error's text)
_REPLY = msgspec.msgpack.Decoder(tuple[int, bool, str])


def split_frames(incoming: bytearray) -> list[bytes]:
    """The whole length-prefixed frames at the start of `incoming`, taken out of it; a frame not
    yet read to its end stays for the next read."""
    frames = []
    start, end = 0, len(incoming)
    while end - start >= FRAME_HEADER.size:
        (size,) = FRAME_HEADER.unpack_from(incoming, start)
        if end - start - FRAME_HEADER.size < size:
            break
        start += FRAME_HEADER.size
        frames.append(bytes(incoming[start : start + size]))
        start += size
    del incoming[:start]
    return frames


class _Frames(asyncio.Protocol):
    """Length-prefixed frames both ways on a Unix socket; the frames sent in one turn of the event
    loop (a batch's outcomes, the submissions of requests read together) go out in one write."""

    def __init__(self, on_frame: Callable[[bytes], None], on_lost: Callable[[], None]) -> None:
        self.on_frame, self.on_lost = on_frame, on_lost
        self.transport: asyncio.Transport | None = None
        self.incoming = bytearray()
        self.outgoing: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not _same_user(transport.get_extra_info("socket")):
            transport.close()
            return
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.incoming += data
        for frame in split_frames(self.incoming):
            self.on_frame(frame)

    def send(self, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            raise LinkBroken("the host's writer went away")
        if not self.outgoing:
            asyncio.get_running_loop().call_soon(self._flush)
        self.outgoing += (FRAME_HEADER.pack(len(payload)), payload)

    def _flush(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(self.outgoing))
        self.outgoing.clear()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.on_lost()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class _Link:
    """A follower's connection to its leader: `closed` is done once it broke."""

    def __init__(self) -> None:
        self.waiting: dict[int, asyncio.Future[Outcome]] = {}
        self.number = 0
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.frames = _Frames(self._reply, self._lost)

    @classmethod
    async def open(cls, path: Path) -> _Link | None:
        link = cls()
        try:
            await asyncio.get_running_loop().create_unix_connection(lambda: link.frames, str(path))
        except OSError:
            return None
        if link.frames.transport is None:  # not this user's leader
            return None
        return link

    async def submit(self, response: NewResponse) -> Outcome:
        self.number += 1
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.frames.send(_ENCODER.encode((self.number, response)))
        self.waiting[self.number] = future
        return await future

    def _reply(self, frame: bytes) -> None:
        try:
            number, ok, text = _REPLY.decode(frame)
            outcome = Outcome(text) if ok else None
        except (msgspec.DecodeError, ValueError):
            self.frames.close()  # not a leader of this version: the link breaks, a new one is found
            return
        future = self.waiting.pop(number, None)
        if future is None or future.done():
            return
        if outcome is not None:
            future.set_result(outcome)
        else:
            future.set_exception(RuntimeError(f"the host's writer: {text}"))

    def _lost(self) -> None:
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(LinkBroken("the host's writer went away before it answered"))
        self.waiting.clear()
        if not self.closed.done():
            self.closed.set_result(None)

    def close(self) -> None:
        self.frames.close()


class HostWriter(SubmissionWriter):
    """Leads or follows the host's writer for one database; `inner` is this worker's own writer
    (survey.store.submissions), which writes for the host while this worker leads and for this
    worker alone while no leader can be reached."""

    def __init__(self, inner: SubmissionWriter, database: str, folder: Path | None = None) -> None:
        self.inner = inner
        self.folder = folder if folder is not None else host_folder()
        name = hashlib.sha256(database.encode()).hexdigest()[:16]
        self.lock_path = self.folder / f"{name}.lock" if self.folder else None
        self.socket_path = self.folder / f"{name}.sock" if self.folder else None
        self.lock: int | None = None
        self.server: asyncio.AbstractServer | None = None
        self.link: _Link | None = None
        self.task: asyncio.Task[None] | None = None
        self.followers: set[_Frames] = set()
        self.pending: set[asyncio.Future[Outcome]] = set()
        self.stopping = False

    @property
    def role(self) -> str:
        return "leader" if self.server else "follower" if self.link else "alone"

    @property
    def largest_batch(self) -> int:  # type: ignore[override]
        return self.inner.largest_batch

    @property
    def rewritten(self) -> int:  # type: ignore[override]
        return self.inner.rewritten

    def __getattr__(self, name: str) -> Any:
        # what a test asks of the writer itself (the SQLite writer's process)
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    async def start(self) -> None:
        await self.inner.start()
        if self.socket_path is None:
            return
        self.link = await self._lead_or_follow()
        self.task = asyncio.create_task(self._keep(), name="host-writer")

    async def submit(self, response: NewResponse) -> Outcome:
        link = self.link
        if link is not None and not link.closed.done():
            return await link.submit(response)
        return await self.inner.submit(response)

    async def stop(self) -> None:
        self.stopping = True  # what followers send from now on is refused: they send it again
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
        if self.link is not None:
            self.link.close()
            self.link = None
        if self.server is not None:
            self.server.close()
        await self.inner.stop()  # writes what is queued, so every waiting follower gets its answer
        if self.pending:
            await asyncio.wait(self.pending, timeout=30)
        await asyncio.sleep(0)  # the answers' last write
        for follower in list(self.followers):
            follower.close()
        if self.server is not None:
            await self.server.wait_closed()
            self.server = None
        if self.lock is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.socket_path)  # type: ignore[arg-type]
            os.close(self.lock)  # lets go of the lead
            self.lock = None

    # --- leading and following --------------------------------------------------------------------

    async def _lead_or_follow(self) -> _Link | None:
        """Lead if no worker does, else follow the one that does; the link of a follower."""
        assert self.lock_path is not None and self.socket_path is not None
        try:
            lock = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            _log.warning("this app worker writes alone: %s", error)
            return None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another worker leads (BlockingIOError), or the file takes no locks
            os.close(lock)
            return await _Link.open(self.socket_path)
        self.lock = lock  # held while this worker leads: only the leader removes the socket
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.socket_path)  # a leader before this one ended without removing it
            loop = asyncio.get_running_loop()
            self.server = await loop.create_unix_server(self._follower, path=str(self.socket_path))
            os.chmod(self.socket_path, 0o600)
        except OSError as error:
            _log.warning("this app worker writes alone: cannot listen on %s (%s)", self.socket_path, error)
            os.close(self.lock)
            self.lock = None
        return None

    async def _keep(self) -> None:
        """Follow while the leader answers; when it goes away, lead or follow the next one."""
        while self.server is None:
            if self.link is not None:
                await asyncio.shield(self.link.closed)
                self.link = None
            else:
                await asyncio.sleep(RETRY_SECONDS)
            self.link = await self._lead_or_follow()

    def _follower(self) -> _Frames:
        """The leader's side of one follower: each submission goes to this worker's writer, its
        outcome goes back once committed."""
        frames: _Frames

        def take(frame: bytes) -> None:
            try:
                number, response = _REQUEST.decode(frame)
            except msgspec.DecodeError:
                frames.close()  # not a follower of this version
                return
            if self.stopping:
                frames.send(_ENCODER.encode((number, False, "the host's writer stops")))
                return
            future = self.inner.enqueue(response)
            self.pending.add(future)
            future.add_done_callback(functools.partial(self._answer, frames, number))

        frames = _Frames(take, lambda: self.followers.discard(frames))
        self.followers.add(frames)
        return frames

    def _answer(self, frames: _Frames, number: int, done: asyncio.Future[Outcome]) -> None:
        self.pending.discard(done)
        if done.cancelled():
            reply: tuple[int, bool, str] = (number, False, "cancelled")
        elif done.exception() is not None:
            reply = (number, False, repr(done.exception()))
        else:
            reply = (number, True, done.result().value)
        with contextlib.suppress(LinkBroken):  # the follower went away: nobody to tell
            frames.send(_ENCODER.encode(reply))

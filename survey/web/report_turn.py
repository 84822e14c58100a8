"""Report requests take turns: one at a time per app worker, and few at once on one host.

A report whose figures are kept takes its app worker some 10 ms and its report process (and the
database) as long again or more; readers fetching reports one after another took as much of the
CPU as they could get, and staff's submissions on the same host waited twice as long
(BENCHMARKS.md, mixed load). So each app worker lets one report request through at a time, and
the app workers of one host serving one database share HOST_TURNS turns between them: lock files
in the system's temporary folder, named after the database, held with `flock`. A turn is tried
without waiting and tried again every few milliseconds, so a request given up while it waits
(the reader went away) holds nothing; a worker that dies lets go of its turn with its files.
Where the files cannot be made (no writable temporary folder), each worker's own turn is all.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from types import TracebackType

__all__ = ["HOST_TURNS", "ReportTurn"]

#: report requests at once on one host: half its cores (one on two cores)
HOST_TURNS = max(1, (os.cpu_count() or 2) // 2)
#: how long a request waits before it tries again for a host's turn
RETRY_SECONDS = 0.005
_log = logging.getLogger(__name__)


class ReportTurn:
    """`async with turn:` — one report request of this worker at a time, within the host's turns."""

    def __init__(self, database_url: str, turns: int = HOST_TURNS, folder: Path | None = None) -> None:
        self.worker = asyncio.Semaphore(1)
        name = hashlib.sha256(database_url.encode()).hexdigest()[:16]
        where = folder or Path(tempfile.gettempdir())
        self.paths = [where / f"leitbild-puls-{name}.report-turn-{i}" for i in range(max(1, turns))]
        self._files: list[int] | None = None
        self._held: int | None = None

    def _opened(self) -> list[int]:
        if self._files is None:
            files = []
            try:
                for path in self.paths:
                    files.append(os.open(path, os.O_RDONLY | os.O_CREAT, 0o600))
            except OSError as error:
                _log.warning("report turns are this worker's alone: %s", error)
                for fd in files:
                    os.close(fd)
                files = []
            self._files = files
        return self._files

    async def _host_turn(self) -> int | None:
        files = self._opened()
        if not files:
            return None
        while True:
            for fd in files:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    continue
            await asyncio.sleep(RETRY_SECONDS)

    async def __aenter__(self) -> None:
        await self.worker.acquire()
        try:
            self._held = await self._host_turn()
        except BaseException:
            self.worker.release()
            raise

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if self._held is not None:
                fcntl.flock(self._held, fcntl.LOCK_UN)
                self._held = None
        finally:
            self.worker.release()

    def close(self) -> None:
        for fd in self._files or []:
            os.close(fd)
        self._files = None

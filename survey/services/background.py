"""A worker's task in the background for as long as the app runs (the redactor's refresh, the
mail sender): started with the app, cancelled and awaited when it stops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

__all__ = ["in_background"]


@contextlib.asynccontextmanager
async def in_background(work: Callable[[], Coroutine[Any, Any, None]], name: str) -> AsyncIterator[None]:
    task = asyncio.create_task(work(), name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

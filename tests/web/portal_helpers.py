"""Helpers of the signed-in pages' tests: a small demo Kommune with one user per role, and sign-in."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from survey.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"
PASSWORD = "ein-langes-testpasswort"
#: user name → roles; the lead leads Jugendamt (Dezernat kjfs), the other units are not theirs
USERS: dict[str, tuple[str, ...]] = {
    "admin": ("admin",),
    "buero": ("office",),
    "leitung-jugendamt": ("lead:jugendamt",),
    "personalrat": ("personalrat",),
    "auswertung": ("analyst",),
    "auswertung-jugendamt": ("analyst:jugendamt",),
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Portal:
    """The database URL and the settings of a small demo Kommune with the users of USERS."""

    database_url: str
    settings: Settings


async def build_portal(*, demo: bool = True) -> None:
    """The demo Kommune (small) with its waves, or with `demo=False` its organisation only, and
    the users of USERS, in the database piccolo points at."""
    from survey.services.accounts import add_user
    from survey.services.demo import DemoOptions, build_demo, demo_org_file
    from survey.services.org import import_org

    if demo:
        await build_demo(
            QUESTIONNAIRES, DemoOptions(staff=300, waves=2, citizen_ratings=150, today=dt.date(2026, 11, 21))
        )
    else:
        await import_org(demo_org_file())
    for username, roles in USERS.items():
        await add_user(username, username.replace("-", " ").title(), PASSWORD, list(roles))


def portal_of(db: str) -> Portal:
    return Portal(db, Settings(database_url=db, questionnaires=QUESTIONNAIRES))


async def sign_in(client: AsyncTestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; the CSRF token of the new session."""
    client.cookies.clear()
    response = await client.post(
        "/anmelden", data={"username": username, "password": password, "next": "/bereich"}
    )
    assert response.status_code == 303, response.text
    start = await client.get("/bereich")
    assert start.status_code == 200
    match = _CSRF.search(start.text)
    assert match, "the start page carries the CSRF token in its sign-out form"
    return match.group(1)


async def app_call(
    client: AsyncTestClient, function: Callable[..., Awaitable[Any]], *args: Any, **kw: Any
) -> Any:
    """A database call on the app's own event loop, where its connection pool lives."""

    async def call() -> Any:
        return await function(*args, **kw)

    return await asyncio.to_thread(client.blocking_portal.call, call)

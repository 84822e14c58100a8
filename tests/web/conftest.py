"""Fixtures of the signed-in pages: a small demo Kommune with one user per role.

Both are starting points of `db` (tests/snapshots.py): built once per run, copied for each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient
from portal_helpers import Portal, build_portal, portal_of
from snapshots import Start, starts_from


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with its cost turned down: the same code path, a hundredth of the time. The real
    parameters are used by every server process and every `survey` command outside tests/web."""
    from argon2 import PasswordHasher

    from survey.services import accounts

    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


async def _portal() -> None:
    await build_portal()


async def _accounts() -> None:
    await build_portal(demo=False)


starts_from("portal", Start("portal", _portal))
starts_from("accounts_client", Start("accounts", _accounts))


@pytest.fixture
async def portal(db: str) -> Portal:
    """The small demo Kommune with its waves and the users of USERS (portal_helpers.py)."""
    return portal_of(db)


@pytest.fixture
async def portal_client(portal: Portal) -> AsyncIterator[AsyncTestClient]:
    from survey.web.app import create_app

    async with AsyncTestClient(app=create_app(portal.settings)) as client:
        client.follow_redirects = False  # redirects are what these tests look at
        yield client


@pytest.fixture
async def accounts_client(db: str) -> AsyncIterator[AsyncTestClient]:
    """The app over the demo organisation and its users, without any survey data (sign-in tests)."""
    from survey.web.app import create_app

    async with AsyncTestClient(app=create_app(portal_of(db).settings)) as client:
        client.follow_redirects = False
        yield client

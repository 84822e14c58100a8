"""Fixtures of the signed-in pages: a small demo Kommune with one user per role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from portal_helpers import Portal, build_portal


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with its cost turned down: the same code path, a hundredth of the time. The real
    parameters are used by every test that runs the `survey` command or the server."""
    from argon2 import PasswordHasher

    from survey.services import accounts

    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
async def portal(db: str, tmp_path: Path) -> Portal:
    return await build_portal(db, tmp_path)


@pytest.fixture
async def portal_client(portal: Portal) -> AsyncIterator[AsyncTestClient]:
    from survey.web.app import create_app

    async with AsyncTestClient(app=create_app(portal.settings)) as client:
        client.follow_redirects = False  # redirects are what these tests look at
        yield client


@pytest.fixture
async def accounts_client(db: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient]:
    """The app over the demo organisation and its users, without any survey data (sign-in tests)."""
    from survey.web.app import create_app

    portal = await build_portal(db, tmp_path, demo=False)
    async with AsyncTestClient(app=create_app(portal.settings)) as client:
        client.follow_redirects = False
        yield client

"""Fixtures of the signed-in pages: a small demo Kommune with one user per role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from portal_helpers import Portal, build_portal


@pytest.fixture
async def portal(db: str, tmp_path: Path) -> Portal:
    return await build_portal(db, tmp_path)


@pytest.fixture
async def portal_client(portal: Portal) -> AsyncIterator[AsyncTestClient]:
    from survey.web.app import create_app

    async with AsyncTestClient(app=create_app(portal.settings)) as client:
        client.follow_redirects = False  # redirects are what these tests look at
        yield client

"""The users and their roles (admin): page and JSON."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get
from litestar.response import Template

from survey.services.accounts import ROLES, list_users
from survey.services.permissions import may_manage_users
from survey.web.api import refusals
from survey.web.auth import CurrentViewer, Viewer, require
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page

__all__ = ["USER_ROUTES", "GrantOut", "UserOut"]


class GrantOut(msgspec.Struct, frozen=True):
    role: str
    unit: str | None


class UserOut(msgspec.Struct, frozen=True):
    username: str
    display_name: str
    active: bool
    locked: bool
    roles: list[GrantOut]


async def _users(viewer: Viewer) -> list[UserOut]:
    await require(viewer, may_manage_users, "users")
    return [
        UserOut(u.username, u.display_name, u.active, u.locked, [GrantOut(g.role, g.unit) for g in u.grants])
        for u in await list_users()
    ]


@get("/verwaltung/benutzer", name="users", include_in_schema=False)
async def users_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    users = await _users(viewer)
    _ = page_text(request)
    return page(request, "portal/users.html", title=_("Users"), users=users, roles=ROLES)


@get(
    "/api/v1/users",
    name="api-users",
    tags=["admin"],
    summary="Users and their roles (admin)",
    responses=refusals(401, 403),
)
async def users_api(viewer: CurrentViewer) -> list[UserOut]:
    return await _users(viewer)


USER_ROUTES = [users_page, users_api]

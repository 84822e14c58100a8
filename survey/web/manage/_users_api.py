"""The JSON twins of the users pages (tag `admin`): the list, adding a user, setting roles, and the
actions on one account. The actions with a body check the admin's role before the body is read."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from survey.services.accounts import GrantChoice, list_users
from survey.services.permissions import may_manage_users
from survey.web.api import STRICT_JSON_BODY, refusals
from survey.web.auth import CsrfChecked, CurrentViewer, provide_viewer, require
from survey.web.manage._common import settings_of
from survey.web.manage._user_actions import (
    UserOut,
    UserResult,
    account_action,
    add_action,
    roles_action,
    user_out,
    user_result,
)
from survey.web.security import BodyText, PathText

__all__ = ["USER_API_ROUTES"]

#: the roles to give, each as the command line writes it: one text rather than an object, so that
#: the document states every rule of it (survey.web.security)
Grants = Annotated[
    list[BodyText],
    msgspec.Meta(
        description="Each role as role[:unit], e.g. lead:jugendamt or office (no unit: the whole "
        "organisation). The roles are admin, office, lead (always for a unit), personalrat, analyst.",
        examples=[["lead:jugendamt", "analyst"]],
    ),
]


class NewUserIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: BodyText
    roles: Grants
    display_name: BodyText = ""
    #: null: the answer holds a one-time link, on which the user sets a password of their own
    password: BodyText | None = None


class RolesIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    roles: Grants


async def _admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The API's actions with a body: only an admin, checked before the body is read, so that
    anyone else learns nothing from it but 403 (and no session at all: 401)."""
    viewer = await provide_viewer(connection)  # type: ignore[arg-type]
    await require(viewer, may_manage_users, f"{connection.scope['method']} {connection.url.path}")


@get(
    "/api/v1/users",
    name="api-users",
    tags=["admin"],
    summary="Users, their roles, and who is locked after failed sign-ins (admin)",
    responses=refusals(401, 403),
)
async def users_api(viewer: CurrentViewer) -> list[UserOut]:
    await require(viewer, may_manage_users, "users")
    return [user_out(u) for u in await list_users()]


#: done (200, the schema of the route), or refused (409) with each field's problem
_ACTION_RESPONSES = {
    409: ResponseSpec(
        UserResult, generate_examples=False, description="Refused: `message`, `details` and `fields` say why"
    ),
    **refusals(401, 403, 404),
}
_BODY_RESPONSES = {**_ACTION_RESPONSES, **refusals(413, 415)}


@post(
    "/api/v1/users",
    name="api-user-add",
    tags=["admin"],
    summary="Add a user with roles; without a password the answer holds a one-time link (admin)",
    status_code=200,
    guards=[_admin_only],
    responses=_BODY_RESPONSES,
)
async def add_user_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    data: Annotated[NewUserIn, STRICT_JSON_BODY],
) -> Response[UserResult]:
    grants = [_grant(g) for g in data.roles]
    base_url = settings_of(state).base_url
    notice, fields = await add_action(
        viewer, base_url, data.username.strip(), data.display_name.strip(), data.password, grants
    )
    return user_result(notice, fields)


def _grant(text: str) -> GrantChoice:
    """`lead:jugendamt` → lead of Jugendamt; whether that can be given, the service says."""
    role, _, unit = text.strip().partition(":")
    return GrantChoice(role, unit or None)


@post(
    "/api/v1/users/{username:str}/roles",
    name="api-user-roles",
    tags=["admin"],
    summary="Replace a user's roles and their units (admin)",
    status_code=200,
    guards=[_admin_only],
    responses=_BODY_RESPONSES,
)
async def roles_api(
    viewer: CurrentViewer, csrf: CsrfChecked, username: PathText, data: Annotated[RolesIn, STRICT_JSON_BODY]
) -> Response[UserResult]:
    notice, fields = await roles_action(viewer, username, [_grant(g) for g in data.roles])
    return user_result(notice, fields)


def _action_api(action: str, path: str, summary: str) -> Any:
    @post(
        f"/api/v1/users/{{username:str}}/{path}",
        name=f"api-user-{path}",
        tags=["admin"],
        summary=summary,
        status_code=200,
        responses=_ACTION_RESPONSES,
    )
    async def handler(
        viewer: CurrentViewer, csrf: CsrfChecked, state: State, username: PathText
    ) -> Response[UserResult]:
        return user_result(await account_action(viewer, settings_of(state).base_url, username, action))

    return handler


USER_API_ROUTES = [
    users_api,
    add_user_api,
    roles_api,
    _action_api("disable", "disable", "Disable a user: no sign-in, their sessions end (admin)"),
    _action_api("enable", "enable", "Enable a disabled user again (admin)"),
    _action_api("unlock", "unlock", "Unlock a user locked after failed sign-ins (admin)"),
    _action_api(
        "link",
        "password-link",
        "A one-time link (48 hours) on which the user sets a new password; in this answer only (admin)",
    ),
    _action_api(
        "password",
        "password",
        "Generate a new password, in this answer only; the user's sessions end (admin)",
    ),
]

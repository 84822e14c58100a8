"""What the admin's actions on users do, for the users pages and their JSON twins alike: each
returns a `Notice` (done or refused, and the message that says which) and, when refused, each
field's problem; a link or a password made travels in the message's values to the one place that
shows it. The answers' schemas are here too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from litestar import Response

from survey.errors import N_, Code, Message, SurveyError
from survey.services.accounts import (
    GrantChoice,
    UserListing,
    add_user,
    disable_user,
    enable_user,
    set_roles,
    unlock_user,
)
from survey.services.passwords import create_reset_link, generate_password
from survey.services.permissions import may_manage_users
from survey.web.auth import Viewer, require
from survey.web.manage._common import ActionResult
from survey.web.manage._password_link import link_url
from survey.web.notices import Notice

__all__ = [
    "GrantOut",
    "UserOut",
    "UserResult",
    "account_action",
    "add_action",
    "roles_action",
    "user_out",
    "user_result",
]


class GrantOut(msgspec.Struct, frozen=True):
    role: str
    #: the unit's key; null: the whole organisation
    unit: str | None
    unit_name: str | None = None


class UserOut(msgspec.Struct, frozen=True):
    username: str
    display_name: str
    active: bool
    #: locked after failed sign-ins, until `locked_until`
    locked: bool
    roles: list[GrantOut]
    failed_sign_ins: int = 0
    locked_until: dt.datetime | None = None


class UserResult(ActionResult, frozen=True):
    """Done or refused; a refusal names each field's problem (`username`, `display_name`,
    `password`, `roles`, `roles.<i>` for the i-th grant sent). A link or a password made by the
    action is in this answer only: it is never shown again."""

    fields: dict[str, str] = msgspec.field(default_factory=dict)
    link: str | None = None
    link_expires_at: dt.datetime | None = None
    password: str | None = None


def user_out(u: UserListing) -> UserOut:
    roles = [GrantOut(g.role, g.unit, g.unit_name) for g in u.grants]
    return UserOut(u.username, u.display_name, u.active, u.locked, roles, u.failed_sign_ins, u.locked_until)


def _link_message(template: str, username: str, token: str, until: dt.datetime, base_url: str) -> Message:
    params = {"user": Code(username), "link": link_url(base_url, token), "until": until.isoformat()}
    return Message(template, params)


async def add_action(
    viewer: Viewer, base_url: str, username: str, name: str, password: str | None, grants: list[GrantChoice]
) -> tuple[Notice, dict[str, Message]]:
    await require(viewer, may_manage_users, f"user add {username}")
    try:
        await add_user(username, name, password, grants, by=viewer.username)
        if password is None:
            link = await create_reset_link(username, by=viewer.username)
    except SurveyError as exc:
        return Notice(False, exc.message), dict(getattr(exc, "fields", {}))
    if password is not None:
        done = N_("%(user)s has been added and signs in with the password you chose")
        return Notice(True, Message(done, {"user": Code(username)})), {}
    done = N_(
        "%(user)s has been added. They choose their password on the one-time link below: "
        "give it to them; it is shown only now"
    )
    return Notice(True, _link_message(done, username, link.token, link.expires_at, base_url)), {}


async def roles_action(
    viewer: Viewer, username: str, grants: list[GrantChoice]
) -> tuple[Notice, dict[str, Message]]:
    await require(viewer, may_manage_users, f"user roles {username}")
    try:
        await set_roles(username, grants, by=viewer.username)
    except SurveyError as exc:
        return Notice(False, exc.message), dict(getattr(exc, "fields", {}))
    return Notice(True, Message(N_("The roles of %(user)s are saved"), {"user": Code(username)})), {}


_SIMPLE: dict[str, tuple[Callable[..., Any], str]] = {
    "disable": (
        disable_user,
        N_("%(user)s is disabled: they cannot sign in any more, and their sessions have ended"),
    ),
    "enable": (enable_user, N_("%(user)s is enabled again and can sign in with their password")),
    "unlock": (unlock_user, N_("%(user)s is unlocked and can sign in again at once")),
}


async def account_action(viewer: Viewer, base_url: str, username: str, action: str) -> Notice:
    await require(viewer, may_manage_users, f"user {action} {username}")
    try:
        if action == "link":
            link = await create_reset_link(username, by=viewer.username)
            done = N_(
                "The one-time link for %(user)s is ready; earlier links of theirs no longer work. "
                "Give it to them: it is shown only now"
            )
            return Notice(True, _link_message(done, username, link.token, link.expires_at, base_url))
        if action == "password":
            password = await generate_password(username, by=viewer.username)
            done = N_(
                "%(user)s has a new password, and their sessions have ended. "
                "Give it to them: it is shown only now"
            )
            return Notice(True, Message(done, {"user": Code(username), "password": password}))
        function, done = _SIMPLE[action]
        await function(username, by=viewer.username)
    except SurveyError as exc:
        return Notice(False, exc.message)
    return Notice(True, Message(done, {"user": Code(username)}))


def user_result(notice: Notice, fields: Mapping[str, Message] | None = None) -> Response[UserResult]:
    message, params = notice.message, notice.message.params
    until = params.get("until")
    result = UserResult(
        notice.ok,
        message.text(code=True),
        [d.text(code=True) for d in message.details],
        fields={k: m.text(code=True) for k, m in (fields or {}).items()},
        link=str(params["link"]) if "link" in params else None,
        link_expires_at=dt.datetime.fromisoformat(str(until)) if until else None,
        password=str(params["password"]) if "password" in params else None,
    )
    return Response(result, status_code=200 if notice.ok else 409)

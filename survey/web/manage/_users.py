"""The users and their roles (admin), in the browser, each action with a JSON twin (tag `admin`):

- `/verwaltung/benutzer`: every user with roles, state and failed sign-ins; who is locked;
- `/verwaltung/benutzer/neu`: add a user (user name, name, roles with their units, a password or
  a one-time link); a refused form comes back with what was typed and each problem at its field;
- `/verwaltung/benutzer/konto/{username}`: one user; its form sets the roles and their units;
- `/verwaltung/benutzer/konto/{username}/{action}`: asks first (GET) what `disable`, `enable`,
  `unlock`, `link` (a one-time link) or `password` (a generated one) means, then does it (POST).

A new link or password is shown once, on the page the action leads to (it travels in the signed
notice cookie, which that page deletes), or in the API's answer; the database keeps only hashes.
The page the user opens the link on is in `_password_link`. The rules (and the refusals) are the
services' (survey.services.accounts, survey.services.passwords), shared with `survey user`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.errors import N_, Message
from survey.services.accounts import ROLES, AccountError, UserListing, grant_units, list_users, user_listing
from survey.services.passwords import RESET_LINK_VALID
from survey.services.permissions import may_manage_users
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.manage._common import settings_of
from survey.web.manage._password_link import PASSWORD_LINK_ROUTES
from survey.web.manage._user_actions import (
    GrantOut,
    UserOut,
    account_action,
    add_action,
    roles_action,
    user_out,
)
from survey.web.manage._user_forms import (
    FormState,
    GrantRow,
    chosen,
    field_problems,
    form_text,
    moment,
    role_names,
    rows_from,
    secret_of,
    unit_options,
)
from survey.web.manage._users_api import USER_API_ROUTES
from survey.web.notices import Notice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang

__all__ = ["USER_ROUTES", "GrantOut", "UserOut"]

USERS_PAGE = "/verwaltung/benutzer"
NEW_USER_PAGE = "/verwaltung/benutzer/neu"
ACCOUNT_PAGE = "/verwaltung/benutzer/konto"
#: the actions on one account, each asked about first
ACTIONS = ("disable", "enable", "unlock", "link", "password")


# --- pages ---------------------------------------------------------------------------------------


def _labels(_: Callable[..., str], rows: int) -> dict[str, str]:
    """The label of each field by its id, in the order of the form (for the list of problems)."""
    labels = {"username": _("User name"), "display_name": _("Name"), "password": _("Password")}
    labels.update({f"role-{i}": _("Role %(number)s", number=i + 1) for i in range(rows)})
    return labels


def _blank_rows(rows: list[GrantRow]) -> list[GrantRow]:
    return [*rows, GrantRow("", ""), GrantRow("", "")] if rows else [GrantRow("", "")] * 3


async def _form_context(request: Request[Any, Any, Any], form: FormState) -> dict[str, Any]:
    _ = page_text(request)
    return {
        "form": form,
        "role_names": role_names(_),
        "roles": ROLES,
        "units": unit_options(await grant_units()),
    }


def _refused_form(
    request: Request[Any, Any, Any],
    notice: Notice,
    fields: dict[str, Message],
    values: dict[str, str],
    rows: list[GrantRow],
    row_of: list[int],
) -> FormState:
    lang = portal_lang(request)
    # a refusal of no field in particular (the user has gone meanwhile) heads the list
    error = AccountError(notice.message, fields=fields or {"": notice.message})
    problems, summary = field_problems(error, row_of, lang, _labels(page_text(request), len(rows)))
    return FormState(values, rows, problems, summary)


@get(USERS_PAGE, name="users", include_in_schema=False)
async def users_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    await require(viewer, may_manage_users, "users")
    users = await list_users()
    _ = page_text(request)
    response = page(
        request,
        "portal/users.html",
        title=_("Users"),
        users=[user_out(u) for u in users],
        locked=[u for u in users if u.active and (u.locked or u.failed_sign_ins)],
        role_names=role_names(_),
        result=show(take_notice(request, viewer), portal_lang(request)),
    )
    forget_notice(request, response)
    return response


@get(NEW_USER_PAGE, name="user-new", include_in_schema=False)
async def new_user_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    await require(viewer, may_manage_users, "user add")
    _ = page_text(request)
    form = FormState({}, _blank_rows([]), {}, [])
    return page(request, "portal/user_new.html", title=_("Add a user"), **await _form_context(request, form))


@post(NEW_USER_PAGE, name="user-new-post", include_in_schema=False)
async def new_user_post(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, state: State
) -> Template | Redirect:
    await require(viewer, may_manage_users, "user add")
    form = await request.form()
    values = {k: form_text(form.get(k)) for k in ("username", "display_name")}
    typed = form.get("password")
    # a password is taken as typed (spaces too); none: the new user gets a one-time link
    password = typed if isinstance(typed, str) and typed else None
    rows = rows_from(form)
    grants, row_of = chosen(rows)
    base_url = settings_of(state).base_url
    notice, fields = await add_action(
        viewer, base_url, values["username"], values["display_name"], password, grants
    )
    if notice.ok:
        return redirect_with(request, viewer, f"{ACCOUNT_PAGE}/{values['username']}", notice)
    _ = page_text(request)
    state_ = _refused_form(request, notice, fields, values, rows or _blank_rows([]), row_of)
    context = await _form_context(request, state_)
    return page(request, "portal/user_new.html", title=_("Add a user"), status=400, **context)


async def _account_view(
    request: Request[Any, Any, Any], viewer: Viewer, user: UserListing, form: FormState | None
) -> Template:
    _ = page_text(request)
    lang = portal_lang(request)
    notice = take_notice(request, viewer) if form is None else None
    if form is None:
        rows = _blank_rows([GrantRow(g.role, g.unit or "") for g in user.grants])
        form = FormState({}, rows, {}, [])
    response = page(
        request,
        "portal/user_detail.html",
        title=_("User %(user)s", user=user.username),
        status=200 if not form.problems else 400,
        user=user_out(user),
        locked_until=moment(user.locked_until, lang) if user.locked_until else "",
        myself=user.username == viewer.username,
        result=show(notice, lang),
        secret=secret_of(notice, lang),
        **await _form_context(request, form),
    )
    forget_notice(request, response)
    return response


async def _listing_or_404(request: Request[Any, Any, Any], username: str) -> UserListing:
    user = await user_listing(username)
    if user is None:  # the 404 page shows the detail: in the page's language
        raise NotFoundException(
            say(Message(N_("there is no user %(user)s"), {"user": username}), portal_lang(request))
        )
    return user


@get(f"{ACCOUNT_PAGE}/{{username:str}}", name="user", include_in_schema=False)
async def account_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, username: FromPath[str]
) -> Template:
    await require(viewer, may_manage_users, f"user {username}")
    return await _account_view(request, viewer, await _listing_or_404(request, username), None)


@post(f"{ACCOUNT_PAGE}/{{username:str}}", name="user-roles-post", include_in_schema=False)
async def account_roles_post(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, username: FromPath[str]
) -> Template | Redirect:
    await require(viewer, may_manage_users, f"user roles {username}")
    user = await user_listing(username)
    if user is None:  # the service's own refusal ("there is no user …"), on the list
        notice, _fields = await roles_action(viewer, username, [])
        return redirect_with(request, viewer, USERS_PAGE, notice)
    rows = rows_from(await request.form())
    grants, row_of = chosen(rows)
    notice, fields = await roles_action(viewer, username, grants)
    if notice.ok:
        return redirect_with(request, viewer, f"{ACCOUNT_PAGE}/{username}", notice)
    form = _refused_form(request, notice, fields, {}, rows or _blank_rows([]), row_of)
    return await _account_view(request, viewer, user, form)


def _action(request: Request[Any, Any, Any], action: str) -> str:
    if action not in ACTIONS:
        raise NotFoundException(page_text(request)("There is no such step: go back to the page of the user."))
    return action


@get(f"{ACCOUNT_PAGE}/{{username:str}}/{{action:str}}", name="user-confirm", include_in_schema=False)
async def account_confirm_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, username: FromPath[str], action: FromPath[str]
) -> Template:
    await require(viewer, may_manage_users, f"user {action} {username}")
    user = await _listing_or_404(request, username)
    _ = page_text(request)
    titles = {
        "disable": _("Disable the account"),
        "enable": _("Enable the account"),
        "unlock": _("Unlock the account"),
        "link": _("Make a one-time link"),
        "password": _("Generate a new password"),
    }
    return page(
        request,
        "portal/user_confirm.html",
        title=titles[_action(request, action)],
        user=user_out(user),
        action=action,
        hours=int(RESET_LINK_VALID.total_seconds() // 3600),
    )


@post(f"{ACCOUNT_PAGE}/{{username:str}}/{{action:str}}", name="user-action", include_in_schema=False)
async def account_action_post(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    username: FromPath[str],
    action: FromPath[str],
) -> Redirect:
    await require(viewer, may_manage_users, f"user {action} {username}")
    notice = await account_action(viewer, settings_of(state).base_url, username, _action(request, action))
    known = await user_listing(username) is not None
    return redirect_with(request, viewer, f"{ACCOUNT_PAGE}/{username}" if known else USERS_PAGE, notice)


USER_ROUTES = [
    users_page,
    new_user_page,
    new_user_post,
    account_page,
    account_roles_post,
    account_confirm_page,
    account_action_post,
    *USER_API_ROUTES,
    *PASSWORD_LINK_ROUTES,
]

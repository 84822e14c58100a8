"""A new password for a user who lost theirs, set in the browser: an admin makes a one-time link
(the user sets a password of their own on it) or has a password generated, shown to the admin once.

A link's token is random (256 bits); the database keeps only its SHA-256, so a copy of the
database opens no account. A link works once, for RESET_LINK_VALID, and only its newest one: a new
link, a new password or disabling the user voids the unused ones. Using a link is one conditional
statement, so of two requests with the same link on two workers exactly one sets the password.
Whichever way a password is set, it unlocks the account and ends its sessions. Everything lives in
the database: any worker of any host may serve any step.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Literal

from survey.errors import N_, Code, Message
from survey.services.accounts import (
    AccountError,
    existing_user,
    hash_password,
    password_problem,
    refusal,
    token_hash,
)
from survey.services.audit import record
from survey.store import accounts as store
from survey.store.engine import write_transaction

__all__ = [
    "RESET_LINK_VALID",
    "LinkState",
    "ResetLink",
    "create_reset_link",
    "generate_password",
    "reset_link_state",
    "set_password_with_link",
]

RESET_LINK_VALID = dt.timedelta(hours=48)
#: letters and digits nobody mixes up when typing a password off a screen (no 0/O, 1/l/I)
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class ResetLink:
    """The token of a new one-time link (shown once, never stored) and when it expires."""

    token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class LinkState:
    """What a one-time link is now: `valid` (then whose it is), `used`, or `invalid` (unknown,
    expired, or its user disabled)."""

    state: Literal["valid", "used", "invalid"]
    username: str = ""
    display_name: str = ""
    expires_at: dt.datetime | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def create_reset_link(username: str, *, by: str) -> ResetLink:
    """A one-time link for `username`; earlier unused links of theirs stop working. Their current
    password and sessions stay until the link is used."""
    user = await existing_user(username)
    if not user.active:
        raise AccountError(
            N_("%(user)s is disabled: enable the account first, then make a link"), user=Code(username)
        )
    now = _now()
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        await store.delete_reset_links(user_id=user.id, expired_before=now)
        await store.insert_reset_link(token_hash(token), user.id, by, now, now + RESET_LINK_VALID)
    await record(by, "user.reset_link", username, f"valid until {(now + RESET_LINK_VALID).isoformat()}")
    return ResetLink(token, now + RESET_LINK_VALID)


def _readable_password() -> str:
    """20 characters in groups of five (about 98 bits): easy to read out and to type."""
    letters = "".join(secrets.choice(_READABLE) for _ in range(20))
    return "-".join(letters[i : i + 5] for i in range(0, 20, 5))


async def generate_password(username: str, *, by: str) -> str:
    """A new random password for `username`, returned to be shown once and never kept in clear.
    It unlocks the account and ends its sessions; an admin does not do this to themselves (their
    own session would end before they saw the password)."""
    user = await existing_user(username)
    if by == username:
        raise AccountError(
            N_("you cannot generate a password for your own account: make a one-time link for it instead")
        )
    if not user.active:
        raise AccountError(
            N_("%(user)s is disabled: enable the account first, then set a password"), user=Code(username)
        )
    password = _readable_password()
    async with write_transaction():
        await store.update_user(
            user.id, password_hash=hash_password(password), failed_sign_ins=0, locked_until=None
        )
        await store.delete_sessions(user_id=user.id)
        await store.delete_reset_links(user_id=user.id)
    await record(by, "user.reset_password", username, "generated, shown once")
    return password


async def reset_link_state(token: str) -> LinkState:
    link = await store.find_reset_link(token_hash(token))
    if link is None:
        return LinkState("invalid")
    user = await store.find_user_by_id(link.user_id)
    if user is None or not user.active:
        return LinkState("invalid")
    if link.used_at is not None:
        return LinkState("used", user.username, user.display_name)
    if _aware(link.expires_at) <= _now():
        return LinkState("invalid")
    return LinkState("valid", user.username, user.display_name, _aware(link.expires_at))


async def set_password_with_link(token: str, password: str, repeated: str) -> str:
    """Set the password of the link's user (`password` twice alike, by the password rules); the
    link is used up, the account unlocked, its sessions ended. Returns the user name."""
    state = await reset_link_state(token)
    if state.state != "valid":
        await record("-", "user.password_link_refused", "", state.state)
        raise AccountError(N_("this link does not work (any more): ask your administrator for a new one"))
    problems: dict[str, Message] = {}
    if problem := password_problem(password):
        problems["password"] = problem
    elif repeated != password:
        problems["repeated"] = Message(N_("the two passwords differ: type the same password twice"))
    if problems:
        raise refusal(problems)
    user = await existing_user(state.username)
    now = _now()
    async with write_transaction():
        if not await store.use_reset_link(token_hash(token), now):
            raise AccountError(N_("this link has been used already: sign in with the new password"))
        await store.update_user(
            user.id, password_hash=hash_password(password), failed_sign_ins=0, locked_until=None
        )
        await store.delete_sessions(user_id=user.id)
        await store.delete_reset_links(user_id=user.id)
    await record(user.username, "user.password_set", user.username, "through a one-time link")
    return user.username

"""Who may sign in and what they may see: users, roles scoped to the org tree, sessions; and the
admin's use cases on users (add, roles, disable and enable, unlock), which the users page and the
`survey user` command share. Each takes `by`, the user name the audit log records as the actor
("cli" on the command line); an admin can neither disable themselves nor take their own
administration of the whole organisation away.

Passwords are hashed with argon2. A session is a random token in an HttpOnly cookie; the
database keeps only its hash, the user's id, a CSRF token and two expiry times, so every worker
(and every host behind a load balancer) sees the same sessions. Failed sign-ins are counted on
the user's row (lock-out) and per minute overall (rate limit), again in the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from survey.errors import N_, Code, Message, SurveyError
from survey.services.audit import record
from survey.services.user_rules import (
    MIN_PASSWORD,
    ROLES,
    UNIT_ROLES,
    AccountError,
    GrantChoice,
    checked_grants,
    new_user_problems,
    parse_grant,
    password_problem,
    refusal,
)
from survey.store import access as access_store
from survey.store import accounts as store
from survey.store import org as org_store
from survey.store.accounts import StoredUser
from survey.store.engine import write_transaction

__all__ = [
    "LOCKOUT",
    "MAX_FAILURES",
    "MIN_PASSWORD",
    "ROLES",
    "SESSION_IDLE",
    "SESSION_MAX",
    "SIGN_IN_RATE",
    "UNIT_ROLES",
    "AccountError",
    "Grant",
    "GrantChoice",
    "GrantUnit",
    "Principal",
    "SignIn",
    "SignInRefused",
    "UserListing",
    "add_user",
    "disable_user",
    "enable_user",
    "existing_user",
    "grant_units",
    "hash_password",
    "list_users",
    "parse_grant",
    "password_problem",
    "principal_of",
    "refusal",
    "session_principal",
    "set_password",
    "set_roles",
    "sign_in",
    "sign_out",
    "token_hash",
    "unlock_user",
    "user_listing",
]

#: failed sign-ins in a row before the account is locked, and for how long
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
#: a session ends after this long without a request, and in any case after SESSION_MAX
SESSION_IDLE = dt.timedelta(minutes=30)
SESSION_MAX = dt.timedelta(hours=10)
#: sign-in attempts in the current and the previous minute for the whole installation (a
#: password-guessing brake that a minute boundary does not reset)
SIGN_IN_RATE = 100
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so the answer takes as long either way."""
    return _HASHER.hash("not a password of anyone")


class SignInRefused(SurveyError):
    """A sign-in that did not succeed; `reason` is for the log, the message for the person."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Grant:
    role: str
    unit: str | None
    unit_name: str | None
    path: str

    def covers(self, path: str) -> bool:
        return path.startswith(self.path)

    @property
    def label(self) -> str:
        return f"{self.role}:{self.unit}" if self.unit else self.role


@dataclass(frozen=True)
class GrantUnit:
    """A unit a role can be given for, with its depth in the organisation tree."""

    key: str
    name: str
    depth: int


@dataclass(frozen=True)
class Principal:
    """The signed-in user and their grants; every access decision asks this."""

    username: str
    display_name: str
    grants: tuple[Grant, ...]

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def may(self, roles: tuple[str, ...] | str, path: str = "/") -> bool:
        """Holds one of `roles` (admin counts for every role) for the unit at `path` or above."""
        wanted = (roles,) if isinstance(roles, str) else roles
        return any((g.role in wanted or g.role == "admin") and g.covers(path) for g in self.grants)

    def holds(self, roles: tuple[str, ...] | str) -> bool:
        """Holds one of `roles` (or admin) for some unit: whether to offer a page at all."""
        return bool(self.scopes(roles))

    def scopes(self, roles: tuple[str, ...] | str) -> list[Grant]:
        wanted = (roles,) if isinstance(roles, str) else roles
        return [g for g in self.grants if g.role in wanted or g.role == "admin"]


@dataclass(frozen=True)
class SignIn:
    principal: Principal
    #: the cookie value; only its hash is stored
    token: str
    csrf_token: str


@dataclass(frozen=True)
class UserListing:
    username: str
    display_name: str
    active: bool
    locked: bool
    grants: list[Grant]
    #: failed sign-ins in a row since the last success
    failed_sign_ins: int = 0
    locked_until: dt.datetime | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def token_hash(token: str) -> str:
    """What the database keeps of a session token or a one-time link: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _labels(choices: Sequence[GrantChoice | Grant]) -> str:
    return ", ".join(c.label for c in choices)


async def add_user(
    username: str,
    display_name: str,
    password: str | None,
    grants: Sequence[str | GrantChoice],
    *,
    by: str = "cli",
) -> None:
    """A new active user with `grants`. Without a password nobody can sign in as them until they
    set one through a one-time link (survey.services.passwords)."""
    problems = new_user_problems(username, display_name, password)
    ids, choices, grant_problems = await checked_grants(grants)
    problems.update(grant_problems)
    if "username" not in problems and await store.find_user(username) is not None:
        problems["username"] = Message(
            N_("a user %(user)s exists already"),
            {"user": Code(username)},
            f"`survey user passwd {username}` sets a new password",
        )
    if problems:
        raise refusal(problems)
    secret = password if password is not None else secrets.token_urlsafe(32)
    async with write_transaction():
        user_id = await store.insert_user(username, display_name or username, hash_password(secret), _now())
        await store.insert_grants(user_id, ids)
    how = "" if password is not None else "; no password yet"
    await record(by, "user.add", username, _labels(choices) + how)


async def existing_user(username: str) -> StoredUser:
    user = await store.find_user(username)
    if user is None:
        raise AccountError(
            N_("there is no user %(user)s"), hint="`survey user list` shows them", user=Code(username)
        )
    return user


async def set_password(username: str, password: str, *, by: str = "cli") -> None:
    """A new password; it also unlocks the account and ends its sessions."""
    user = await existing_user(username)
    if problem := password_problem(password):
        raise AccountError(problem, fields={"password": problem})
    async with write_transaction():
        await store.update_user(
            user.id, password_hash=hash_password(password), failed_sign_ins=0, locked_until=None
        )
        await store.delete_sessions(user_id=user.id)
        await store.delete_reset_links(user_id=user.id)
    await record(by, "user.passwd", username)


async def disable_user(username: str, *, by: str = "cli") -> None:
    """No sign-in any more; open sessions and unused one-time links end. Never one's own account."""
    user = await existing_user(username)
    if by == username:
        raise AccountError(N_("you cannot disable your own account: only another administrator can do that"))
    if not user.active:
        raise AccountError(N_("%(user)s is disabled already"), user=Code(username))
    async with write_transaction():
        await store.update_user(user.id, active=False)
        await store.delete_sessions(user_id=user.id)
        await store.delete_reset_links(user_id=user.id)
    await record(by, "user.disable", username)


async def enable_user(username: str, *, by: str = "cli") -> None:
    """A disabled user may sign in again, with their old password and their roles."""
    user = await existing_user(username)
    if user.active:
        raise AccountError(N_("%(user)s is active already"), user=Code(username))
    await store.update_user(user.id, active=True)
    await record(by, "user.enable", username)


async def unlock_user(username: str, *, by: str = "cli") -> None:
    """Forget the failed sign-ins: a locked account may sign in again at once."""
    user = await existing_user(username)
    if user.failed_sign_ins == 0 and user.locked_until is None:
        raise AccountError(N_("%(user)s is not locked and has no failed sign-ins"), user=Code(username))
    await store.reset_failures(user.id)
    await record(by, "user.unlock", username, f"after {user.failed_sign_ins} failed sign-ins")


def _administers_all(choices: Sequence[GrantChoice | Grant]) -> bool:
    return any(c.role == "admin" and c.unit is None for c in choices)


async def set_roles(username: str, grants: Sequence[str | GrantChoice], *, by: str = "cli") -> None:
    """Replace the user's grants. An admin keeps their own administration of the whole
    organisation: else nobody might be left to manage the users."""
    user = await existing_user(username)
    ids, choices, problems = await checked_grants(grants)
    before = [Grant(g.role, g.unit, g.unit_name, g.path) for g in await store.grants_of(user.id)]
    if by == username and _administers_all(before) and not _administers_all(choices) and not problems:
        problems["roles"] = Message(
            N_(
                "you cannot take the administration of the whole organisation from yourself: "
                "only another administrator can do that"
            )
        )
    if problems:
        raise refusal(problems)
    async with write_transaction():
        await store.delete_grants(user.id)
        await store.insert_grants(user.id, ids)
    await record(by, "user.roles", username, f"{_labels(before)} → {_labels(choices)}")


async def _listing(user: StoredUser, now: dt.datetime) -> UserListing:
    locked_until = _aware(user.locked_until) if user.locked_until is not None else None
    return UserListing(
        user.username,
        user.display_name,
        user.active,
        locked_until is not None and locked_until > now,
        [Grant(g.role, g.unit, g.unit_name, g.path) for g in await store.grants_of(user.id)],
        user.failed_sign_ins,
        locked_until,
    )


async def list_users() -> list[UserListing]:
    now = _now()
    return [await _listing(u, now) for u in await store.list_users()]


async def user_listing(username: str) -> UserListing | None:
    """One user as the list shows them, or None if there is no such user."""
    user = await store.find_user(username)
    return await _listing(user, _now()) if user is not None else None


async def grant_units() -> list[GrantUnit]:
    """The units a role can be given for, in the order of the organisation tree."""
    return [GrantUnit(u.key, u.name, u.depth) for u in await org_store.list_units()]


async def _principal(user: StoredUser) -> Principal:
    grants = await store.grants_of(user.id)
    return Principal(
        user.username, user.display_name, tuple(Grant(g.role, g.unit, g.unit_name, g.path) for g in grants)
    )


_REFUSED = "Anmeldung fehlgeschlagen: Benutzername oder Passwort stimmt nicht."


async def sign_in(username: str, password: str) -> SignIn:
    """Check the password; a new session (never one the browser brought along) on success."""
    now = _now()
    username = username.strip().lower()[:64]
    # PostgreSQL refuses NUL in text: such a name is simply unknown
    username = username.replace("\x00", "\ufffd")
    if await access_store.count_failures("sign-in", minutes=2) >= SIGN_IN_RATE:
        await record(username, "signin.rate_limited")
        raise SignInRefused(
            "Zu viele Anmeldeversuche. Bitte in einer Minute erneut versuchen.", "rate_limited"
        )
    await access_store.record_failure("sign-in")  # every attempt counts towards the rate
    user = await store.find_user(username)
    if user is None:
        with contextlib.suppress(VerificationError):
            _HASHER.verify(_dummy_hash(), password)
        await record(username, "signin.failed", detail="unknown user")
        raise SignInRefused(_REFUSED, "unknown_user")
    if user.locked_until is not None and _aware(user.locked_until) > now:
        await record(username, "signin.locked")
        raise SignInRefused(
            f"Das Konto ist nach {MAX_FAILURES} Fehlversuchen für {LOCKOUT.seconds // 60} Minuten gesperrt.",
            "locked",
        )
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        failures = await store.add_failure(user.id)
        if failures >= MAX_FAILURES:
            await store.update_user(user.id, locked_until=now + LOCKOUT)
        await record(username, "signin.failed", detail=f"wrong password ({failures} in a row)")
        raise SignInRefused(_REFUSED, "wrong_password") from None
    if not user.active:
        await record(username, "signin.failed", detail="disabled")
        raise SignInRefused(_REFUSED, "disabled")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    async with write_transaction():
        await store.reset_failures(user.id)
        if _HASHER.check_needs_rehash(user.password_hash):
            await store.update_user(user.id, password_hash=_HASHER.hash(password))
        await store.insert_session(token_hash(token), user.id, csrf, now, now + SESSION_MAX)
    await store.delete_expired_sessions(now)
    await record(username, "signin.ok")
    return SignIn(await _principal(user), token, csrf)


@dataclass(frozen=True)
class SessionCheck:
    """The principal of a valid session, or why there is none (`unknown`, `expired`)."""

    principal: Principal | None
    csrf_token: str
    problem: str | None


async def session_principal(token: str) -> SessionCheck:
    now = _now()
    digest = token_hash(token)
    session = await store.find_session(digest)
    if session is None:
        return SessionCheck(None, "", "unknown")
    user = await store.find_user_by_id(session.user_id)
    if user is None or not user.active:
        return SessionCheck(None, "", "unknown")
    if _aware(session.expires_at) <= now or _aware(session.last_seen) + SESSION_IDLE <= now:
        await store.delete_sessions(token_hash=digest)
        await record(user.username, "session.expired")
        return SessionCheck(None, "", "expired")
    if now - _aware(session.last_seen) > dt.timedelta(seconds=60):
        await store.touch_session(digest, now)
    return SessionCheck(await _principal(user), session.csrf_token, None)


async def sign_out(token: str) -> None:
    await store.delete_sessions(token_hash=token_hash(token))


async def expire_session_for_test(token: str, last_seen: dt.datetime) -> None:
    """Move a session's last request into the past (tests of the idle expiry use it)."""
    await store.touch_session(token_hash(token), last_seen)


async def principal_of(username: str) -> Principal:
    """The grants of an active user (for commands run on the server in someone's name)."""
    user = await existing_user(username)
    if not user.active:
        raise AccountError(f"the user `{username}` is disabled")
    return await _principal(user)

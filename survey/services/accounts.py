"""Who may sign in and what they may see: users, roles scoped to the org tree, sessions.

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
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from survey.errors import SurveyError
from survey.services.audit import record
from survey.store import access as access_store
from survey.store import accounts as store
from survey.store import org as org_store
from survey.store.accounts import StoredUser
from survey.store.engine import write_transaction

__all__ = [
    "LOCKOUT",
    "MAX_FAILURES",
    "ROLES",
    "SESSION_IDLE",
    "SESSION_MAX",
    "SIGN_IN_RATE",
    "AccountError",
    "Grant",
    "Principal",
    "SignIn",
    "SignInRefused",
    "UserListing",
    "add_user",
    "disable_user",
    "list_users",
    "parse_grant",
    "principal_of",
    "session_principal",
    "set_password",
    "set_roles",
    "sign_in",
    "sign_out",
]

ROLES = ("admin", "office", "lead", "personalrat", "analyst")
#: failed sign-ins in a row before the account is locked, and for how long
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
#: a session ends after this long without a request, and in any case after SESSION_MAX
SESSION_IDLE = dt.timedelta(minutes=30)
SESSION_MAX = dt.timedelta(hours=10)
#: sign-in attempts in the current and the previous minute for the whole installation (a
#: password-guessing brake that a minute boundary does not reset)
SIGN_IN_RATE = 100
MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so the answer takes as long either way."""
    return _HASHER.hash("not a password of anyone")


class AccountError(SurveyError):
    """A user command that cannot be carried out as asked."""


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"the password is too short ({len(password)} characters): use at least {MIN_PASSWORD}, "
            "e.g. four random words"
        )


def parse_grant(text: str) -> tuple[str, str | None]:
    """`lead:jugendamt` → ("lead", "jugendamt"); `office` → ("office", None)."""
    role, _, unit = text.strip().partition(":")
    if role not in ROLES:
        raise AccountError(f"--role {text!r}: `{role}` is not a role; use one of {', '.join(ROLES)}")
    if role == "lead" and not unit:
        raise AccountError(f"--role {text!r}: a lead leads a unit; write lead:UNIT, e.g. lead:jugendamt")
    return role, unit or None


async def _unit_ids(grants: list[tuple[str, str | None]]) -> list[tuple[str, int | None]]:
    units = {u.key: u.id for u in await org_store.list_units()}
    resolved = []
    for role, unit in grants:
        if unit is not None and unit not in units:
            raise AccountError(
                f"--role {role}:{unit}: there is no unit `{unit}`; `survey org list` shows the keys"
            )
        resolved.append((role, units[unit] if unit else None))
    return resolved


async def add_user(username: str, display_name: str, password: str, grants: list[str]) -> None:
    if not _USERNAME.match(username):
        raise AccountError(
            f"`{username}` is not a user name: use 2–63 lower-case letters, digits, dots, hyphens "
            "or underscores, e.g. m.schmidt"
        )
    if not grants:
        raise AccountError("give at least one --role, e.g. --role lead:jugendamt")
    _check_password(password)
    parsed = await _unit_ids([parse_grant(g) for g in grants])
    if await store.find_user(username) is not None:
        raise AccountError(
            f"a user `{username}` exists already: `survey user passwd {username}` sets a new password"
        )
    async with write_transaction():
        user_id = await store.insert_user(username, display_name or username, _HASHER.hash(password), _now())
        await store.insert_grants(user_id, parsed)
    await record("cli", "user.add", username, ", ".join(grants))


async def _existing(username: str) -> StoredUser:
    user = await store.find_user(username)
    if user is None:
        raise AccountError(f"there is no user `{username}`: `survey user list` shows them")
    return user


async def set_password(username: str, password: str) -> None:
    """A new password; it also unlocks the account and ends its sessions."""
    user = await _existing(username)
    _check_password(password)
    async with write_transaction():
        await store.update_user(
            user.id, password_hash=_HASHER.hash(password), failed_sign_ins=0, locked_until=None
        )
        await store.delete_sessions(user_id=user.id)
    await record("cli", "user.passwd", username)


async def disable_user(username: str) -> None:
    user = await _existing(username)
    async with write_transaction():
        await store.update_user(user.id, active=False)
        await store.delete_sessions(user_id=user.id)
    await record("cli", "user.disable", username)


async def set_roles(username: str, grants: list[str]) -> None:
    user = await _existing(username)
    if not grants:
        raise AccountError("give at least one --role")
    parsed = await _unit_ids([parse_grant(g) for g in grants])
    async with write_transaction():
        await store.delete_grants(user.id)
        await store.insert_grants(user.id, parsed)
    await record("cli", "user.roles", username, ", ".join(grants))


async def list_users() -> list[UserListing]:
    now = _now()
    return [
        UserListing(
            u.username,
            u.display_name,
            u.active,
            u.locked_until is not None and _aware(u.locked_until) > now,
            [Grant(g.role, g.unit, g.unit_name, g.path) for g in await store.grants_of(u.id)],
        )
        for u in await store.list_users()
    ]


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
        await store.insert_session(_token_hash(token), user.id, csrf, now, now + SESSION_MAX)
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
    digest = _token_hash(token)
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
    await store.delete_sessions(token_hash=_token_hash(token))


async def expire_session_for_test(token: str, last_seen: dt.datetime) -> None:
    """Move a session's last request into the past (tests of the idle expiry use it)."""
    await store.touch_session(_token_hash(token), last_seen)


async def principal_of(username: str) -> Principal:
    """The grants of an active user (for commands run on the server in someone's name)."""
    user = await _existing(username)
    if not user.active:
        raise AccountError(f"the user `{username}` is disabled")
    return await _principal(user)

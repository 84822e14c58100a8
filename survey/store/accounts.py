"""Users, their role grants, their signed-in sessions and the one-time links to set a password."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.store.tables import OrgUnitRow, PasswordResetLink, RoleGrant, UserRow, WebSession

__all__ = [
    "StoredGrant",
    "StoredResetLink",
    "StoredUser",
    "add_failure",
    "delete_reset_links",
    "delete_sessions",
    "find_reset_link",
    "find_session",
    "find_user",
    "grants_of",
    "insert_grants",
    "insert_reset_link",
    "insert_session",
    "insert_user",
    "list_users",
    "reset_failures",
    "touch_session",
    "update_user",
    "use_reset_link",
]


@dataclass(frozen=True)
class StoredUser:
    id: int
    username: str
    display_name: str
    password_hash: str
    active: bool
    failed_sign_ins: int
    locked_until: dt.datetime | None


@dataclass(frozen=True)
class StoredGrant:
    role: str
    #: None: the whole organisation
    unit: str | None
    unit_name: str | None
    #: "/" for the whole organisation, else the unit's path ("/verwaltung/kjfs/")
    path: str


def _user(row: dict) -> StoredUser:
    return StoredUser(
        row["id"],
        row["username"],
        row["display_name"],
        row["password_hash"],
        bool(row["active"]),
        row["failed_sign_ins"],
        row["locked_until"],
    )


async def find_user(username: str) -> StoredUser | None:
    row = await UserRow.select().where(UserRow.username == username).first().run()
    return _user(row) if row else None


async def list_users() -> list[StoredUser]:
    return [_user(r) for r in await UserRow.select().order_by(UserRow.username).run()]


async def insert_user(username: str, display_name: str, password_hash: str, now: dt.datetime) -> int:
    rows = await UserRow.insert(
        UserRow(
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            active=True,
            failed_sign_ins=0,
            locked_until=None,
            created_at=now,
        )
    ).run()
    return rows[0]["id"]


async def update_user(user_id: int, **values: object) -> None:
    await (
        UserRow.update({getattr(UserRow, k): v for k, v in values.items()}).where(UserRow.id == user_id).run()
    )


async def add_failure(user_id: int) -> int:
    """One more failed sign-in, counted in the database so every worker sees it; the new count."""
    await (
        UserRow.update({UserRow.failed_sign_ins: UserRow.failed_sign_ins + 1})
        .where(UserRow.id == user_id)
        .run()
    )
    row = await UserRow.select(UserRow.failed_sign_ins).where(UserRow.id == user_id).first().run()
    return row["failed_sign_ins"]


async def reset_failures(user_id: int) -> None:
    await (
        UserRow.update({UserRow.failed_sign_ins: 0, UserRow.locked_until: None})
        .where(UserRow.id == user_id)
        .run()
    )


async def insert_grants(user_id: int, grants: list[tuple[str, int | None]]) -> None:
    if grants:
        await RoleGrant.insert(
            *(RoleGrant(user=user_id, role=role, unit=unit) for role, unit in grants)
        ).run()


async def delete_grants(user_id: int) -> None:
    await RoleGrant.delete().where(RoleGrant.user == user_id).run()


async def grants_of(user_id: int) -> list[StoredGrant]:
    rows = (
        await RoleGrant.select(RoleGrant.role, RoleGrant.unit)
        .where(RoleGrant.user == user_id)
        .order_by(RoleGrant.id)
        .run()
    )
    unit_ids = {r["unit"] for r in rows if r["unit"] is not None}
    units = {}
    if unit_ids:
        units = {
            u["id"]: u
            for u in await OrgUnitRow.select(OrgUnitRow.id, OrgUnitRow.key, OrgUnitRow.name, OrgUnitRow.path)
            .where(OrgUnitRow.id.is_in(list(unit_ids)))
            .run()
        }
    grants = []
    for r in rows:
        unit = units.get(r["unit"])
        grants.append(
            StoredGrant(
                r["role"],
                unit["key"] if unit else None,
                unit["name"] if unit else None,
                unit["path"] if unit else "/",
            )
        )
    return grants


async def insert_session(
    token_hash: str, user_id: int, csrf_token: str, now: dt.datetime, expires_at: dt.datetime
) -> None:
    await WebSession.insert(
        WebSession(
            token_hash=token_hash,
            user=user_id,
            csrf_token=csrf_token,
            created_at=now,
            last_seen=now,
            expires_at=expires_at,
        )
    ).run()


@dataclass(frozen=True)
class StoredSession:
    user_id: int
    csrf_token: str
    last_seen: dt.datetime
    expires_at: dt.datetime


async def find_session(token_hash: str) -> StoredSession | None:
    row = (
        await WebSession.select(
            WebSession.user, WebSession.csrf_token, WebSession.last_seen, WebSession.expires_at
        )
        .where(WebSession.token_hash == token_hash)
        .first()
        .run()
    )
    if row is None:
        return None
    return StoredSession(row["user"], row["csrf_token"], row["last_seen"], row["expires_at"])


async def touch_session(token_hash: str, now: dt.datetime) -> None:
    await WebSession.update({WebSession.last_seen: now}).where(WebSession.token_hash == token_hash).run()


async def delete_sessions(*, token_hash: str | None = None, user_id: int | None = None) -> None:
    if token_hash is not None:
        await WebSession.delete().where(WebSession.token_hash == token_hash).run()
    if user_id is not None:
        await WebSession.delete().where(WebSession.user == user_id).run()


async def delete_expired_sessions(now: dt.datetime) -> None:
    await WebSession.delete().where(WebSession.expires_at < now).run()


async def find_user_by_id(user_id: int) -> StoredUser | None:
    row = await UserRow.select().where(UserRow.id == user_id).first().run()
    return _user(row) if row else None


# --- one-time links to set a new password -------------------------------------------------------


@dataclass(frozen=True)
class StoredResetLink:
    user_id: int
    created_by: str
    expires_at: dt.datetime
    used_at: dt.datetime | None


async def insert_reset_link(
    token_hash: str, user_id: int, created_by: str, now: dt.datetime, expires_at: dt.datetime
) -> None:
    await PasswordResetLink.insert(
        PasswordResetLink(
            token_hash=token_hash,
            user=user_id,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
            used_at=None,
        )
    ).run()


async def find_reset_link(token_hash: str) -> StoredResetLink | None:
    row = (
        await PasswordResetLink.select(
            PasswordResetLink.user,
            PasswordResetLink.created_by,
            PasswordResetLink.expires_at,
            PasswordResetLink.used_at,
        )
        .where(PasswordResetLink.token_hash == token_hash)
        .first()
        .run()
    )
    if row is None:
        return None
    return StoredResetLink(row["user"], row["created_by"], row["expires_at"], row["used_at"])


async def use_reset_link(token_hash: str, now: dt.datetime) -> bool:
    """Mark the link used, if nobody has used it yet and it has not expired: one statement, so
    that of two requests with the same link (on two workers, say) exactly one gets True."""
    rows = (
        await PasswordResetLink.update({PasswordResetLink.used_at: now})
        .where(
            (PasswordResetLink.token_hash == token_hash)
            & PasswordResetLink.used_at.is_null()
            & (PasswordResetLink.expires_at > now)
        )
        .returning(PasswordResetLink.id)
        .run()
    )
    return bool(rows)


async def delete_reset_links(
    *, user_id: int | None = None, expired_before: dt.datetime | None = None
) -> None:
    """The links of a user that are still unused (a newer link or a new password replaces them),
    or every link that expired before a moment (housekeeping)."""
    if user_id is not None:
        await (
            PasswordResetLink.delete()
            .where((PasswordResetLink.user == user_id) & PasswordResetLink.used_at.is_null())
            .run()
        )
    if expired_before is not None:
        await PasswordResetLink.delete().where(PasswordResetLink.expires_at < expired_before).run()

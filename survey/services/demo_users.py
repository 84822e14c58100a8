"""One user per role for the demo Kommune, so the signed-in pages can be tried at once."""

from __future__ import annotations

from survey.services.accounts import add_user, list_users
from survey.store.org import list_units

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "ensure_demo_users"]

#: for the demo only; `survey user passwd` sets real passwords
DEMO_PASSWORD = "lindenau-demo-2026"
#: user name, display name, roles
DEMO_USERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("admin", "Demo-Administration", ("admin",)),
    ("buero", "Befragungsbüro (Sozialplanung)", ("office",)),
    ("leitung-jugendamt", "Leitung Jugendamt", ("lead:jugendamt",)),
    ("leitung-kjfs", "Dezernentin Kinder, Jugend, Familie, Soziales", ("lead:kjfs",)),
    ("personalrat", "Personalrat", ("personalrat",)),
    ("auswertung", "Auswertung (Statistikstelle)", ("analyst",)),
)


def _units_named(roles: tuple[str, ...]) -> set[str]:
    return {role.partition(":")[2] for role in roles if ":" in role}


async def ensure_demo_users() -> list[tuple[str, str, tuple[str, ...]]]:
    """Add the demo users that are not there yet and return them; a lead of a unit that the
    organisation (`survey demo --org`) does not have is left out."""
    existing = {u.username for u in await list_users()}
    units = {u.key for u in await list_units()}
    users = [user for user in DEMO_USERS if _units_named(user[2]) <= units]
    for username, name, roles in users:
        if username not in existing:
            await add_user(username, name, DEMO_PASSWORD, list(roles))
    return users

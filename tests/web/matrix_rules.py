"""The access matrix's vocabulary: a route, who may use it, and the unit it is tried on.

Each area of the manage pages keeps its rows in a module of its own, `matrix_<area>.py` next to
this one, with a list `ROUTES`; tests/web/test_access_matrix.py collects them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

OWN, OTHER = "asd", "sozialamt"
ORG_WIDE = {"admin", "buero", "personalrat", "auswertung"}

Rule = Callable[[str, str], bool]  # (user, unit kind "own" | "other" | "") → allowed


def everyone(user: str, unit: str) -> bool:
    return True


def only(*users: str) -> Rule:
    return lambda user, unit: user in users


def figures(user: str, unit: str) -> bool:
    """Suppressed figures of a unit: its leads, the office, the Personalrat (staff), analysts, admin."""
    return user in ORG_WIDE or unit == "own"


def citizen_figures(user: str, unit: str) -> bool:
    """The citizens' ratings are no business of the Personalrat."""
    return user != "personalrat" and figures(user, unit)


def raw(user: str, unit: str) -> bool:
    """Raw answers: analysts (and admins) whose grant covers the whole scope asked for."""
    return user in ("admin", "auswertung") or (user == "auswertung-jugendamt" and unit == "own")


@dataclass(frozen=True)
class Route:
    method: str
    #: `{unit}` is replaced by the own or the other unit; without it the route has no unit
    path: str
    allowed: Rule
    #: the path of the app's route handler, for the completeness check
    pattern: str = ""
    #: a page for everyone, signed in or not (the public results): without a session it answers
    #: as with one, never 401 or the sign-in page
    anonymous: bool = False

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

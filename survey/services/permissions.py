"""Who may see and do what: the access rules of the pages, the JSON API and the exports in one place.

A `Principal` holds grants, each a role over a unit and everything below it (`/` is the whole
organisation); an admin counts for every role, except where co-determination is the Personalrat's
own right (approvals). The web asks these functions and does only the glue: the 403 and its audit
entry. Pages and API share them, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from survey.services.accounts import Principal

__all__ = [
    "AGGREGATE_EXPORT_ROLES",
    "DASHBOARD_ROLES",
    "EXPORT_ROLES",
    "MEASURE_ROLES",
    "OVERVIEW_ROLES",
    "STAFF_ONLY_ROLES",
    "Placed",
    "aggregate_export_roles",
    "comment_reviewer_roles",
    "dashboard_roles",
    "exportable_units",
    "may_approve",
    "may_change_measures",
    "may_confirm_for",
    "may_create_measures",
    "may_edit_measure",
    "may_edit_redaction",
    "may_export_aggregate",
    "may_export_any_questionnaire",
    "may_export_raw",
    "may_invite_to_measure",
    "may_lead",
    "may_manage_users",
    "may_open_dashboard",
    "may_open_exports",
    "may_open_measures",
    "may_open_overview",
    "may_publish_measures",
    "may_read_all_measures",
    "may_read_audit",
    "may_read_measure",
    "may_read_unit_measures",
    "may_run_waves",
    "may_see",
    "organisation_wide",
    "starting_points",
]

#: roles that read a unit's figures (admin counts for each); the Personalrat only staff questionnaires
DASHBOARD_ROLES = ("lead", "office", "personalrat", "analyst")
STAFF_ONLY_ROLES = ("personalrat",)
#: organisation-wide grants of these roles open the organisation overview
OVERVIEW_ROLES = ("office", "personalrat", "admin")
#: roles offered the exports page, and which units' suppressed figures they export
EXPORT_ROLES = ("analyst", "lead", "office", "personalrat")
#: suppressed figures of any questionnaire; the Personalrat's are added for staff questionnaires
AGGREGATE_EXPORT_ROLES = ("lead", "office", "analyst")
#: raw answers (of closed waves) are for analysts, over the whole scope asked for
RAW_EXPORT_ROLE = "analyst"
STAFF_QUESTIONNAIRE = "staff-pulse"
PERSONALRAT = "personalrat"


class Placed(Protocol):
    """A unit of the org tree as far as access goes: where it hangs and what is above it."""

    @property
    def parent(self) -> str | None: ...

    @property
    def path(self) -> str: ...


U = TypeVar("U", bound=Placed)


# --- figures: dashboard and organisation overview ----------------------------------------------


def dashboard_roles(audience: str) -> tuple[str, ...]:
    """The roles that read figures of a questionnaire for `audience` (staff | citizen)."""
    if audience == "staff":
        return DASHBOARD_ROLES
    return tuple(role for role in DASHBOARD_ROLES if role not in STAFF_ONLY_ROLES)


def may_open_dashboard(principal: Principal, audience: str | None = None) -> bool:
    """Holds a dashboard role somewhere (for the audience's questionnaires, or for any)."""
    return principal.holds(DASHBOARD_ROLES if audience is None else dashboard_roles(audience))


def may_see(principal: Principal, unit: Placed, audience: str | None = None) -> bool:
    """May read the unit's (suppressed) figures; of the given audience's questionnaires, or of any."""
    return principal.may(DASHBOARD_ROLES if audience is None else dashboard_roles(audience), unit.path)


def may_open_overview(principal: Principal) -> bool:
    """Holds an overview role for the whole organisation (any questionnaire)."""
    return any(g.role in OVERVIEW_ROLES and g.path == "/" for g in principal.grants)


def organisation_wide(principal: Principal, audience: str) -> bool:
    """May read the organisation overview of the audience's questionnaires."""
    roles = tuple(r for r in OVERVIEW_ROLES if audience == "staff" or r not in STAFF_ONLY_ROLES)
    return any(g.role in roles and g.path == "/" for g in principal.grants)


def starting_points(principal: Principal, units: Sequence[U], audience: str) -> list[U]:
    """The units of the viewer's grants (the top unit for whole-organisation grants), minus those
    inside another one: where the viewer's dashboard begins."""
    if not units:
        return []
    top = next(u for u in units if u.parent is None)
    paths = {g.path for g in principal.scopes(dashboard_roles(audience))}
    chosen = [u for u in units if u.path in paths or (u is top and "/" in paths)]
    return [u for u in chosen if not any(o is not u and u.path.startswith(o.path) for o in chosen)]


# --- exports --------------------------------------------------------------------------------


def may_open_exports(principal: Principal) -> bool:
    return principal.holds(EXPORT_ROLES)


def exportable_units(principal: Principal, units: Sequence[U]) -> list[U]:
    """The units whose suppressed figures the exports page offers."""
    return [u for u in units if principal.may(EXPORT_ROLES, u.path)]


def may_export_raw(principal: Principal, path: str | None = None) -> bool:
    """Raw answers of the unit at `path` (all of them without one); `path=None` asks whether the
    viewer may export raw answers anywhere (what the page offers)."""
    if path is None:
        return principal.holds(RAW_EXPORT_ROLE)
    return principal.may(RAW_EXPORT_ROLE, path)


def aggregate_export_roles(questionnaire: str) -> tuple[str, ...]:
    extra = (PERSONALRAT,) if questionnaire == STAFF_QUESTIONNAIRE else ()
    return AGGREGATE_EXPORT_ROLES + extra


def may_export_aggregate(principal: Principal, path: str, questionnaire: str) -> bool:
    return principal.may(aggregate_export_roles(questionnaire), path)


def may_export_any_questionnaire(principal: Principal) -> bool:
    """Whether the exports page offers every questionnaire, or the staff one only (Personalrat)."""
    return principal.holds(AGGREGATE_EXPORT_ROLES)


# --- the office, the Personalrat, the admin -------------------------------------------------


def may_run_waves(principal: Principal) -> bool:
    """Open, close and list the waves: the survey office (or an admin) of the whole organisation."""
    return principal.may("office")


def may_approve(principal: Principal) -> bool:
    """Approve staff questionnaires and waves. Deliberately not Principal.may(): there an admin
    counts for every role, and co-determination is the Personalrat's own right."""
    return PERSONALRAT in principal.roles


def comment_reviewer_roles(principal: Principal, review: str) -> tuple[bool, bool]:
    """(as the survey office, as the Personalrat): in which capacity `principal` releases the
    comments of a wave whose comments wait for `review` (none | office | personalrat | both).
    Releasing as the Personalrat is its own right, as approving is."""
    office = review in ("office", "both") and principal.may("office")
    personalrat = review in ("personalrat", "both") and PERSONALRAT in principal.roles
    return office, personalrat


def may_edit_redaction(principal: Principal) -> bool:
    """The list of names and the rules the redaction adds, and the comment codebooks: the office."""
    return principal.may("office")


def may_read_audit(principal: Principal) -> bool:
    return principal.may(PERSONALRAT)


def may_manage_users(principal: Principal) -> bool:
    return principal.may("admin")


# --- measures (Maßnahmen) ---------------------------------------------------------------------

#: roles that read measures: leads and analysts those of their units, the office and the
#: Personalrat all of them (the Personalrat only reads); admin counts for each
MEASURE_ROLES = ("lead", "office", "personalrat", "analyst")
#: roles that read every measure of the organisation
MEASURE_READ_ALL_ROLES = ("office", "personalrat")


def may_open_measures(principal: Principal) -> bool:
    """Offer the measures pages at all (the list shows what the viewer may read)."""
    return principal.holds(MEASURE_ROLES)


def may_read_all_measures(principal: Principal) -> bool:
    """The survey office, the Personalrat and admins read every measure of the organisation."""
    return principal.may(MEASURE_READ_ALL_ROLES)


def may_read_unit_measures(principal: Principal, unit: Placed) -> bool:
    """May ask for the measures of the unit (and its sub-units): the viewer's grant covers it."""
    return principal.may(MEASURE_ROLES, unit.path)


def may_lead(principal: Principal, unit: Placed) -> bool:
    """Leads the unit: a lead grant on it or above it (or admin)."""
    return principal.may("lead", unit.path)


def may_create_measures(principal: Principal) -> bool:
    """Leads (and admins) create measures, for units they lead."""
    return principal.holds("lead")


def may_change_measures(principal: Principal) -> bool:
    """Take any step on measures: leads (their measures), the survey office (public, units), admins."""
    return principal.holds("lead") or principal.may("office")


def may_read_measure(principal: Principal, confirmed: Sequence[Placed], invited: Sequence[Placed]) -> bool:
    """Office, Personalrat, admin: every measure. A lead: a measure of a unit they lead, confirmed
    or invited (to confirm it). An analyst: a measure of a confirmed unit their grant covers."""
    if may_read_all_measures(principal):
        return True
    if any(may_lead(principal, u) for u in (*confirmed, *invited)):
        return True
    return any(principal.may("analyst", u.path) for u in confirmed)


def may_edit_measure(principal: Principal, confirmed: Sequence[Placed]) -> bool:
    """Change the measure, its status, and write progress notes: a lead of a confirmed owning
    unit (or an admin). The Personalrat only reads."""
    return any(may_lead(principal, u) for u in confirmed)


def may_publish_measures(principal: Principal) -> bool:
    """Mark a measure public (for the citizens' pages): the survey office or an admin."""
    return principal.may("office")


def may_confirm_for(principal: Principal, unit: Placed) -> bool:
    """Confirm a unit as an owner of a measure: a lead of it, the survey office or an admin."""
    return may_lead(principal, unit) or principal.may("office")


def may_invite_to_measure(principal: Principal, confirmed: Sequence[Placed]) -> bool:
    """Invite another unit to a measure: its editors, the survey office or an admin."""
    return may_edit_measure(principal, confirmed) or principal.may("office")

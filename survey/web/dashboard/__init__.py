"""The dashboard of leads, the survey office, the Personalrat and analysts: values × waves of a unit.

Pages (server-rendered, no JavaScript, German first, English with `?lang=en`) and their JSON twins
under /api/v1. Everything shown comes from `survey.services.figures` and `survey.services.reports`,
which suppress before any figure leaves them (DESIGN §4): a hidden figure is shown as hidden with
its reason, never as a number, for every role.

Who sees what: a unit's figures need a grant of lead, office, personalrat or analyst on the unit or
above it (admin sees everything); the Personalrat sees staff questionnaires only. The organisation
overview needs an organisation-wide grant of office, personalrat or admin. Everything else is a
403, logged in the audit log; so is every view of free-text comments.

Routes: /dashboard, /dashboard/{unit} (`?fragebogen=`), /dashboard/{unit}/fragen (`&welle=`),
/dashboard/{unit}/bericht, /dashboard/organisation/bericht (a unit keyed `organisation` would
not reach its report there); /api/v1/units, /api/v1/units/{unit}/figures, …/comments and
/api/v1/overview/figures (`?questionnaire=`).

The package: `_scope` (the unit and questionnaire of a request, their figures and comments),
`_show` (words, numbers and charts of the pages), `_pages` and `_api` (the routes).
"""

from survey.services.permissions import DASHBOARD_ROLES, OVERVIEW_ROLES
from survey.web.dashboard._api import API_ROUTES, Comments, VisibleUnit
from survey.web.dashboard._pages import PAGE_ROUTES
from survey.web.dashboard._report import report_policy
from survey.web.dashboard._show import PageShow

__all__ = [
    "DASHBOARD_ROLES",
    "DASHBOARD_ROUTES",
    "OVERVIEW_ROLES",
    "Comments",
    "PageShow",
    "VisibleUnit",
    "report_policy",
]

#: the routes of the dashboard, for the app's route_handlers (pages first, then their JSON twins)
DASHBOARD_ROUTES = [*PAGE_ROUTES, *API_ROUTES]

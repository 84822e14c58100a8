"""The pages of everyone who runs the surveys, by area, each page with a JSON twin under /api/v1
with the same access rules (survey.services.permissions; tagged in the OpenAPI document):

- the survey office's waves: `_waves`
- respondents' access from a wave's page (invitation codes, unit links, receipt codes,
  posters): `_access` (JSON twins `_access_api`)
- a staff wave's e-mail invitations and reminders: `_mail` (JSON twins `_mail_api`)
- the Personalrat's approvals: `_approvals`
- exports (raw answers of closed waves only; every export audited): `_exports`
- the audit log (every view of it audited): `_audit`
- users and their roles: `_users`
- the organisation: upload, preview, apply, headcounts: `_org` (JSON twins `_org_api`)
- questionnaire versions and Leitbilder: drafts in the database, editor, preview, review and
  publishing (`_questionnaire_routes` lists them all)
"""

from __future__ import annotations

from survey.web.manage._access import ACCESS_ROUTES
from survey.web.manage._approvals import APPROVAL_ROUTES
from survey.web.manage._audit import AUDIT_ROUTES, AuditOut
from survey.web.manage._exports import EXPORT_ROUTES
from survey.web.manage._mail import MAIL_ROUTES
from survey.web.manage._org import ORG_ROUTES
from survey.web.manage._questionnaire_routes import QUESTIONNAIRE_ROUTES
from survey.web.manage._users import USER_ROUTES, GrantOut, UserOut
from survey.web.manage._waves import WAVE_ROUTES

__all__ = ["MANAGE_ROUTES", "AuditOut", "GrantOut", "UserOut"]

MANAGE_ROUTES = [
    *WAVE_ROUTES,
    *APPROVAL_ROUTES,
    *EXPORT_ROUTES,
    *AUDIT_ROUTES,
    *USER_ROUTES,
    *ORG_ROUTES,
    *ACCESS_ROUTES,
    *MAIL_ROUTES,
    *QUESTIONNAIRE_ROUTES,
]

"""The pages about free-text comments.

- `_review`: `/kommentare/freigabe`, where the survey office and/or the Personalrat release the
  comments of the waves whose approval asks for it, black out more or withhold one with a reason;
- `_settings`: `/buero/schwaerzung`, the survey office's list of further names and its rules for
  the redaction, and `/buero/codebuch`, the codebook of themes per Leitbild value;
- `_read`: `/dashboard/{unit}/kommentare`, a unit's released comments by value and theme.

Their words are the portal's (German and English): `survey.web.i18n` extracts these modules and
their templates into the portal catalog.
"""

from __future__ import annotations

from survey.web.comments._read import READ_ROUTES
from survey.web.comments._review import REVIEW_ROUTES
from survey.web.comments._settings import SETTINGS_ROUTES

__all__ = ["COMMENT_ROUTES"]

COMMENT_ROUTES = [*REVIEW_ROUTES, *SETTINGS_ROUTES, *READ_ROUTES]

"""Every route of the questionnaires and Leitbilder (survey office): the list, uploads and
downloads (`_questionnaires`), the editor of a draft (`_questionnaire_editor`), its preview
(`_preview`), publishing and discarding (`_questionnaire_publish`), the Leitbild's pages
(`_leitbild_pages`) and the JSON twins (`_questionnaires_api`)."""

from __future__ import annotations

from survey.web.manage._leitbild_pages import LEITBILD_ROUTES
from survey.web.manage._preview import PREVIEW_ROUTES
from survey.web.manage._questionnaire_editor import EDITOR_ROUTES
from survey.web.manage._questionnaire_publish import PUBLISH_ROUTES
from survey.web.manage._questionnaires import LIST_ROUTES
from survey.web.manage._questionnaires_api import QUESTIONNAIRE_API_ROUTES

__all__ = ["QUESTIONNAIRE_ROUTES"]

QUESTIONNAIRE_ROUTES = [
    *LIST_ROUTES,
    *EDITOR_ROUTES,
    *PREVIEW_ROUTES,
    *PUBLISH_ROUTES,
    *LEITBILD_ROUTES,
    *QUESTIONNAIRE_API_ROUTES,
]

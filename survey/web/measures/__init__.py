"""The measures (Maßnahmen) of leads, the survey office, the Personalrat and analysts: pages
(server-rendered, no JavaScript, German first, English with `?lang=en`) and their JSON twins under
/api/v1/measures, with the same rules (survey.services.measures, survey.services.permissions).

Pages: /massnahmen (`?einheit=&wert=&status=`), /massnahmen/neu (`?einheit=` ticks a unit),
/massnahmen/{id}, /massnahmen/{id}/bearbeiten, and the steps on a measure's page: POST
/massnahmen/{id}/notizen, …/status, …/oeffentlich, …/einheiten, …/einheiten/{unit}/bestaetigen.

The package: `_show` (words and the measure as a page shows it; the services' refusals as 403 and
404), `_forms` (the form of a new or changed measure), `_pages` (the list, a measure's page, its
steps) and `_api` (the JSON twins).
"""

from survey.web.measures._api import API_ROUTES, MeasureOut
from survey.web.measures._forms import FORM_ROUTES
from survey.web.measures._pages import PAGE_ROUTES

__all__ = ["MEASURE_ROUTES", "MeasureOut"]

#: the routes of the measures, for the app's route_handlers (pages first, then their JSON twins)
MEASURE_ROUTES = [*PAGE_ROUTES, *FORM_ROUTES, *API_ROUTES]

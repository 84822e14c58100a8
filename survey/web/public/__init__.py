"""The pages without sign-in of "Sie haben gesagt – wir haben gehandelt", and the survey office's
page of the staff's feedback links.

- `_citizens`: the citizens' public pages, `/oeffentlich` (the whole Kommune) and
  `/oeffentlich/<service point>`, in every language of the citizens' questionnaire;
- `_feedback`: a unit's page for its staff, `/rueckmeldung/<token>`, and its one-page PDF;
- `_open_data`: what the public pages show as CSV and JSON, with the data dictionary;
- `_office`: `/buero/rueckmeldung`, where the survey office makes, renews and prints the links;
- `_thanks`: what the respondents' thank-you page (survey.web.respond) links to;
- `_stop`: the stop link of the invitation and reminder e-mails, `/abmelden/<token>`;
- `_show` (words and numbers in the reader's language), `_common` (language, switch, 404).

Figures and measures come from survey.services.public_results, suppressed; the pages add words.
Respondent catalogs (seven languages) for everything but `_office` and `_stop` (the portal's,
German and English). Server-rendered, no JavaScript, phone first.
"""

from survey.web.public._citizens import CITIZEN_ROUTES, public_path
from survey.web.public._feedback import FEEDBACK_ROUTES, feedback_path
from survey.web.public._office import OFFICE_ROUTES
from survey.web.public._open_data import OPEN_DATA_ROUTES
from survey.web.public._stop import STOP_ROUTES
from survey.web.public._thanks import next_link, next_step

__all__ = ["PUBLIC_ROUTES", "feedback_path", "next_link", "next_step", "public_path"]

#: the open-data addresses first: `/oeffentlich/daten.csv` is no service point
PUBLIC_ROUTES = [*OPEN_DATA_ROUTES, *CITIZEN_ROUTES, *FEEDBACK_ROUTES, *OFFICE_ROUTES, *STOP_ROUTES]

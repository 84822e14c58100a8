"""What people read without signing in: "Sie haben gesagt – wir haben gehandelt".

- a unit's **feedback page** for its staff, reached by the unit's feedback link (a random token
  the survey office makes, renews and prints): the latest closed staff wave's ratings per value,
  the change since the wave before in words, and the unit's measures with their status and effect;
- the citizens' **public pages**, of the Kommune and of each service point: the latest closed
  citizen wave's ratings (rounded, only at k), the change and trend in words, and the measures
  the survey office marked public; no free text ever;
- **Open Data**: exactly what the public pages show, as rows for CSV and JSON.

Every figure comes suppressed from survey.services.figures; a service point's with the
suppression of survey.domain.service_points beside the dashboard's. The pages' words are
survey.web.public's.

    feedback_links()                  -> every active unit with its link's token, if any (_links)
    renew_feedback_link(unit, by=)    -> a new token for the unit (the old link stops working); audited
    feedback_unit(token)              -> the unit key of a token, or None
    feedback_token_of(unit_id)        -> the unit's token, or None
    thanks_reference(unit_id, settings) -> the unit signed, for the redirect to the staff thank-you page
    feedback_token_of_reference(ref, settings) -> the token of the unit a thanks_reference names
    feedback_page(token, lang)        -> FeedbackPage, or None for no such link (_pages)
    public_page(point | None, lang)   -> PublicPage of the Kommune or a service point, or None
    public_page_exists(point)         -> whether the service point has a public page
    public_places()                   -> the Kommune's name, the service points with a page, the units
    open_data_rows()                  -> the public pages' ratings as rows of COLUMNS (_open_data)
"""

from survey.services.public_results._links import (
    FEEDBACK_PATH,
    FeedbackLinkRow,
    NoSuchUnit,
    feedback_links,
    feedback_token_of,
    feedback_token_of_reference,
    feedback_unit,
    renew_feedback_link,
    thanks_reference,
)
from survey.services.public_results._model import (
    ChangeWord,
    EffectLine,
    FeedbackPage,
    PlaceLink,
    PublicMeasure,
    PublicPage,
    Ratings,
    TrendWord,
    ValueRating,
)
from survey.services.public_results._open_data import COLUMNS, OpenDataRow, open_data_rows
from survey.services.public_results._pages import (
    feedback_page,
    public_page,
    public_page_exists,
    public_places,
)

__all__ = [
    "COLUMNS",
    "FEEDBACK_PATH",
    "ChangeWord",
    "EffectLine",
    "FeedbackLinkRow",
    "FeedbackPage",
    "NoSuchUnit",
    "OpenDataRow",
    "PlaceLink",
    "PublicMeasure",
    "PublicPage",
    "Ratings",
    "TrendWord",
    "ValueRating",
    "feedback_links",
    "feedback_page",
    "feedback_token_of",
    "feedback_token_of_reference",
    "feedback_unit",
    "open_data_rows",
    "public_page",
    "public_page_exists",
    "public_places",
    "renew_feedback_link",
    "thanks_reference",
]

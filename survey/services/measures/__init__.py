"""Measures (Maßnahmen): what units do about the Leitbild's values, agreed after reading the
results and checked in later waves. The use cases the measures pages, their JSON twins and the
effect check share.

Who may do what (the rules are survey.services.permissions): a lead creates a measure for units
they lead; a chosen unit the lead does not lead is *invited*, and owns the measure only once a lead
of it (or the survey office, or an admin) has *confirmed* it. A measure of several units is thus
either created at their common parent by a lead of all of them, or created by one unit's lead and
joined by each other unit's lead. Leads of a confirmed owning unit change the measure and its
status and write progress notes; the survey office marks measures public (for the citizens'
pages) and confirms units; the office and the Personalrat read every measure, the Personalrat
only reads; analysts read the measures of units their grant covers; an admin does everything.
Anything else raises `MeasureForbidden` (the web answers 403 and logs it). Every change is
written to the audit log, naming the measure and its units.

Only confirmed units own a measure: on their pages and in the effect check (`owned_measures`).

    _rules  what a measure must be: each input problem under its field (`MeasureError`), the
            values and items it may name (`measure_catalog`), the errors
    _model  what a measure is as answered (`Measure`, `Owner`, `Note`), what a viewer may do
    _read   one measure, the measures a viewer may read, invitations, the measures of units
    _write  create, change, notes, invite and confirm units
"""

from survey.services.measures._model import Measure, MeasureChange, MeasureRights, Note, Owner
from survey.services.measures._read import (
    find_measure,
    owned_measures,
    owned_within,
    rights_of,
    visible_measures,
    waiting_invitations,
)
from survey.services.measures._rules import (
    MAX_DESCRIPTION,
    MAX_LAG_DAYS,
    MAX_NOTE,
    MAX_TEXT,
    STATUSES,
    CatalogItem,
    CatalogValue,
    MeasureCatalog,
    MeasureConflict,
    MeasureError,
    MeasureForbidden,
    MeasureInput,
    MeasureNotFound,
    measure_catalog,
)
from survey.services.measures._write import (
    add_note,
    change_measure,
    confirm_unit,
    create_measure,
    invite_unit,
)

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_LAG_DAYS",
    "MAX_NOTE",
    "MAX_TEXT",
    "STATUSES",
    "CatalogItem",
    "CatalogValue",
    "Measure",
    "MeasureCatalog",
    "MeasureChange",
    "MeasureConflict",
    "MeasureError",
    "MeasureForbidden",
    "MeasureInput",
    "MeasureNotFound",
    "MeasureRights",
    "Note",
    "Owner",
    "add_note",
    "change_measure",
    "confirm_unit",
    "create_measure",
    "find_measure",
    "invite_unit",
    "measure_catalog",
    "owned_measures",
    "owned_within",
    "rights_of",
    "visible_measures",
    "waiting_invitations",
]

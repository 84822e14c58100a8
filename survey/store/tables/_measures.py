"""Measures (Maßnahmen) and the units' feedback links."""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from survey.store.tables._core import OrgUnitRow

__all__ = ["FeedbackLink", "MeasureNoteRow", "MeasureRow", "MeasureUnitRow", "MeasureValueRow"]


class MeasureRow(Table, tablename="measure"):
    """A Maßnahme (survey.services.measures); units, values, notes: the tables below."""

    title = Varchar(length=200)
    description = Text(default="")
    items = Text(default="[]")  # JSON text: the ids of the items it aims at (if any)
    responsible = Varchar(length=200)  # a role or a name, as the Kommune writes it
    starts_on = Date()
    due_on = Date(null=True, default=None)
    effect_lag_days = Integer(default=0)  # days after the start before a wave counts as "after"
    status = Varchar(length=16, default="geplant")  # geplant | laufend | umgesetzt | verworfen
    public = Boolean(default=False)  # for the citizens' pages; only the survey office sets it
    created_by = Varchar(length=64)
    created_at = Timestamptz()
    updated_by = Varchar(length=64)
    updated_at = Timestamptz()


class MeasureUnitRow(Table, tablename="measure_unit"):
    measure = ForeignKey(MeasureRow, null=False, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)
    state = Varchar(length=16, default="invited")  # until a lead of it (or the office) "confirmed"
    invited_by = Varchar(length=64)
    invited_at = Timestamptz()
    confirmed_by = Varchar(length=64, null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)


class MeasureValueRow(Table, tablename="measure_value"):
    measure = ForeignKey(MeasureRow, null=False, on_delete=OnDelete.cascade, index=True)
    value = Varchar(length=64, index=True)  # a key of the Leitbild's values


class MeasureNoteRow(Table, tablename="measure_note"):
    measure = ForeignKey(MeasureRow, null=False, on_delete=OnDelete.cascade, index=True)
    noted_on = Date()
    text = Text()
    author = Varchar(length=64)  # the user name, as in the audit log
    created_at = Timestamptz()


class FeedbackLink(Table, tablename="feedback_link"):
    """A unit's feedback link (`/rueckmeldung/<token>`): its staff read the unit's results of the
    latest closed staff wave and its measures there, without signing in ("Sie haben gesagt – wir
    haben gehandelt"). One per unit; renewing it replaces the token, and the old link stops working.

    The token is random (144 bits) and kept as it is, like a unit link's: the survey office shows
    and prints the link again, and the staff thank-you page links it. It opens only what k and
    suppression already let every reader of the unit's figures see, never answers or free text."""

    token = Varchar(length=64, unique=True)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict, unique=True)
    #: who made (or last renewed) it, and when; the audit log keeps every renewal
    created_by = Varchar(length=64)
    created_at = Timestamptz()

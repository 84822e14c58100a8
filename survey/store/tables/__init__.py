"""piccolo tables. Responses hold no reference to a person, an invitation code or a clock time.

_core       the catalog, organisation, waves, responses, accounts, approvals, the audit log
_measures   measures and the units' feedback links
_comments   the comment codebooks
_mail       e-mail invitations and reminders: address lists, outbox, tallies
_kept       figures and charts kept for every worker (derived: safe to empty)
_org        organisation versions, unit lineage, the organisation of each closed wave
"""

from __future__ import annotations

from piccolo.table import Table

from survey.store.tables import _comments, _core, _kept, _mail, _measures, _org
from survey.store.tables._comments import *  # noqa: F403
from survey.store.tables._core import *  # noqa: F403
from survey.store.tables._kept import *  # noqa: F403
from survey.store.tables._mail import *  # noqa: F403
from survey.store.tables._measures import *  # noqa: F403
from survey.store.tables._org import *  # noqa: F403

__all__ = [
    "TABLES",
    *_core.__all__,
    *_measures.__all__,
    *_comments.__all__,
    *_mail.__all__,
    *_kept.__all__,
    *_org.__all__,
]

#: every table, in the order they depend on each other
TABLES: tuple[type[Table], ...] = (
    *_core.TABLES,
    _measures.MeasureRow,
    _measures.MeasureUnitRow,
    _measures.MeasureValueRow,
    _measures.MeasureNoteRow,
    _measures.FeedbackLink,
    _comments.CodebookRow,
    _mail.MailRecipient,
    _mail.MailOutbox,
    _mail.MailTally,
    _mail.MailRound,
    _mail.MailLease,
    _kept.KeptFigure,
    _kept.KeptChart,
    _org.OrgVersion,
    _org.UnitLineage,
    _org.WaveOrgUnit,
)

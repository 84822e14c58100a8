"""The core tables: catalog, organisation, waves, responses and comments, accounts, approvals, audit."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigSerial,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

__all__ = [
    "Answer",
    "Approval",
    "AuditEntry",
    "Comment",
    "FloodCounter",
    "Invitation",
    "LeitbildRow",
    "OrgUnitRow",
    "QuestionnaireVersionRow",
    "ReceiptCode",
    "ResponseRow",
    "RoleGrant",
    "ServicePointRow",
    "SettingRow",
    "SubmissionKey",
    "UnitLink",
    "UserRow",
    "WaveRow",
    "WaveUnitRow",
    "WebSession",
]


class SettingRow(Table, tablename="setting"):
    """Small facts about the installation, such as the Kommune's name."""

    key = Varchar(length=64, unique=True)
    value = Text()


class LeitbildRow(Table, tablename="leitbild"):
    key = Varchar(length=64, unique=True)
    content = JSON()
    content_hash = Varchar(length=64)
    published_at = Timestamptz()


class QuestionnaireVersionRow(Table, tablename="questionnaire_version"):
    """A published, frozen version; (questionnaire, version) is unique (see the migration)."""

    questionnaire = Varchar(length=64, index=True)
    version = Integer()
    audience = Varchar(length=16)
    leitbild = Varchar(length=64)
    content = JSON()
    content_hash = Varchar(length=64)
    published_at = Timestamptz()


class OrgUnitRow(Table, tablename="org_unit"):
    key = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    kind = Varchar(length=20)
    parent = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    headcount = Integer(default=0)
    #: keys from the root, e.g. `/verwaltung/kjfs/jugendamt/`: a subtree is one prefix match
    path = Varchar(length=1000, index=True)
    depth = Integer(default=0)
    #: units dropped from the organisation file stay for the history of earlier waves
    active = Boolean(default=True)


class ServicePointRow(Table, tablename="service_point"):
    key = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)
    active = Boolean(default=True)


class WaveRow(Table, tablename="wave"):
    """A Befragungsrunde: one questionnaire version, one audience, a period, a set of units."""

    key = Varchar(length=64, unique=True)
    title = Varchar(length=200)
    questionnaire_version = ForeignKey(QuestionnaireVersionRow, null=False, on_delete=OnDelete.restrict)
    audience = Varchar(length=16)
    opens_on = Date()
    closes_on = Date()
    status = Varchar(length=16, default="draft")
    k = Integer(default=5)
    k_text = Integer(default=10)
    created_at = Timestamptz()
    #: the title in each language of the version, as JSON text ({"de": …, "en": …}); `title` is
    #: the German (default) one, which everything else reads
    titles = Text(default="{}")
    #: who releases free-text comments before leads read them: none | office | personalrat | both
    comment_review = Varchar(length=16, default="none")
    #: who gets reminders by e-mail: all (everyone on the list) | open_codes (unused codes only)
    reminder_mode = Varchar(length=16, default="all")
    #: days after the first day that reminders go out, "7,14" (a weekend day moves to Monday)
    reminder_days = Varchar(length=64, default="")
    #: the organisation version in force when the wave closed (org_version.id; None while it runs)
    org_version = Integer(null=True, default=None)


class WaveUnitRow(Table, tablename="wave_unit"):
    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)


class ResponseRow(Table, tablename="response"):
    """One person's answers in one wave. Random id, the day only, nothing that points to a person."""

    id = UUID(primary_key=True)
    #: indexed together with the unit (`response_wave_unit`)
    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.restrict)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)
    service_point = ForeignKey(ServicePointRow, null=True, on_delete=OnDelete.restrict)
    language = Varchar(length=16)
    submitted_on = Date()


class Answer(Table, tablename="answer"):
    """One answer code; NULL is "keine Angabe". Wave and unit are repeated for fast reads by unit
    and wave (the index `answer_unit (unit, wave)`): copies of the response's, written with it.
    Counts are read from the answer tally, written with the answers (survey.store.tally).

    Foreign keys the database does not hold, though piccolo joins through them: on PostgreSQL
    none for wave and unit (the migration of 2026-11-21T16:00: checking them took two thirds of
    a bulk load); on both engines none and no index for the response (2026-12-07T11:00: a
    response's answers went to a random place of that index). Deleting a wave deletes its
    answers first (survey.store.waves.delete_wave)."""

    id = BigSerial(primary_key=True)
    response = ForeignKey(ResponseRow, null=False, on_delete=OnDelete.cascade)
    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.restrict)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)
    item = Varchar(length=64)
    value = Integer(null=True, default=None)


class Comment(Table, tablename="comment"):
    """Free text, kept apart from the answer codes so retention can delete it alone."""

    id = BigSerial(primary_key=True)
    response = ForeignKey(ResponseRow, null=False, on_delete=OnDelete.cascade, index=True)
    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)
    item = Varchar(length=64)
    #: redacted when stored (survey.text.redaction); the original is never kept, and a withheld
    #: comment's text is emptied
    text = Text()
    submitted_on = Date()
    #: released | pending (waits for the review the wave's approval asks for) | withheld
    state = Varchar(length=16, default="released")
    office_released = Boolean(default=False)
    personalrat_released = Boolean(default=False)
    #: why it was withheld (shown to the reviewers, never the text); "" otherwise
    reason = Text(default="")


class Invitation(Table, tablename="invitation"):
    """An unused single-use staff code, stored only as its keyed hash.

    Using a code deletes its row in the transaction that stores the response, so no row, flag,
    order or time remains that could tie a code to a response. A code's own checksum tells a
    used code from a mistyped one (see survey.domain.codes).
    """

    id = BigSerial(primary_key=True)
    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)
    code_hash = Varchar(length=64, unique=True)


class UnitLink(Table, tablename="unit_link"):
    """A link for a whole unit (staff without e-mail) opened with a shared access code."""

    token = Varchar(length=32, unique=True)
    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)
    code_hash = Varchar(length=64)


class ReceiptCode(Table, tablename="receipt_code"):
    """An unused one-time code printed on a citizen's receipt; deleted when used."""

    id = BigSerial(primary_key=True)
    service_point = ForeignKey(ServicePointRow, null=False, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64, unique=True)
    valid_until = Date()


class SubmissionKey(Table, tablename="submission_key"):
    """Idempotency: a form's random submission key (hashed) and the response it created."""

    key_hash = Varchar(length=64, unique=True)
    response = ForeignKey(ResponseRow, null=False, on_delete=OnDelete.cascade)
    created_on = Date()


class FloodCounter(Table, tablename="flood_counter"):
    """Submissions per scope (a service point, a unit link) and minute; no personal data."""

    scope = Varchar(length=100)
    minute = Integer()
    count = Integer(default=0)


class UserRow(Table, tablename="app_user"):
    """A person who signs in: a lead, the survey office, the Personalrat, an analyst, an admin."""

    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=200)
    password_hash = Varchar(length=200)
    active = Boolean(default=True)
    #: failed sign-ins since the last success; kept here so every worker counts the same
    failed_sign_ins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class RoleGrant(Table, tablename="role_grant"):
    """One role of a user, scoped to an org unit and its subtree (no unit: the whole organisation)."""

    user = ForeignKey(UserRow, null=False, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=16)
    unit = ForeignKey(OrgUnitRow, null=True, on_delete=OnDelete.restrict)


class WebSession(Table, tablename="web_session"):
    """A signed-in session; the cookie holds a random token, the table only its hash."""

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(UserRow, null=False, on_delete=OnDelete.cascade, index=True)
    csrf_token = Varchar(length=64)
    created_at = Timestamptz()
    last_seen = Timestamptz()
    expires_at = Timestamptz()


class AuditEntry(Table, tablename="audit_log"):
    """Who did or looked at what, and when; never the data itself."""

    id = BigSerial(primary_key=True)
    at = Timestamptz()
    #: the name, not a reference: the log outlives disabled users
    username = Varchar(length=64)
    action = Varchar(length=64, index=True)
    target = Varchar(length=300, default="")
    detail = Text(default="")


class Approval(Table, tablename="approval"):
    """The Personalrat's consent to a staff questionnaire version or a wave's thresholds.

    `content_hash` is what was approved: the version's content hash, or for a wave the hash of
    its version, thresholds and units. Anything changed afterwards has another hash and needs
    a new approval.
    """

    kind = Varchar(length=16)
    subject = Varchar(length=100, index=True)
    content_hash = Varchar(length=64)
    approved_by = Varchar(length=64)
    approved_at = Timestamptz()
    #: for a wave, what it was when approved (JSON: version, k, k_text, units), so that a later
    #: change can be named ("k von 5 auf 6"); empty for versions and for older approvals
    facts = Text(null=True, default=None)


TABLES: tuple[type[Table], ...] = (
    SettingRow,
    LeitbildRow,
    QuestionnaireVersionRow,
    OrgUnitRow,
    ServicePointRow,
    WaveRow,
    WaveUnitRow,
    ResponseRow,
    Answer,
    Comment,
    Invitation,
    UnitLink,
    ReceiptCode,
    SubmissionKey,
    FloodCounter,
    UserRow,
    RoleGrant,
    WebSession,
    AuditEntry,
    Approval,
)


class PasswordResetLink(Table, tablename="password_reset_link"):
    """A one-time link to set a new password, made by an admin. Only the hash of its token is kept;
    it works once (`used_at`) and until `expires_at`."""

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(UserRow, null=False, on_delete=OnDelete.cascade, index=True)
    #: the admin who made it (a name, as in the audit log)
    created_by = Varchar(length=64)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


TABLES += (PasswordResetLink,)
__all__ += ["PasswordResetLink"]


class OrgUpload(Table, tablename="org_upload"):
    """An organisation file uploaded in the browser, kept between its preview and its apply.

    In the database, not in one worker's memory: the preview and the confirmation may reach
    different workers on different hosts. Deleted when applied; uploads older than a day are
    deleted with the next upload.
    """

    token = Varchar(length=64, unique=True)
    filename = Varchar(length=200)
    content = Text()
    #: sha256 of `content`: the confirmation names it, so that what is applied is what was shown
    content_hash = Varchar(length=64)
    uploaded_by = Varchar(length=64)
    uploaded_at = Timestamptz()


__all__ += ["OrgUpload"]
TABLES = (*TABLES, OrgUpload)


class WaveParticipationRow(Table, tablename="wave_participation"):
    """A wave's participation as last counted: responses per unit and per day, as JSON text, and
    when they were counted. One row per wave, shared by every worker on every host; counted again
    when older than an hour (survey.services.participation). Counts of responses only: nothing
    about who answered."""

    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.cascade, unique=True)
    counted_at = Timestamptz()
    counts = Text(default="{}")


__all__ += ["WaveParticipationRow"]
TABLES = (*TABLES, WaveParticipationRow)


class CatalogDraft(Table, tablename="catalog_draft"):
    """A questionnaire version or a Leitbild the survey office is editing: its YAML text (the
    exchange format), until it is published and frozen. In the database, so that every worker of
    every host edits the same draft; (kind, key, version) is unique (see the migration).

    `revision` counts the saves: a save names the revision it was based on and is refused when
    another save came in between (optimistic locking), so that neither overwrites the other."""

    #: "version" or "leitbild"
    kind = Varchar(length=16)
    #: the questionnaire's key, or the Leitbild's
    key = Varchar(length=64)
    #: the version number; 0 for a Leitbild
    version = Integer(default=0)
    text = Text()
    revision = Integer(default=1)
    created_by = Varchar(length=64)
    created_at = Timestamptz()
    saved_by = Varchar(length=64)
    saved_at = Timestamptz()


__all__ += ["CatalogDraft"]
TABLES = (*TABLES, CatalogDraft)


class AccessBatch(Table, tablename="access_batch"):
    """What the survey office handed out for respondents: invitation codes for a unit, a unit link,
    receipt codes for a service point. How many, for whom, when and by whom; never a code."""

    #: invitations | unit_link | receipts
    kind = Varchar(length=16)
    wave = ForeignKey(WaveRow, null=True, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(OrgUnitRow, null=True, on_delete=OnDelete.restrict)
    service_point = ForeignKey(ServicePointRow, null=True, on_delete=OnDelete.cascade, index=True)
    count = Integer(default=0)
    #: the last day receipt codes work
    valid_until = Date(null=True, default=None)
    issued_by = Varchar(length=64)
    issued_at = Timestamptz()


class OneTimeFile(Table, tablename="one_time_file"):
    """Codes in plain text, kept for the one download of the person who issued them: the letters
    and the mail-merge CSV of invitation codes, receipt codes, a unit link's access code.

    In the database, not in one worker's folder: the page that offers a file and the download may
    reach different workers on different hosts. Deleted when fetched, and at the latest when
    `expires_at` has passed (a day after issuing).
    """

    token = Varchar(length=64, unique=True)
    batch = ForeignKey(AccessBatch, null=False, on_delete=OnDelete.cascade, index=True)
    owner = Varchar(length=64)
    #: letters | invitations_csv | receipts_csv | access_code
    kind = Varchar(length=16)
    #: JSON: the codes and what the file needs besides (the letters' language, a link)
    content = Text()
    expires_at = Timestamptz()


__all__ += ["AccessBatch", "OneTimeFile"]
TABLES = (*TABLES, AccessBatch, OneTimeFile)


class ApprovalRejection(Table, tablename="approval_rejection"):
    """The Personalrat's refusal of a staff questionnaire version or a staff wave as it was, and why.

    Like an approval it holds the content hash it refers to: a rejection counts only while the
    content is unchanged (and until a newer approval of that same content). Never changed or
    deleted. `facts` as in Approval.
    """

    kind = Varchar(length=16)
    subject = Varchar(length=100, index=True)
    content_hash = Varchar(length=64)
    reason = Text()
    rejected_by = Varchar(length=64)
    rejected_at = Timestamptz()
    facts = Text(null=True, default=None)


__all__ += ["ApprovalRejection"]
TABLES = (*TABLES, ApprovalRejection)


class AuditWord(Table, tablename="audit_word"):
    """A word of an audit log entry's target or detail that can be a unit key (survey.store.audit
    `words_of`), one row per entry and word: the audit log's unit filter looks the keys up here
    instead of reading every entry. Written with the entry; neither is ever changed or deleted."""

    #: the entry (audit_log.id)
    entry = Integer()
    word = Varchar(length=64)


__all__ += ["AuditWord"]
TABLES = (*TABLES, AuditWord)

"""What each entry of the audit log says, in words: the registry of action codes, and the readings
of the English texts that code writes into an entry's target and detail.

An entry is (who, when, action code, target, detail), written by `survey.services.audit.record`.
The pages show it as a sentence after the user name, in the page's language:
"personalrat · hat die Befragungsrunde puls-2026 freigegeben · Prüfsumme d2eb2deaeb1a…".

- `EVENTS`: one line per action code: its group (the "what" filter) and its sentence, an `N_`
  msgid with `%(target)s` where the target belongs. A code without a line is shown as the code
  itself; tests/web/test_audit_log.py finds every code passed to `record()` in survey/ and names
  the line to add for any without one.
- `READINGS`: the English texts the code writes as a target or a detail ("wrong password (3 in a
  row)", "sha256 …", "raw export csv waves=all unit=all"), each as a pattern with `%(name)s`
  standing for the values (`%(name)d` for a whole number) and the msgid it reads as. A detail of
  several parts joined by "; " is read part by part. A service that records the English text of a
  `Message` (`record(..., detail=error.message)`) needs no reading: the pages read that text
  back through the portal catalog's msgids (`Reader(extra=...)`).

Texts no reading matches are shown as they are: keys, names, paths and file names need none.

The unit filter (`survey.services.audit.LogFilter.unit`): an entry concerns a unit when its target
or its detail names the unit's key, or the key of a unit below it, as a whole word: letters a–z,
digits and inner "-" belong to a word, any other character ends it (`survey.store.audit.words_of`).
So `comments.view asd`, `access.refused dashboard asd`, `export.raw … unit=asd` and the grants
`lead:asd` of a new user concern asd, and are found when asd or a unit above it is chosen;
"asd-nord" or "puls-asd-2026" do not name asd. A wave, a questionnaire or a user is not a unit: an
entry about a wave (`wave.open puls-2026`) is found by its kind, its time or its user, not by the
wave's units. Only the units of the organisation as it is now can be chosen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from survey.errors import N_, Message

__all__ = [
    "EVENTS",
    "GROUPS",
    "READINGS",
    "Description",
    "Event",
    "Reader",
    "Reading",
    "codes_of",
    "describe",
    "say",
]


@dataclass(frozen=True)
class Event:
    #: a key of GROUPS
    group: str
    #: what the user did, said after the user name: "approved the wave %(target)s"
    says: str


#: the kinds of events, for the "what" filter (a key here is never an action code: no dot)
GROUPS: dict[str, str] = {
    "signin": N_("Sign-in and sessions"),
    "refusals": N_("Refused access"),
    "users": N_("Users and roles"),
    "respondents": N_("Invitations, links and posters"),
    "questionnaires": N_("Questionnaires and Leitbild"),
    "organisation": N_("Organisation"),
    "waves": N_("Waves"),
    "approvals": N_("Approvals"),
    "data": N_("Exports and free text"),
    "audit": N_("Audit log"),
    "measures": N_("Measures"),
}

#: every action code passed to record(), one line each: code → Event(group, sentence)
EVENTS: dict[str, Event] = {
    "signin.ok": Event("signin", N_("signed in")),
    "signin.failed": Event("signin", N_("could not sign in")),
    "signin.locked": Event("signin", N_("could not sign in: the account is locked after failed attempts")),
    "signin.rate_limited": Event("signin", N_("could not sign in: too many attempts in a short time")),
    "session.expired": Event("signin", N_("was signed out: the session had expired")),
    "session.unknown": Event("signin", N_("came with an unknown session cookie: %(target)s")),
    "access.refused": Event("refusals", N_("was refused (not allowed): %(target)s")),
    "csrf.refused": Event(
        "refusals", N_("was refused: the form's security token was missing or wrong (%(target)s)")
    ),
    "user.add": Event("users", N_("added the user %(target)s")),
    "user.passwd": Event("users", N_("set a new password for %(target)s")),
    "user.disable": Event("users", N_("disabled the user %(target)s")),
    "user.roles": Event("users", N_("changed the roles of %(target)s")),
    "user.enable": Event("users", N_("enabled the user %(target)s again")),
    "user.unlock": Event("users", N_("unlocked the user %(target)s")),
    "user.reset_link": Event("users", N_("made a one-time link for a new password of %(target)s")),
    "user.reset_password": Event("users", N_("set a generated password for %(target)s")),
    "user.password_set": Event("users", N_("set their own password")),
    "user.password_link_refused": Event("users", N_("came with a password link that does not work")),
    "access.invitations": Event("respondents", N_("issued invitation codes for the wave %(target)s")),
    "access.unit_link": Event("respondents", N_("made a unit link for the wave %(target)s")),
    "access.receipts": Event("respondents", N_("issued receipt codes for the service point %(target)s")),
    "access.download": Event("respondents", N_("downloaded codes or a poster: %(target)s")),
    "access.feedback_link": Event("respondents", N_("made a feedback link for the unit %(target)s")),
    "mail.list": Event("respondents", N_("added e-mail addresses to the list of the wave %(target)s")),
    "mail.send": Event("respondents", N_("sent invitations or reminders by e-mail (%(target)s)")),
    "mail.list_refused": Event(
        "respondents", N_("could not add e-mail addresses to the list of the wave %(target)s")
    ),
    "questionnaire.draft_new": Event("questionnaires", N_("started the draft %(target)s")),
    "questionnaire.save": Event("questionnaires", N_("saved the draft %(target)s")),
    "questionnaire.discard": Event("questionnaires", N_("discarded the draft %(target)s")),
    "questionnaire.publish": Event("questionnaires", N_("published the questionnaire version %(target)s")),
    "questionnaire.upload": Event("questionnaires", N_("uploaded the questionnaire file %(target)s")),
    "leitbild.draft_new": Event("questionnaires", N_("started the Leitbild draft %(target)s")),
    "leitbild.save": Event("questionnaires", N_("saved the Leitbild draft %(target)s")),
    "leitbild.publish": Event("questionnaires", N_("published the Leitbild %(target)s")),
    "leitbild.discard": Event("questionnaires", N_("discarded the Leitbild draft %(target)s")),
    "leitbild.upload": Event("questionnaires", N_("uploaded the Leitbild file %(target)s")),
    "org.import": Event("organisation", N_("applied the organisation file %(target)s")),
    "org.import_refused": Event("organisation", N_("could not apply the organisation file %(target)s")),
    "org.headcount": Event("organisation", N_("changed the headcount of %(target)s")),
    "wave.create": Event("waves", N_("created the wave %(target)s")),
    "wave.create_refused": Event("waves", N_("could not create the wave %(target)s")),
    "wave.edit": Event("waves", N_("changed the wave %(target)s")),
    "wave.edit_refused": Event("waves", N_("could not change the wave %(target)s")),
    "wave.open": Event("waves", N_("opened the wave %(target)s")),
    "wave.close": Event("waves", N_("closed the wave %(target)s")),
    "wave.open_refused": Event("waves", N_("could not open the wave %(target)s")),
    "wave.close_refused": Event("waves", N_("could not close the wave %(target)s")),
    "wave.imported": Event("waves", N_("imported the answers of the wave %(target)s from LimeSurvey")),
    "approval.version": Event("approvals", N_("approved the questionnaire version %(target)s")),
    "approval.wave": Event("approvals", N_("approved the wave %(target)s")),
    "approval.refused": Event("approvals", N_("could not approve %(target)s")),
    "approval.rejected_version": Event("approvals", N_("rejected the questionnaire version %(target)s")),
    "approval.rejected_wave": Event("approvals", N_("rejected the wave %(target)s")),
    "export.raw": Event("data", N_("downloaded: %(target)s")),
    "export.raw_refused": Event("data", N_("was refused: %(target)s")),
    "export.aggregate": Event("data", N_("downloaded: %(target)s")),
    "comments.view": Event("data", N_("read the free-text comments of %(target)s")),
    "comments.purge": Event("data", N_("deleted old free-text comments")),
    "audit.view": Event("audit", N_("viewed the audit log")),
    "audit.export": Event("audit", N_("downloaded the audit log as CSV")),
    "measure.create": Event("measures", N_("created the measure %(target)s")),
    "measure.edit": Event("measures", N_("changed the measure %(target)s")),
    "measure.status": Event("measures", N_("changed the status of the measure %(target)s")),
    "measure.public": Event("measures", N_("changed whether the measure %(target)s is public")),
    "measure.note": Event("measures", N_("wrote a progress note on the measure %(target)s")),
    "measure.invite": Event("measures", N_("invited a unit to the measure %(target)s")),
    "measure.confirm": Event("measures", N_("confirmed a unit as an owner of the measure %(target)s")),
    "comment.release": Event("data", N_("released a comment of the wave %(target)s")),
    "comment.withhold": Event("data", N_("withheld a comment of the wave %(target)s")),
    "comment.redact": Event("data", N_("blacked out a passage of a comment of the wave %(target)s")),
    "redaction.settings": Event("data", N_("saved the further names and rules of the redaction")),
    "codebook.save": Event("data", N_("saved the codebook of comment themes of the Leitbild %(target)s")),
}


#: the "what" filter of a reading of the log, its value said as its group or event
_WHAT = N_("what: %(value)s")


@dataclass(frozen=True)
class Reading:
    """An English text as code writes it (`pattern`) and the msgid it reads as (`says`, with the
    same placeholders); `says` alone where the text is its own msgid."""

    says: str
    pattern: str = ""


#: the English texts written into targets and details, and how they read
READINGS: tuple[Reading, ...] = (
    # sign-in (survey.services.accounts)
    Reading(N_("no user of that name"), "unknown user"),
    Reading(N_("wrong password (failed attempt %(count)d in a row)"), "wrong password (%(count)d in a row)"),
    Reading(N_("the account is disabled"), "disabled"),
    # users and passwords (survey.services.accounts, survey.services.passwords)
    Reading(N_("failed sign-ins until then: %(count)d"), "after %(count)d failed sign-ins"),
    Reading(N_("no password yet")),
    Reading(N_("valid until %(moment)s")),
    Reading(N_("generated and shown once"), "generated, shown once"),
    Reading(N_("through a one-time link")),
    Reading(N_("the link was used already"), "used"),
    Reading(N_("the link is not valid"), "invalid"),
    # drafts (survey.services.drafts, survey.services.leitbild_drafts, survey.services.draft_import)
    Reading(N_("based on %(source)s"), "from %(source)s"),
    Reading(N_("revision %(revision)d")),
    Reading(N_("problems: %(count)d"), "%(count)d problem(s)"),
    Reading(N_("a new draft"), "created"),
    Reading(N_("the draft replaced"), "replaced"),
    Reading(N_("the same as the published one"), "unchanged"),
    Reading(N_("published")),
    # the organisation (survey.services.org)
    Reading(N_("no changes")),
    Reading(N_("the preview was gone"), "gone"),
    Reading(N_("the confirmation belonged to another upload"), "not_this_upload"),
    Reading(N_("the organisation had changed since the preview"), "organisation_changed"),
    Reading(N_("refused")),
    # invitations, links, receipts (survey.services.invitations, survey.web.manage._access)
    Reading(N_("codes for unit %(unit)s: %(count)d"), "unit=%(unit)s count=%(count)d"),
    Reading(N_("receipt codes: %(count)d, valid until %(day)s"), "count=%(count)d valid_until=%(day)s"),
    Reading(
        N_("%(wave)s: the access code of a unit link, shown once"),
        "%(wave)s: access code of a unit link shown",
    ),
    # comments (survey.services.comment_review, survey.services.redaction)
    Reading(N_("comment %(number)d of %(unit)s"), "comment %(number)d (%(unit)s)"),
    Reading(
        N_("%(count)d further names, rules of %(size)d characters"),
        "%(count)d names, rules %(size)d characters",
    ),
    # feedback links of units (survey.services.public_results)
    Reading(N_("the unit's first feedback link"), "first feedback link"),
    Reading(N_("a new feedback link: the old one no longer works"), "feedback link renewed"),
    # approvals (survey.services.approvals)
    Reading(N_("not a member of the Personalrat"), "not a Personalrat member"),
    Reading(N_("checksum %(hash)s"), "sha256 %(hash)s"),
    # free text (survey.services.backup, survey.web.dashboard)
    Reading(N_("comments submitted before %(day)s: %(count)d"), "%(count)d submitted before %(day)s"),
    Reading(
        N_("%(count)d comments of %(questionnaire)s, wave %(wave)s, in the printed report"),
        "%(questionnaire)s %(wave)s: %(count)d (report)",
    ),
    Reading(
        N_("%(count)d comments of %(questionnaire)s, wave %(wave)s"), "%(questionnaire)s %(wave)s: %(count)d"
    ),
    # exports (survey.web.manage._exports)
    Reading(N_("file %(file)s, %(size)d bytes"), "%(file)s, %(size)d bytes"),
    Reading(
        N_("raw answers (%(format)s) of all closed waves, all units"),
        "raw export %(format)s waves=all unit=all",
    ),
    Reading(
        N_("raw answers (%(format)s) of all closed waves, unit %(unit)s"),
        "raw export %(format)s waves=all unit=%(unit)s",
    ),
    Reading(
        N_("raw answers (%(format)s) of the waves %(waves)s, all units"),
        "raw export %(format)s waves=%(waves)s unit=all",
    ),
    Reading(
        N_("raw answers (%(format)s) of the waves %(waves)s, unit %(unit)s"),
        "raw export %(format)s waves=%(waves)s unit=%(unit)s",
    ),
    Reading(
        N_("figures (%(format)s) of %(questionnaire)s for unit %(unit)s"),
        "aggregate export %(format)s %(questionnaire)s unit=%(unit)s",
    ),
    # LimeSurvey (survey.services.limesurvey)
    Reading(
        N_("LimeSurvey survey %(survey)s (%(file)s) as %(version)s: answers %(responses)d, units %(units)d"),
        "LimeSurvey survey %(survey)s (%(file)s) as %(version)s: %(responses)d responses, %(units)d units",
    ),
    # what a refused user asked for (survey.web: require(), forbidden())
    Reading(N_("the audit log"), "audit log"),
    Reading(N_("the approvals"), "approvals"),
    Reading(N_("approving the questionnaire version %(subject)s"), "approve version %(subject)s"),
    Reading(N_("approving the wave %(subject)s"), "approve wave %(subject)s"),
    Reading(N_("the waves"), "waves"),
    Reading(N_("opening the wave %(wave)s"), "wave open %(wave)s"),
    Reading(N_("closing the wave %(wave)s"), "wave close %(wave)s"),
    Reading(N_("the question before the wave %(wave)s opens"), "wave open %(wave)s (asked)"),
    Reading(N_("the question before the wave %(wave)s closes"), "wave close %(wave)s (asked)"),
    Reading(N_("the users"), "users"),
    Reading(N_("the exports"), "exports"),
    Reading(N_("the dashboard"), "dashboard"),
    Reading(N_("the overview of the whole organisation"), "dashboard organisation overview"),
    Reading(
        N_("the overview of the whole organisation (%(questionnaire)s)"),
        "dashboard organisation overview %(questionnaire)s",
    ),
    Reading(N_("the dashboard of %(unit)s (%(questionnaire)s)"), "dashboard %(unit)s %(questionnaire)s"),
    Reading(N_("the dashboard of %(unit)s"), "dashboard %(unit)s"),
    # measures (survey.services.measures), and what a refused user asked for of them
    Reading(N_("owning units: %(units)s"), "units=%(units)s"),
    Reading(N_("invited units: %(units)s"), "invited=%(units)s"),
    Reading(N_("values: %(values)s"), "values=%(values)s"),
    Reading(N_("status: %(status)s"), "status=%(status)s"),
    Reading(N_("status: %(status)s (before: %(before)s)"), "status=%(status)s (was %(before)s)"),
    Reading(N_("changed: %(fields)s"), "changed=%(fields)s"),
    Reading(N_("public: yes"), "public=yes"),
    Reading(N_("public: no"), "public=no"),
    Reading(N_("progress note of %(day)s"), "note of %(day)s"),
    Reading(N_("the measures"), "measures"),
    Reading(N_("the measures of %(unit)s"), "measures %(unit)s"),
    Reading(N_("a new measure"), "measure new"),
    Reading(N_("a new public measure"), "measure new public"),
    Reading(N_("the measure %(measure)d"), "measure %(measure)d"),
    Reading(N_("changing the measure %(measure)d"), "measure %(measure)d change"),
    Reading(N_("marking the measure %(measure)d public or not"), "measure %(measure)d public"),
    Reading(N_("a progress note on the measure %(measure)d"), "measure %(measure)d note"),
    Reading(N_("the units of the measure %(measure)d"), "measure %(measure)d owners"),
    Reading(N_("confirming %(unit)s for the measure %(measure)d"), "measure %(measure)d confirm %(unit)s"),
    # the filters of a reading of this log (survey.services.audit)
    Reading(N_("who: %(value)s"), "user=%(value)s"),
    Reading(_WHAT, "action=%(value)s"),
    Reading(N_("from %(value)s"), "from=%(value)s"),
    Reading(N_("until %(value)s"), "until=%(value)s"),
    Reading(N_("unit: %(value)s"), "unit=%(value)s"),
    Reading(N_("older than entry %(value)s"), "before=%(value)s"),
    Reading(N_("newer than entry %(value)s"), "after=%(value)s"),
    Reading(N_("entries: %(count)d"), "entries=%(count)d"),
    # e-mail invitations and reminders (survey.services.mailing)
    Reading(N_("%(count)d new addresses"), "added %(count)d"),
    Reading(N_("%(count)d on the list already"), "already listed %(count)d"),
    Reading(N_("%(count)d sent"), "sent %(count)d"),
    Reading(N_("%(count)d refused by the mail server"), "refused %(count)d"),
    Reading(N_("%(count)d uncertain (the sender stopped while sending)"), "uncertain %(count)d"),
    Reading(N_("reminders to unused codes sent (not counted)"), "reminders to unused codes sent"),
    Reading(N_("addresses deleted: %(waves)s"), "addresses deleted %(waves)s"),
)

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])|%%")


@dataclass(frozen=True)
class _Pattern:
    says: str
    regex: re.Pattern[str]
    numbers: frozenset[str]
    #: characters outside the placeholders: the more, the surer a match
    literal: int


def _compile(reading: Reading) -> _Pattern:
    pattern = reading.pattern or reading.says
    parts, numbers, seen, literal, end = ["^"], set(), set(), 0, 0
    for match in _PLACEHOLDER.finditer(pattern):
        text = pattern[end : match.start()]
        parts.append(re.escape(text))
        literal += len(text)
        end = match.end()
        name, kind = match.group(1), match.group(2)
        if name is None:  # "%%", a literal per cent sign
            parts.append("%")
            literal += 1
        elif name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            # a value never holds "; ": that joins the parts of a detail
            parts.append(f"(?P<{name}>-?[0-9]+)" if kind == "d" else f"(?P<{name}>(?:(?!; ).)+?)")
            if kind == "d":
                numbers.add(name)
    parts.append(re.escape(pattern[end:]) + "$")
    literal += len(pattern) - end
    return _Pattern(reading.says, re.compile("".join(parts), re.S), frozenset(numbers), literal)


class Reader:
    """Reads the English texts of entries as messages: by READINGS, and by `extra` msgids whose
    English text is written as it is (the portal catalog's, for messages of errors recorded as
    details). An extra msgid with fewer than `least` characters besides its placeholders could
    match nearly any text and is left out."""

    def __init__(
        self, readings: Iterable[Reading] = READINGS, extra: Iterable[str] = (), least: int = 8
    ) -> None:
        patterns = [_compile(r) for r in readings]
        patterns += [p for p in (_compile(Reading(m)) for m in extra if m) if p.literal >= least]
        # the most literal pattern first: "dashboard organisation overview" before "dashboard %(unit)s"
        self._patterns = sorted(patterns, key=lambda p: -p.literal)

    def read(self, text: str) -> Message | None:
        for pattern in self._patterns:
            found = pattern.regex.match(text)
            if found is not None:
                values = found.groupdict()
                params = {k: int(v) if k in pattern.numbers else v for k, v in values.items()}
                return Message(pattern.says, params)
        return None

    def read_parts(self, text: str) -> tuple[Message | str, ...]:
        """The text as one message, or part by part where it is parts joined by "; "."""
        if not text:
            return ()
        whole = self.read(text)
        if whole is not None:
            return (whole,)
        return tuple(self.read(part) or part for part in text.split("; ") if part)


#: the registry's own readings (English texts and the JSON API)
DEFAULT_READER = Reader()


@dataclass(frozen=True)
class Description:
    #: the sentence (known code), or None: then the code itself is what the entry says
    sentence: Message | None
    #: the detail, read part by part (a part no reading matches stays text)
    detail: tuple[Message | str, ...]


def _kind(part: Message | str) -> Message | str:
    """A "what" filter's value in words: the group's name, or the event's sentence."""
    if not isinstance(part, Message) or part.template != _WHAT:
        return part
    value = str(part.params.get("value", ""))
    if value in GROUPS:
        return Message(_WHAT, {"value": Message(GROUPS[value])})
    if value in EVENTS:
        return Message(_WHAT, {"value": Message(EVENTS[value].says, {"target": "…"})})
    return part


def describe(action: str, target: str, detail: str, reader: Reader = DEFAULT_READER) -> Description:
    event = EVENTS.get(action)
    read_detail = tuple(_kind(part) for part in reader.read_parts(detail))
    if event is None:
        return Description(None, read_detail)
    read_target: Message | str = (reader.read(target) or target) if target else "–"
    return Description(Message(event.says, {"target": read_target}), read_detail)


def say(message: Message | str, gettext: Callable[[str], str] | None = None) -> str:
    """The message in words: English, or translated by `gettext`, messages inside it too."""
    if isinstance(message, str):
        return message
    values = {k: say(v, gettext) if isinstance(v, (Message, str)) else v for k, v in message.params.items()}
    if not values:
        return gettext(message.template) if gettext else message.template
    for template in (gettext(message.template) if gettext else None, message.template):
        if template is None:
            continue
        try:
            return template % values
        except (KeyError, TypeError, ValueError):
            continue  # a translation that lost a placeholder: the English one, or the values
    return " ".join(str(v) for v in values.values())


def codes_of(choice: str) -> tuple[str, ...]:
    """The action codes a "what" choice stands for: a group's codes, or the one code chosen."""
    if choice in GROUPS:
        return tuple(code for code, event in EVENTS.items() if event.group == choice)
    return (choice,)

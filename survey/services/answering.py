"""What staff and citizens do: reach a wave by code, link or service point, and answer it.

Nothing here learns who answers: codes are compared by their keyed hash, the response gets a
random id and the day only, and a used invitation disappears in the transaction that stores
the response (survey.store.submissions). Free text is redacted before it is handed to the store.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from survey.domain import QuestionnaireVersion
from survey.domain.answers import AnswerProblem, check_answers
from survey.domain.codes import code_hash, is_genuine, normalise_code
from survey.errors import SurveyError
from survey.services.redaction import redact_comments
from survey.services.secret import installation_secret
from survey.services.waves import answerable
from survey.settings import Settings
from survey.store import access, entries
from survey.store import catalog as catalog_store
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.engine import current_engine
from survey.store.submissions import NewResponse, Outcome, current_writer
from survey.store.waves import Wave

__all__ = [
    "Channel",
    "Entry",
    "EntryError",
    "SubmitResult",
    "answer",
    "entry_for",
    "entry_for_invitation",
    "entry_for_service_point",
    "entry_for_unit_link",
    "kommune",
    "new_submission_key",
    "staff_languages",
    "submit",
    "was_stored",
]

#: how a respondent reaches a wave: an invitation code, a unit link, a service point
Channel = Literal["invitation", "unit", "service_point"]
EntryProblem = Literal[
    "code_unknown", "code_used", "link_unknown", "service_point_unknown", "no_wave", "closed", "not_yet_open"
]
#: wrong shared access codes per unit link within ten minutes before it pauses
MAX_ACCESS_FAILURES = 20
ACCESS_FAILURE_MINUTES = 10


class EntryError(SurveyError):
    """A respondent cannot answer here; `problem` says why (each has its own page).

    `stored_before`: the invitation code is used up by a form with the very submission key sent
    again (a reload after success), so the answers are in."""

    def __init__(self, problem: EntryProblem, entry: Entry | None = None) -> None:
        self.problem = problem
        self.entry = entry
        self.stored_before = False
        super().__init__(problem)


@dataclass(frozen=True)
class Entry:
    kind: Channel
    wave: Wave
    version: QuestionnaireVersion
    unit_id: int
    unit_name: str
    kommune: str
    service_point_id: int | None = None
    service_point_name: str | None = None
    #: the normalised invitation code, the unit link token or the service point key
    reference: str = ""
    #: for a unit link: the keyed hash of its shared access code
    access_hash: str | None = None


@dataclass
class SubmitResult:
    outcome: Outcome | None = None
    problems: list[AnswerProblem] = field(default_factory=list)
    #: problems not tied to an item: empty, access_code_wrong, access_paused, receipt_unknown,
    #: receipt_used, code_used, form_changed, flood
    general: list[str] = field(default_factory=list)
    #: what `answer` answered: the entry, to show the form again, and the response's language
    entry: Entry | None = None
    language: str = ""

    @property
    def stored(self) -> bool:
        return self.outcome in (Outcome.STORED, Outcome.DUPLICATE)


def _today() -> dt.date:
    return dt.date.today()


def _failure_scope(token: str) -> str:
    return f"unit-link:{token}"


async def _entry(
    kind: Channel,
    wave: Wave,
    found: entries.EntryRecord,
    today: dt.date,
    reference: str,
) -> Entry:
    entry = Entry(
        kind,
        wave,
        await _version(wave.questionnaire, wave.version),
        found.unit_id,
        found.unit_name,
        found.kommune or "",
        found.service_point_id,
        found.service_point_name,
        reference,
        found.access_hash,
    )
    state = answerable(wave, today)
    if state == "draft":
        raise EntryError("not_yet_open", entry)
    if state != "open":
        raise EntryError(state, entry)  # type: ignore[arg-type]
    return entry


_versions: dict[tuple[str, int], tuple[object, QuestionnaireVersion]] = {}


async def _version(questionnaire: str, number: int) -> QuestionnaireVersion:
    """Published versions never change, so each worker reads each one once (per database)."""
    engine = current_engine()
    cached = _versions.get((questionnaire, number))
    if cached is not None and cached[0] is engine:
        return cached[1]
    version = await catalog_store.load_published_version(questionnaire, number)
    assert version is not None, "a wave's version is published when the wave is created"
    _versions[(questionnaire, number)] = (engine, version)
    return version


async def _lookup(settings: Settings, channel: Channel, reference: str, today: dt.date) -> Entry:
    """The entry of a code, link or service point: one read of the store (the version of its
    wave comes from this worker's cache after the first time; a link's or service point's entry
    is kept a moment, see survey.store.entries)."""
    if channel == "invitation":
        secret = await installation_secret(settings)
        normalised = normalise_code(reference)
        if normalised is None or not is_genuine("invitation", normalised, secret):
            raise EntryError("code_unknown")
        found = await entries.find_invitation_entry(code_hash("invitation", normalised, secret))
        if found is None or not found.waves:
            raise EntryError("code_used")
        return await _entry("invitation", found.waves[0], found, today, normalised)
    if channel == "unit":
        found = await entries.find_unit_link_entry(reference)
        if found is None or not found.waves:
            raise EntryError("link_unknown")
        return await _entry("unit", found.waves[0], found, today, reference)
    found = await entries.find_service_point_entry(reference, "citizen")
    if found is None:
        raise EntryError("service_point_unknown")
    for wave in found.waves:
        if answerable(wave, today) == "open":
            return await _entry("service_point", wave, found, today, reference)
    raise EntryError("no_wave")


async def entry_for(
    settings: Settings, channel: Channel, reference: str, today: dt.date | None = None
) -> Entry:
    """Where a code, link or service point leads, if it takes answers now (else EntryError)."""
    return await _lookup(settings, channel, reference, today or _today())


async def entry_for_invitation(settings: Settings, code: str, today: dt.date | None = None) -> Entry:
    return await entry_for(settings, "invitation", code, today)


async def entry_for_unit_link(settings: Settings, token: str, today: dt.date | None = None) -> Entry:
    return await entry_for(settings, "unit", token, today)


async def entry_for_service_point(settings: Settings, key: str, today: dt.date | None = None) -> Entry:
    return await entry_for(settings, "service_point", key, today)


def _key_mac(token: str, secret: bytes) -> str:
    return hmac.new(secret, f"submission:{token}".encode(), hashlib.sha256).hexdigest()[:16]


async def new_submission_key(settings: Settings) -> str:
    """A random key for one form; submitting it twice stores one response."""
    token = secrets.token_urlsafe(18)
    return f"{token}.{_key_mac(token, await installation_secret(settings))}"


def _key_valid(key: str, secret: bytes) -> bool:
    token, _, mac = key.partition(".")
    return bool(token) and len(key) < 100 and hmac.compare_digest(mac, _key_mac(token, secret))


@functools.lru_cache(maxsize=4096)
def _unit_code_hash(access_code: str, secret: bytes) -> str | None:
    """The keyed hash of a unit access code as typed (None: not a code): every submission through
    a unit link sends its code, so each worker works out the few codes in use once."""
    normalised = normalise_code(access_code)
    return None if normalised is None else code_hash("unit", normalised, secret)


async def _unit_access(
    entry: Entry, access_code: str | None, secret: bytes, general: list[str]
) -> str | None:
    """A unit link's shared access code: the scope the writer checks for a pause when it is right
    (it refuses it, in its transaction, while the link is paused); else why not, in `general`."""
    if entry.kind != "unit":
        return None
    scope = _failure_scope(entry.reference)
    given = _unit_code_hash(access_code or "", secret)
    if entry.access_hash is not None and given is not None and hmac.compare_digest(given, entry.access_hash):
        return scope
    if await access.count_failures(scope, ACCESS_FAILURE_MINUTES) >= MAX_ACCESS_FAILURES:
        general.append("access_paused")
    else:
        await access.record_failure(scope)
        general.append("access_code_wrong")
    return None


_REFUSALS = {
    Outcome.ACCESS_PAUSED: "access_paused",
    Outcome.CODE_USED: "code_used",
    Outcome.RECEIPT_USED: "receipt_used",
    Outcome.FLOOD: "flood",
}


async def submit(
    settings: Settings,
    entry: Entry,
    *,
    answers: dict[str, object],
    language: str,
    submission_key: str,
    access_code: str | None = None,
    receipt_code: str | None = None,
    today: dt.date | None = None,
) -> SubmitResult:
    """Check and store one response; nothing is stored unless everything is right."""
    secret = await installation_secret(settings)
    result = SubmitResult()
    if not _key_valid(submission_key, secret) or language not in entry.version.languages:
        result.general.append("form_changed")
    checked = check_answers(entry.version, answers)
    result.problems = checked.problems
    if checked.ok and checked.empty:
        # An empty form would count as a respondent (participation, thresholds) with nothing said.
        result.general.append("empty")

    receipt_hash = None
    if entry.kind == "service_point" and receipt_code:
        normalised = normalise_code(receipt_code)
        if normalised is None or not is_genuine("receipt", normalised, secret):
            result.general.append("receipt_unknown")
        else:
            receipt_hash = code_hash("receipt", normalised, secret)
    pause_scope = await _unit_access(entry, access_code, secret, result.general)
    if result.problems or result.general:
        return result

    minute = access.current_minute()
    response = NewResponse(
        key_hash=hashlib.sha256(submission_key.encode()).hexdigest(),
        wave_id=entry.wave.id,
        unit_id=entry.unit_id,
        language=language,
        submitted_on=today or _today(),
        answers=list(checked.codes.items()),
        # redacted here, before anything stores or reads it: the original is never kept
        comments=await redact_comments(settings.questionnaires, list(checked.texts.items()), language),
        comment_state="released" if entry.wave.comment_review == "none" else "pending",
        service_point_id=entry.service_point_id,
        invitation_hash=code_hash("invitation", entry.reference, secret)
        if entry.kind == "invitation"
        else None,
        receipt_hash=receipt_hash,
        flood_scope=f"service-point:{entry.reference}" if entry.kind == "service_point" else None,
        flood_limit=settings.flood_limit,
        minute=minute,
        pause_scope=pause_scope,
        pause_limit=MAX_ACCESS_FAILURES,
        pause_after_minute=minute - ACCESS_FAILURE_MINUTES,
    )
    result.outcome = await current_writer().submit(response)
    if result.outcome == Outcome.WAVE_CLOSED:
        raise EntryError("closed", entry)
    if result.outcome in _REFUSALS:
        result.general.append(_REFUSALS[result.outcome])
    return result


async def answer(
    settings: Settings,
    channel: Channel,
    reference: str,
    *,
    answers: dict[str, object],
    language: str | Callable[[Sequence[str]], str],
    submission_key: str,
    access_code: str | None = None,
    receipt_code: str | None = None,
    today: dt.date | None = None,
    broken: bool = False,
) -> SubmitResult:
    """A whole submission: where the code, link or service point leads (one read of the store),
    then `submit`. `language` is the response's language, or picks it from the questionnaire's
    (a page takes the best fit of the request). EntryError where it takes no answers; the result
    carries the entry (to show the form again) and the language. `broken`: the form came changed
    (a field twice, a NUL character, bytes that are not UTF-8): nothing is checked or stored."""
    day = today or _today()
    try:
        entry = await _lookup(settings, channel, reference, day)
    except EntryError as error:
        if error.problem == "code_used" and submission_key:
            error.stored_before = await was_stored(submission_key)
        raise
    tag = language(entry.version.languages) if callable(language) else language
    if broken:
        return SubmitResult(general=["form_changed"], entry=entry, language=tag)
    result = await submit(
        settings,
        entry,
        answers=answers,
        language=tag,
        submission_key=submission_key,
        access_code=access_code,
        receipt_code=receipt_code,
        today=day,
    )
    result.entry, result.language = entry, tag
    return result


async def was_stored(submission_key: str) -> bool:
    """Has a form with this key been stored already (a reload after success)?"""
    return await entries.submission_key_used(hashlib.sha256(submission_key.encode()).hexdigest())


async def staff_languages(today: dt.date | None = None) -> list[str]:
    """The languages staff can answer in now: those of the open staff waves' versions (German and
    English where none is open), for the pages before a code tells which wave it is."""
    day = today or _today()
    offered: list[str] = []
    for wave in await wave_store.list_waves():
        if wave.audience == "staff" and answerable(wave, day) == "open":
            version = await _version(wave.questionnaire, wave.version)
            offered += [tag for tag in version.languages if tag not in offered]
    return offered or ["de", "en"]


async def kommune() -> str:
    """The Kommune's name for page headers ("" before an organisation is imported)."""
    return await org_store.kommune_name() or ""

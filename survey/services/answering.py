"""What staff and citizens do: reach a wave by code, link or service point, and answer it.

Nothing here learns who answers: codes are compared by their keyed hash, the response gets a
random id and the day only, and a used invitation disappears in the transaction that stores
the response (survey.store.submissions).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Literal

from survey.domain import QuestionnaireVersion
from survey.domain.answers import AnswerProblem, check_answers
from survey.domain.codes import code_hash, is_genuine, normalise_code
from survey.errors import SurveyError
from survey.services.secret import installation_secret
from survey.services.waves import answerable
from survey.settings import Settings
from survey.store import access
from survey.store import waves as wave_store
from survey.store.catalog import load_published_version
from survey.store.engine import current_engine
from survey.store.org import kommune_name
from survey.store.submissions import NewResponse, Outcome, current_writer
from survey.store.waves import StoredWave

__all__ = [
    "Entry",
    "EntryError",
    "SubmitResult",
    "entry_for_invitation",
    "entry_for_service_point",
    "entry_for_unit_link",
    "new_submission_key",
    "staff_languages",
    "submit",
]

EntryProblem = Literal[
    "code_unknown", "code_used", "link_unknown", "service_point_unknown", "no_wave", "closed", "not_yet_open"
]
#: wrong shared access codes per unit link within ten minutes before it pauses
MAX_ACCESS_FAILURES = 20


class EntryError(SurveyError):
    """A respondent cannot answer here; `problem` says why (each has its own page)."""

    def __init__(self, problem: EntryProblem, entry: Entry | None = None) -> None:
        self.problem = problem
        self.entry = entry
        super().__init__(problem)


@dataclass(frozen=True)
class Entry:
    kind: Literal["invitation", "unit", "service_point"]
    wave: StoredWave
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

    @property
    def stored(self) -> bool:
        return self.outcome in (Outcome.STORED, Outcome.DUPLICATE)


def _today() -> dt.date:
    return dt.date.today()


async def _entry(
    kind: Literal["invitation", "unit", "service_point"],
    wave: StoredWave,
    unit_id: int,
    today: dt.date,
    reference: str,
    service_point: access.ServicePointRecord | None = None,
) -> Entry:
    version = await _version(wave.questionnaire, wave.version)
    _, unit_name = await access.unit_by_id(unit_id)
    entry = Entry(
        kind,
        wave,
        version,
        unit_id,
        unit_name,
        await kommune_name() or "",
        service_point.id if service_point else None,
        service_point.name if service_point else None,
        reference,
    )
    state = answerable(wave, today)
    if state == "draft":
        raise EntryError("not_yet_open", entry)
    if state != "open":
        raise EntryError(state, entry)  # type: ignore[arg-type]
    return entry


async def _wave_by_id(wave_id: int) -> StoredWave:
    wave = await wave_store.get_wave_by_id(wave_id)
    if wave is None:
        raise EntryError("link_unknown")
    return wave


_versions: dict[tuple[str, int], tuple[object, QuestionnaireVersion]] = {}


async def _version(questionnaire: str, number: int) -> QuestionnaireVersion:
    """Published versions never change, so each worker reads each one once (per database)."""
    engine = current_engine()
    cached = _versions.get((questionnaire, number))
    if cached is not None and cached[0] is engine:
        return cached[1]
    version = await load_published_version(questionnaire, number)
    assert version is not None, "a wave's version is published when the wave is created"
    _versions[(questionnaire, number)] = (engine, version)
    return version


async def entry_for_invitation(settings: Settings, code: str, today: dt.date | None = None) -> Entry:
    secret = await installation_secret(settings)
    normalised = normalise_code(code)
    if normalised is None or not is_genuine("invitation", normalised, secret):
        raise EntryError("code_unknown")
    target = await access.find_invitation(code_hash("invitation", normalised, secret))
    if target is None:
        raise EntryError("code_used")
    wave = await _wave_by_id(target.wave_id)
    return await _entry("invitation", wave, target.unit_id, today or _today(), normalised)


async def entry_for_unit_link(settings: Settings, token: str, today: dt.date | None = None) -> Entry:
    link = await access.find_unit_link(token)
    if link is None:
        raise EntryError("link_unknown")
    wave = await _wave_by_id(link.wave_id)
    entry = await _entry("unit", wave, link.unit_id, today or _today(), token)
    return dataclasses.replace(entry, access_hash=link.code_hash)


async def entry_for_service_point(settings: Settings, key: str, today: dt.date | None = None) -> Entry:
    point = await access.find_service_point(key)
    if point is None:
        raise EntryError("service_point_unknown")
    day = today or _today()
    waves = await wave_store.waves_covering(point.unit_id, "citizen")
    for wave in waves:
        if answerable(wave, day) == "open":
            return await _entry("service_point", wave, point.unit_id, day, key, point)
    raise EntryError("no_wave")


def _key_mac(token: str, secret: bytes) -> str:
    return hmac.new(secret, f"submission:{token}".encode(), hashlib.sha256).hexdigest()[:16]


async def new_submission_key(settings: Settings) -> str:
    """A random key for one form; submitting it twice stores one response."""
    token = secrets.token_urlsafe(18)
    return f"{token}.{_key_mac(token, await installation_secret(settings))}"


def _key_valid(key: str, secret: bytes) -> bool:
    token, _, mac = key.partition(".")
    return bool(token) and len(key) < 100 and hmac.compare_digest(mac, _key_mac(token, secret))


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
    if entry.kind == "unit":
        scope = f"unit-link:{entry.reference}"
        normalised = normalise_code(access_code or "")
        if await access.count_failures(scope) >= MAX_ACCESS_FAILURES:
            result.general.append("access_paused")
        elif (
            entry.access_hash is None
            or normalised is None
            or not hmac.compare_digest(code_hash("unit", normalised, secret), entry.access_hash)
        ):
            await access.record_failure(scope)
            result.general.append("access_code_wrong")
    if result.problems or result.general:
        return result

    response = NewResponse(
        key_hash=hashlib.sha256(submission_key.encode()).hexdigest(),
        wave_id=entry.wave.id,
        unit_id=entry.unit_id,
        language=language,
        submitted_on=today or _today(),
        answers=list(checked.codes.items()),
        comments=list(checked.texts.items()),
        service_point_id=entry.service_point_id,
        invitation_hash=code_hash("invitation", entry.reference, secret)
        if entry.kind == "invitation"
        else None,
        receipt_hash=receipt_hash,
        flood_scope=f"service-point:{entry.reference}" if entry.kind == "service_point" else None,
        flood_limit=settings.flood_limit,
    )
    result.outcome = await current_writer().submit(response)
    if result.outcome == Outcome.CODE_USED:
        result.general.append("code_used")
    elif result.outcome == Outcome.RECEIPT_USED:
        result.general.append("receipt_used")
    elif result.outcome == Outcome.FLOOD:
        result.general.append("flood")
    return result


async def was_stored(submission_key: str) -> bool:
    """Has a form with this key been stored already (a reload after success)?"""
    from survey.store.tables import SubmissionKey

    digest = hashlib.sha256(submission_key.encode()).hexdigest()
    return await SubmissionKey.exists().where(SubmissionKey.key_hash == digest).run()


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
    return await kommune_name() or ""

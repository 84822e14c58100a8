"""`survey demo`: the demo Kommune with its waves, modelled on a German Stadtverwaltung."""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from survey.domain import Catalog, Organisation, QuestionnaireVersion, load_catalog
from survey.errors import SurveyError
from survey.services.approvals import record_demo_approvals
from survey.services.catalog import publish_catalog
from survey.services.codebooks import install_codebook_file
from survey.services.demo_comments import PLANTED_CITIZEN, PLANTED_STAFF, DemoComments
from survey.services.demo_reorganisation import Stage, applied_stage, apply_stage, demo_stages, reorganised_at
from survey.services.redaction import current_redactor
from survey.services.simulation import LatentModel
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.bulk import BulkCounts, ResponseBatch, bulk_insert_responses, refresh_statistics
from survey.store.engine import write_transaction
from survey.store.migrate import upgrade
from survey.text.redaction import Redactor

__all__ = [
    "DemoOptions",
    "DemoResult",
    "build_demo",
    "citizen_titles",
    "demo_org_file",
    "quarter_end",
    "quarter_start",
    "quarters",
    "staff_titles",
]

STAFF_QUESTIONNAIRE = "staff-pulse"
CITIZEN_QUESTIONNAIRE = "citizen-contact"
#: the demo Personalrat's user name, in whose name the demo's staff versions and waves are approved
DEMO_PERSONALRAT = "personalrat"
#: share of citizens answering in each language of the citizen form
CITIZEN_LANGUAGES = {"de": 0.74, "de-x-ls": 0.04, "en": 0.06, "tr": 0.06, "ar": 0.04, "uk": 0.04, "ru": 0.02}
BATCH_ROWS = 50_000

#: share of staff and of citizens who write a comment
STAFF_COMMENT_SHARE, CITIZEN_COMMENT_SHARE = 0.25, 0.1


@dataclass(frozen=True)
class DemoOptions:
    #: staff in total (the org file's headcounts are scaled to it); None keeps the file's
    staff: int | None = None
    waves: int = 8
    #: citizen ratings per quarter across all service points
    citizen_ratings: int = 1200
    seed: int = 2026
    reset: bool = False
    #: the last quarter simulated is the last one complete before this day
    today: dt.date = field(default_factory=dt.date.today)
    #: an organisation file to simulate instead of Stadt Lindenau's
    organisation: Path | None = None
    #: Stadt Lindenau reorganises midway through four waves or more (demo_reorganisation);
    #: False keeps its first organisation throughout
    reorganise: bool = True


@dataclass
class DemoResult:
    kommune: str = ""
    units: int = 0
    service_points: int = 0
    published: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    responses: int = 0
    answers: int = 0
    comments: int = 0
    #: the day the demo's reorganisation took effect (None with fewer than four waves)
    reorganised: dt.date | None = None


#: progress(description, done, total)
Progress = Callable[[str, int, int], None]


def demo_org_file() -> Path:
    return Path(str(resources.files("survey.demo").joinpath("org.yaml")))


def quarters(today: dt.date, count: int) -> list[tuple[int, int]]:
    """The last `count` complete quarters before `today`, oldest first, as (year, quarter)."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(count):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        out.append((year, quarter))
    return out[::-1]


def _morning(day: dt.date, days_before: int) -> dt.datetime:
    return dt.datetime.combine(day - dt.timedelta(days=days_before), dt.time(9), dt.UTC)


def quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> dt.date:
    if quarter == 4:
        return dt.date(year, 12, 31)
    return quarter_start(year, quarter + 1) - dt.timedelta(days=1)


def _check_options(options: DemoOptions) -> None:
    if options.waves < 1 or options.waves > 80:
        raise SurveyError(f"--waves {options.waves}: give 1 to 80 quarterly waves")
    if options.staff is not None and not 10 <= options.staff <= 1_000_000:
        raise SurveyError(f"--staff {options.staff}: give 10 to 1,000,000 staff")
    if not 0 <= options.citizen_ratings <= 10_000_000:
        raise SurveyError(f"--citizen-ratings {options.citizen_ratings}: give 0 to 10,000,000 per quarter")


async def build_demo(
    questionnaires: Path, options: DemoOptions, progress: Progress | None = None
) -> DemoResult:
    """Build (or complete) the demo Kommune; waves already there are kept, not duplicated."""
    _check_options(options)
    report = progress or (lambda *_: None)
    result = DemoResult()
    await upgrade()
    catalog = load_catalog(questionnaires)
    for needed in (STAFF_QUESTIONNAIRE, CITIZEN_QUESTIONNAIRE):
        if not catalog.versions_of(needed):
            raise SurveyError(f"{questionnaires}: the demo needs the questionnaire `{needed}`")
    plan = list(_plan(catalog, options))
    with tempfile.TemporaryDirectory(prefix="survey-demo-") as folder:
        first = plan[0].opens_on.replace(day=1)
        at = reorganised_at(options.waves) if options.organisation is None and options.reorganise else None
        reorganised = None if at is None else next(w.opens_on for w in plan if w.index == at).replace(day=1)
        source = options.organisation or demo_org_file()
        stages = demo_stages(source, options.staff, first, (at, reorganised), Path(folder))
        applied = await applied_stage(stages)
        if options.reset and applied > 0:
            raise SurveyError(
                "--reset: the demo Kommune was reorganised midway through its waves, and its earlier "
                "organisation cannot come back; build it again in an empty database (delete the SQLite "
                "file, or give DATABASE_URL a new PostgreSQL database)"
            )
        published = await publish_catalog(catalog)
        result.published = published.published
        if applied < 0:
            applied = await apply_stage(stages, 0)
        result.kommune = stages[0].organisation.kommune
        result.units = len(stages[-1].organisation.units)
        result.service_points = len(stages[-1].organisation.service_points)
        leitbild = catalog.leitbilder[catalog.versions_of(STAFF_QUESTIONNAIRE)[0].leitbild]
        model = LatentModel(stages[0].organisation, leitbild.value_keys, options.seed)
        for stage in stages[1:]:
            model.follow(stage.organisation)
            result.reorganised = stage.valid_from
        await install_codebook_file(questionnaires, leitbild.key, leitbild.value_keys, by="demo")
        redactor = await current_redactor(questionnaires)
        # The demo Personalrat approved each staff version four weeks before its first wave.
        for planned in plan:
            if not planned.citizen:
                approved = _morning(planned.opens_on, days_before=28)
                await record_demo_approvals(DEMO_PERSONALRAT, versions=[planned.version], at=approved)
        await _build_waves(plan, stages, applied, options, model, redactor, result, report)
    if result.created:
        await refresh_statistics()
    report("fertig", len(plan), len(plan))
    return result


async def _build_waves(
    plan: list[_PlannedWave],
    stages: list[Stage],
    applied: int,
    options: DemoOptions,
    model: LatentModel,
    redactor: Redactor,
    result: DemoResult,
    report: Progress,
) -> None:
    """Simulate each planned wave not there yet, in the organisation of its quarter: the demo's
    reorganisation is applied before its first wave."""
    for done, wave in enumerate(plan):
        report(f"Befragungsrunde {wave.key}", done, len(plan))
        existing = await wave_store.get_wave(wave.key)
        if existing is not None and (options.reset or existing.status != "closed"):
            # A reset, or an earlier run cut off in the middle of this wave: build it again.
            async with write_transaction():
                await wave_store.delete_wave(existing.id)
            existing = None
        if existing is not None:
            result.kept.append(wave.key)
            continue
        stage = max(i for i, s in enumerate(stages) if s.first_wave <= wave.index)
        if stage < applied:
            raise SurveyError(
                f"the demo wave {wave.key} ran before the demo's reorganisation, which is applied "
                "already: build the demo again in an empty database"
            )
        while applied < stage:
            applied = await apply_stage(stages, applied + 1)
        units = {u.key: u for u in await org_store.list_units()}
        points = {p.key: p for p in await org_store.list_service_points()}
        organisation = stages[stage].organisation
        counts = await _simulate_wave(wave, options, model, organisation, units, points, redactor)
        result.created.append(wave.key)
        result.responses += counts.responses
        result.answers += counts.answers
        result.comments += counts.comments


@dataclass(frozen=True)
class _PlannedWave:
    key: str
    #: per language (German first): the respondents' pages and the reports name the wave in theirs
    titles: dict[str, str]
    index: int
    citizen: bool
    version: QuestionnaireVersion
    opens_on: dt.date
    closes_on: dt.date
    #: the wave's place on the simulated trends: waves from the middle of the series
    position: float


async def _simulate_wave(
    wave: _PlannedWave,
    options: DemoOptions,
    model: LatentModel,
    organisation: Organisation,
    units: dict[str, org_store.StoredUnit],
    points: dict[str, org_store.StoredServicePoint],
    redactor: Redactor,
) -> BulkCounts:
    """One planned wave opened, answered by simulated people and closed."""
    version_id = await wave_store.version_id(wave.version.questionnaire, wave.version.version)
    assert version_id is not None  # published above
    covered = (
        [u.id for u in units.values() if u.headcount > 0]
        if wave.citizen is False
        else sorted({units[p.unit].id for p in points.values()})
    )
    async with write_transaction():
        wave_id = await wave_store.insert_wave(
            key=wave.key,
            title=wave.titles["de"],
            titles=wave.titles,
            version_id=version_id,
            audience=wave.version.audience,
            opens_on=wave.opens_on,
            closes_on=wave.closes_on,
            unit_ids=covered,
            status="draft",
        )
    if not wave.citizen:
        await record_demo_approvals(
            DEMO_PERSONALRAT, waves=[wave.key], at=_morning(wave.opens_on, days_before=14)
        )
    rng = np.random.default_rng([options.seed, wave.index, int(wave.citizen)])
    comments = DemoComments([options.seed, wave.index, int(wave.citizen), 7], redactor)
    batches = (
        _citizen_batches(rng, model, wave, units, points, options.citizen_ratings, comments)
        if wave.citizen
        else _staff_batches(rng, model, wave, organisation, units, comments)
    )
    counts = await bulk_insert_responses(wave_id, batches)
    async with write_transaction():
        await wave_store.set_wave_status(wave_id, "closed")
    return counts


def staff_titles(year: int, quarter: int) -> dict[str, str]:
    """A demo staff wave's title in German and English."""
    return {"de": f"Mitarbeitendenpuls {quarter}. Quartal {year}", "en": f"Staff pulse Q{quarter} {year}"}


def citizen_titles(year: int, quarter: int) -> dict[str, str]:
    """A demo citizen wave's title in German and English."""
    return {"de": f"Bürgerfeedback {quarter}. Quartal {year}", "en": f"Citizen feedback Q{quarter} {year}"}


def _plan(catalog: Catalog, options: DemoOptions) -> Iterator[_PlannedWave]:
    staff_versions = catalog.versions_of(STAFF_QUESTIONNAIRE)
    citizen_version = catalog.versions_of(CITIZEN_QUESTIONNAIRE)[0]
    for index, (year, quarter) in enumerate(quarters(options.today, options.waves)):
        # v1 for the first half of the waves, then the newest version (switch midway)
        version = staff_versions[0] if index < options.waves // 2 else staff_versions[-1]
        start = quarter_start(year, quarter)
        yield _PlannedWave(
            f"demo-puls-{year}-q{quarter}",
            staff_titles(year, quarter),
            index,
            False,
            version,
            start + dt.timedelta(days=14),
            start + dt.timedelta(days=34),
            index - (options.waves - 1) / 2,
        )
        yield _PlannedWave(
            f"demo-buerger-{year}-q{quarter}",
            citizen_titles(year, quarter),
            index,
            True,
            citizen_version,
            start,
            quarter_end(year, quarter),
            index - (options.waves - 1) / 2,
        )


def _days(rng: np.random.Generator, wave: _PlannedWave, size: int) -> list[dt.date]:
    span = (wave.closes_on - wave.opens_on).days
    offsets = rng.integers(0, span + 1, size=size)
    return [wave.opens_on + dt.timedelta(days=int(d)) for d in offsets]


def _add_people(
    batch: ResponseBatch,
    rng: np.random.Generator,
    wave: _PlannedWave,
    codes: dict[str, np.ndarray],
    unit_id: int,
    point_id: int | None,
    languages: list[str],
    comments: DemoComments,
    planted: str | None,
) -> None:
    people = len(languages)
    ids = [uuid.uuid4() for _ in range(people)]
    days = _days(rng, wave, people)
    batch.responses.extend((ids[p], unit_id, point_id, languages[p], days[p]) for p in range(people))
    for item_id, column in codes.items():
        batch.answers.extend(
            (ids[p], unit_id, item_id, None if column[p] == -1 else int(column[p]))
            for p in range(people)
            if column[p] != -2
        )
    text_items = [i for i in wave.version.items if wave.version.scale_of(i).is_text]
    if not text_items or not codes:
        return
    # The draws the demo's comments took from `rng` before they had a generator of their own: kept,
    # so that the simulated answers of every later unit stay exactly what they were.
    for _ in np.flatnonzero(rng.random(people) < (0.1 if wave.citizen else 0.08)):
        rng.integers(2 if wave.citizen else 3)
    share = CITIZEN_COMMENT_SHARE if wave.citizen else STAFF_COMMENT_SHARE
    for p in comments.writes(people, share):
        text = comments.text(planted, languages[p])
        batch.comments.append((ids[p], unit_id, text_items[0].id, text, days[p]))


def _staff_batches(
    rng: np.random.Generator,
    model: LatentModel,
    wave: _PlannedWave,
    organisation: Organisation,
    units: dict[str, org_store.StoredUnit],
    comments: DemoComments,
) -> Iterator[ResponseBatch]:
    batch = ResponseBatch()
    language = wave.version.languages[0]
    for unit in organisation.ordered():
        if unit.headcount <= 0 or unit.key not in units:
            continue
        rate = np.clip(model.response_rate[unit.key] + rng.normal(0, 0.05), 0.05, 0.95)
        people = int(rng.binomial(unit.headcount, rate))
        if people == 0:
            continue
        codes = model.answers(rng, wave.version, unit.key, wave.position, people, citizen=False)
        _add_people(
            batch,
            rng,
            wave,
            codes,
            units[unit.key].id,
            None,
            [language] * people,
            comments,
            PLANTED_STAFF.get(model.origin.get(unit.key, unit.key)),
        )
        if len(batch.answers) >= BATCH_ROWS:
            yield batch
            batch = ResponseBatch()
    yield batch


def _citizen_batches(
    rng: np.random.Generator,
    model: LatentModel,
    wave: _PlannedWave,
    units: dict[str, org_store.StoredUnit],
    points: dict[str, org_store.StoredServicePoint],
    ratings: int,
    comments: DemoComments,
) -> Iterator[ResponseBatch]:
    batch = ResponseBatch()
    keys = sorted(points)
    # Bürgerbüros and the Jobcenter see more people than the Musikschule.
    weights = np.array([3.0 if "buergerbuero" in k or "jobcenter" in k else 1.0 for k in keys])
    per_point = rng.multinomial(ratings, weights / weights.sum()) if keys else []
    available = [lang for lang in CITIZEN_LANGUAGES if lang in wave.version.languages]
    shares = np.array([CITIZEN_LANGUAGES[lang] for lang in available])
    for key, people in zip(keys, per_point, strict=True):
        point = points[key]
        # Split large service points so that one batch stays bounded in memory.
        for start in range(0, int(people), BATCH_ROWS // 8):
            size = min(BATCH_ROWS // 8, int(people) - start)
            codes = model.answers(rng, wave.version, point.unit, wave.position, size, citizen=True)
            languages = [available[i] for i in rng.choice(len(available), size=size, p=shares / shares.sum())]
            _add_people(
                batch,
                rng,
                wave,
                codes,
                units[point.unit].id,
                point.id,
                languages,
                comments,
                PLANTED_CITIZEN.get(key),
            )
            if len(batch.answers) >= BATCH_ROWS:
                yield batch
                batch = ResponseBatch()
    yield batch

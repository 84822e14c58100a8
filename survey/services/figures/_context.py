"""What one unit's figures are built from: the unit and its neighbours, the waves shown, their
questionnaire versions, the Leitbild's values and what suppression hides."""

from __future__ import annotations

from dataclasses import dataclass

from survey.domain import QuestionnaireVersion
from survey.errors import N_, Code, SurveyError
from survey.services.figures._suppression import Visibility, closed_waves, visibility, waves_with_figures
from survey.store import catalog as catalog_store
from survey.store import org as org_store
from survey.store.org import StoredUnit
from survey.store.waves import Wave

__all__ = ["UnitContext", "load_versions", "unit_context", "value_names_of"]


async def load_versions(questionnaire: str, waves: list[Wave]) -> dict[int, QuestionnaireVersion | None]:
    return {w.version: await catalog_store.load_published_version(questionnaire, w.version) for w in waves}


async def value_names_of(newest: QuestionnaireVersion) -> dict[str, str]:
    """The Leitbild's values (key → German name) in its order."""
    leitbild = await catalog_store.load_leitbild(newest.leitbild)
    return {v.key: v.name.get("de", v.key) for v in (leitbild.values if leitbild else [])}


@dataclass(frozen=True)
class UnitContext:
    questionnaire: str
    unit: StoredUnit
    units: list[StoredUnit]
    parents: dict[str, str | None]
    #: the organisation's root and the unit's parent (None at the root)
    root: StoredUnit
    parent: StoredUnit | None
    #: the waves shown (closed ones only), oldest first
    waves: list[Wave]
    versions: dict[int, QuestionnaireVersion | None]
    newest: QuestionnaireVersion
    value_names: dict[str, str]
    #: suppression over the questionnaire's closed waves, all of them (not only the waves shown);
    #: an open wave changes nothing of theirs (survey.domain.anonymity.suppress_waves)
    view: Visibility

    @property
    def latest(self) -> Wave:
        return self.waves[-1]

    @property
    def previous(self) -> Wave | None:
        return self.waves[-2] if len(self.waves) > 1 else None

    @property
    def kids(self) -> list[StoredUnit]:
        return [u for u in self.units if u.parent == self.unit.key]

    def version(self, wave: Wave) -> QuestionnaireVersion:
        version = self.versions[wave.version]
        assert version is not None
        return version


def _window(history: list[Wave], questionnaire: str, last: int | None, until: str | None) -> list[Wave]:
    """The waves shown, closed ones only (an open wave shows participation, never results): up to
    `until` (a wave key) if given, the `last` of them if given."""
    waves = closed_waves(history, questionnaire)
    if until is not None:
        keys = [w.key for w in waves]
        if until not in keys:
            raise SurveyError(
                N_("%(wave)s is no closed wave of questionnaire %(questionnaire)s"),
                wave=Code(until),
                questionnaire=Code(questionnaire),
                hint="`survey wave list` shows the waves",
            )
        waves = waves[: keys.index(until) + 1]
    return waves[-last:] if last else waves


async def unit_context(unit_key: str, questionnaire: str, last: int | None, until: str | None) -> UnitContext:
    units = await org_store.list_units()
    by_key = {u.key: u for u in units}
    unit = by_key.get(unit_key)
    if unit is None:
        raise SurveyError(
            N_("no unit with key %(unit)s"), unit=Code(unit_key), hint="`survey org list` shows the keys"
        )
    parents = {u.key: u.parent for u in units}
    history = await waves_with_figures(questionnaire)
    waves = _window(history, questionnaire, last, until)
    versions = await load_versions(questionnaire, waves)
    newest: QuestionnaireVersion = versions[waves[-1].version]  # type: ignore[assignment]
    return UnitContext(
        questionnaire,
        unit,
        units,
        parents,
        next(u for u in units if u.parent is None),
        by_key.get(unit.parent) if unit.parent else None,
        waves,
        versions,
        newest,
        await value_names_of(newest),
        await visibility([w for w in history if w.status == "closed"], units, parents),
    )

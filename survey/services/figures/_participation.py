"""How many answered: respondents and response rate of a unit's subtree per wave, and the
participation of the waves still open (never their answers)."""

from __future__ import annotations

from survey.domain.figures import CONTACTS_NOT_RECORDED, WaveSummary
from survey.errors import N_, Code, SurveyError
from survey.services.figures._cache import cached
from survey.services.figures._scores import rate, rate_base
from survey.services.figures._suppression import Visibility, hidden_figure, visibility, waves_with_figures
from survey.store import org as org_store
from survey.store.org import StoredUnit
from survey.store.waves import Wave

__all__ = ["unit_participation", "wave_summaries"]


def wave_summaries(waves: list[Wave], unit: StoredUnit, view: Visibility) -> list[WaveSummary]:
    """Respondents and response rate of the unit's series in each wave (its subtree, and its
    staff, as the wave's organisation had them), with the respondent counts' own suppression (an
    open wave's count is shown from k respondents on, as everywhere)."""
    summaries = []
    for wave in waves:
        n = view.respondents(wave.id, unit.key)
        h = view.counts(wave.id, unit.key)
        headcount = rate_base(wave.audience, view.headcount(wave.id, unit.key))
        summaries.append(
            WaveSummary(
                wave.key,
                wave.title,
                wave.opens_on,
                wave.closes_on,
                wave.version,
                hidden_figure(h) if h else n,
                headcount,
                rate(n, headcount, h),
                wave.audience,
                CONTACTS_NOT_RECORDED if headcount is None else None,
            )
        )
    return summaries


async def unit_participation(unit_key: str, questionnaire: str = "staff-pulse") -> list[WaveSummary]:
    """The open waves of `questionnaire` over the unit's subtree: how many have answered so far
    (hidden where the group is small), oldest first; none of their answers."""
    return await cached(
        ("participation", unit_key, questionnaire), lambda: _unit_participation(unit_key, questionnaire)
    )


async def _unit_participation(unit_key: str, questionnaire: str) -> list[WaveSummary]:
    units = await org_store.list_units()
    unit = next((u for u in units if u.key == unit_key), None)
    if unit is None:
        raise SurveyError(
            N_("no unit with key %(unit)s"), unit=Code(unit_key), hint="`survey org list` shows the keys"
        )
    open_waves = [w for w in await waves_with_figures(questionnaire) if w.status == "open"]
    if not open_waves:
        return []
    # an open wave's suppression is its own: the other waves change nothing of it
    view = await visibility(open_waves, units, {u.key: u.parent for u in units})
    return wave_summaries(open_waves, unit, view)

"""Who may be seen, per wave: suppression over a questionnaire's whole history, computed once
per data stamp and shared by a page's figures, its comments and the overview."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from survey.domain.anonymity import Hidden, WaveGroups, suppress, suppress_waves
from survey.domain.figures import HiddenFigure
from survey.errors import N_, Code, SurveyError
from survey.services.figures._cache import cached
from survey.store import counts as store
from survey.store import waves as wave_store
from survey.store.org import StoredUnit
from survey.store.waves import Wave

__all__ = [
    "NoClosedWave",
    "Visibility",
    "closed_waves",
    "hidden_figure",
    "subtree_counts",
    "suppressed_history",
    "visibility",
    "waves_with_figures",
]

_OWN_REASONS = ("wave_open", "few_changed")
_Counts = dict[int, dict[str, int]]
_HiddenByWave = dict[int, dict[str, Hidden]]


def hidden_figure(h: Hidden) -> HiddenFigure:
    return HiddenFigure(True, h.reason, h.explain())


def subtree_counts(units: list[StoredUnit], per_unit: dict[int, int]) -> dict[str, int]:
    return {u.key: sum(per_unit.get(v.id, 0) for v in units if v.path.startswith(u.path)) for u in units}


async def waves_with_figures(questionnaire: str) -> list[Wave]:
    """The open and closed waves of a questionnaire, oldest first; a clear error if there are none."""
    history = [
        w
        for w in await wave_store.list_waves()
        if w.questionnaire == questionnaire and w.status in ("open", "closed")
    ]
    if not history:
        raise SurveyError(
            N_("no open or closed wave of questionnaire %(questionnaire)s yet"),
            questionnaire=Code(questionnaire),
            hint="`survey wave list` shows the waves",
        )
    return history


class NoClosedWave(SurveyError):
    """The questionnaire has waves, but none has closed yet: there are no results to show, only
    the participation of its open waves."""


def closed_waves(history: list[Wave], questionnaire: str) -> list[Wave]:
    """The closed waves of a history, oldest first: the only waves whose results are shown (an
    open wave shows participation only). A clear error if none has closed yet."""
    closed = [w for w in history if w.status == "closed"]
    if not closed:
        raise NoClosedWave(
            N_("no wave of questionnaire %(questionnaire)s has closed yet: results are shown once one has"),
            questionnaire=Code(questionnaire),
            hint="`survey wave list` shows the waves",
        )
    return closed


async def suppressed_history(
    history: list[Wave], units: list[StoredUnit], parents: dict[str, str | None]
) -> tuple[_Counts, _HiddenByWave, _HiddenByWave, _HiddenByWave]:
    """Per wave of a questionnaire's whole history: respondents per subtree, and what to hide of
    its scores, of its distributions and comments (k_text), and of its respondent counts (an open
    wave shows how many answered, at k, but none of their answers). Always over the whole
    history, so that the waves a reader picks do not change what is hidden.

    Computed once per data stamp: a department page asks for it for its figures and again for
    its comments. The result is shared; callers only read it. Each wave's suppression depends on
    the closed waves before it only (`suppress_waves`), so the history of a closed wave's figures
    is the closed waves, and that of an open wave's participation the open waves."""
    key = ("suppression", tuple(history), tuple(units), tuple(parents.items()))
    # of closed waves only (a unit's figures, a closed wave's comments): a new answer in an open
    # wave changes nothing of it
    closed = all(w.status == "closed" for w in history)
    return await cached(key, lambda: _suppressed_history(history, units, parents), closed_waves=closed)


async def _suppressed_history(
    history: list[Wave], units: list[StoredUnit], parents: dict[str, str | None]
) -> tuple[_Counts, _HiddenByWave, _HiddenByWave, _HiddenByWave]:
    people: dict[int, dict[int, int]] = defaultdict(dict)
    for row in await store.respondents([w.id for w in history]):
        people[row.wave][row.unit] = row.respondents
    subtree = {w.id: subtree_counts(units, people[w.id]) for w in history}
    rounds = [WaveGroups(subtree[w.id], w.k, w.status == "open") for w in history]
    hidden = dict(zip((w.id for w in history), suppress_waves(rounds, parents), strict=True))
    hidden_text = {
        w.id: suppress(
            subtree[w.id],
            parents,
            w.k_text,
            {u: h for u, h in hidden[w.id].items() if h.reason in _OWN_REASONS},
        )
        for w in history
    }
    hidden_count = {
        w.id: suppress(subtree[w.id], parents, w.k) if w.status == "open" else hidden[w.id] for w in history
    }
    return subtree, hidden, hidden_text, hidden_count


@dataclass(frozen=True)
class Visibility:
    """What suppressed_history decided, asked per wave and unit."""

    subtree: _Counts
    hidden: _HiddenByWave
    hidden_text: _HiddenByWave
    hidden_count: _HiddenByWave

    def scores(self, wave_id: int, key: str) -> Hidden | None:
        """Why the group's scores (and everything built from its answers) are hidden, if they are."""
        return self.hidden[wave_id].get(key)

    def texts(self, wave_id: int, key: str) -> Hidden | None:
        """Why its distributions and comments (at k_text) are hidden, if they are."""
        return self.hidden_text[wave_id].get(key)

    def counts(self, wave_id: int, key: str) -> Hidden | None:
        """Why its number of respondents is hidden, if it is."""
        return self.hidden_count[wave_id].get(key)

    def respondents(self, wave_id: int, key: str) -> int:
        return self.subtree[wave_id].get(key, 0)


async def visibility(
    history: list[Wave], units: list[StoredUnit], parents: dict[str, str | None]
) -> Visibility:
    return Visibility(*await suppressed_history(history, units, parents))

"""The latent-trait model behind the demo data.

Each answer comes from a latent score
    y = base[value] + unit effect[unit, value] + slope[unit, value] · wave
        + person trait + person's value trait + item difficulty + noise,
cut into the answer categories of the item's scale. Unit effects are inherited down the tree
(a team resembles its Fachbereich), a few units have real trends (the "stories" below, plus
some drawn at random), and citizens see some values differently from staff. So the
statistics later have something true to find, and tests can check that they find it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from survey.domain import Organisation, QuestionnaireVersion

__all__ = ["CITIZEN_OFFSET", "FLAT", "STORIES", "LatentModel"]

BASE = {
    "gemeinsam": 0.25,
    "kundenorientiert": 0.4,
    "vertrauen": 0.3,
    "transparenz": 0.2,
    "unbuerokratisch": 0.05,
    "nachhaltig": 0.2,
}
#: How citizens see a value compared with staff of the same unit (external − self-image); about
#: 5 to 15 points on 0–100.
CITIZEN_OFFSET = {"unbuerokratisch": -0.3, "transparenz": -0.22, "gemeinsam": -0.2, "vertrauen": 0.15}
#: Known trends in latent units per wave: (unit, value) → slope, about 3 points on 0–100 per
#: wave. Applies to the unit's subtree.
STORIES = {
    ("jobcenter", "unbuerokratisch"): 0.095,
    ("jugendamt", "gemeinsam"): 0.11,
    ("ordnungsamt", "kundenorientiert"): -0.12,
    ("sozialamt", "vertrauen"): -0.12,
    # split midway (survey.services.demo_reorganisation): both parts carry the trend on
    ("schule-sport", "kundenorientiert"): 0.1,
}
#: Units and values that move exactly as the whole organisation does (their slope is the
#: organisation's mean, weighted by headcount): the demo's measure without an effect works on one
#: of them, so its effect check (against the rest of the organisation) has nothing true to find.
FLAT = {("bauhof", "nachhaltig")}
#: where a story's unit stands in the middle of its series (about 60 on 0–100)
STORY_LEVEL = 0.2
#: spread of the units' own effects (each level adds to its parent's) and of the random slopes
#: some units get besides the stories
EFFECT_SD = 0.12
RANDOM_SLOPE = 0.08
#: spread of a person's general mood, of their view of each value, and of each single answer
TRAIT_SD, VALUE_TRAIT_SD, ANSWER_SD = 0.35, 0.3, 0.45
_CUTS_5 = np.array([-1.3, -0.45, 0.35, 1.2])


def _stable_normal(text: str, scale: float) -> float:
    """A fixed pseudo-random number for a name (item difficulty stays the same across versions)."""
    digest = hashlib.sha256(text.encode()).digest()
    return float(np.random.default_rng(int.from_bytes(digest[:8], "little")).normal(0, scale))


@dataclass
class LatentModel:
    organisation: Organisation
    values: list[str]
    seed: int

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        self.effect: dict[tuple[str, str], float] = {}
        self.slope: dict[tuple[str, str], float] = {}
        self.response_rate: dict[str, float] = {}
        for unit in self.organisation.ordered():
            self.response_rate[unit.key] = float(rng.uniform(0.35, 0.75))
            for value in self.values:
                parent_effect = self.effect.get((unit.parent, value), 0.0) if unit.parent else 0.0
                parent_slope = self.slope.get((unit.parent, value), 0.0) if unit.parent else 0.0
                own_effect = float(rng.normal(0, EFFECT_SD))
                if (unit.key, value) in STORIES:
                    own_effect = STORY_LEVEL - BASE.get(value, 0.0) - parent_effect
                self.effect[(unit.key, value)] = parent_effect + own_effect
                kind = rng.choice(3, p=[0.8, 0.1, 0.1])
                own = (0.0, RANDOM_SLOPE, -RANDOM_SLOPE)[kind]
                self.slope[(unit.key, value)] = STORIES.get((unit.key, value), parent_slope + own)
        heads = {u.key: u.headcount for u in self.organisation.ordered()}
        for unit_key, value in FLAT:
            others = [k for k in heads if k != unit_key and heads[k] > 0]
            total = sum(heads[k] for k in others) or 1
            self.slope[(unit_key, value)] = sum(self.slope[(k, value)] * heads[k] for k in others) / total
        #: a unit's key → the key whose planted themes its comments carry (itself, or after a
        #: reorganisation the unit it continues)
        self.origin: dict[str, str] = {u.key: u.key for u in self.organisation.units}

    def follow(self, reorganised: Organisation) -> None:
        """Carry the model over a reorganisation (the changes `reorganised` declares): a unit
        renamed to a new key or split off keeps its predecessor's effects, trends and response
        rate; a merged unit has its predecessors' mean, weighted by headcount; a new one its
        parent's effects. A moved unit keeps its own, so the planted trends go on across the change."""
        heads = {u.key: u.headcount for u in self.organisation.units}
        for change in reorganised.changes:
            if change.kind == "new":
                parent = reorganised.unit(change.after[0]).parent
                sources = {parent: 1.0} if parent else {}
            elif change.kind == "merged":
                total = sum(heads[k] for k in change.before) or 1
                sources = {k: heads[k] / total for k in change.before}
            elif change.kind in ("renamed", "split"):
                sources = {change.before[0]: 1.0}
            else:
                continue
            for key in change.after:
                self.response_rate[key] = sum(self.response_rate.get(k, 0.55) * w for k, w in sources.items())
                for value in self.values:
                    for table in (self.effect, self.slope):
                        table[(key, value)] = sum(table.get((k, value), 0.0) * w for k, w in sources.items())
                self.origin[key] = max(sources, key=lambda k: sources[k]) if sources else key

    def answers(
        self,
        rng: np.random.Generator,
        version: QuestionnaireVersion,
        unit: str,
        position: float,
        people: int,
        citizen: bool,
    ) -> dict[str, np.ndarray]:
        """Answer codes per item for `people` respondents; -1 = "keine Angabe", -2 = skipped.
        `position` is the wave's place on the trends, in waves from the middle of the series."""
        trait = rng.normal(0, TRAIT_SD, size=people)
        value_trait = {v: rng.normal(0, VALUE_TRAIT_SD, size=people) for v in self.values}
        out: dict[str, np.ndarray] = {}
        for item in version.items:
            scale = version.scale_of(item)
            if scale.is_text or not item.values:
                continue
            latent = np.zeros(people)
            for value in item.values:
                shift = BASE.get(value, 0.0) + self.effect[(unit, value)]
                shift += self.slope[(unit, value)] * position
                if citizen:
                    shift += CITIZEN_OFFSET.get(value, 0.0)
                latent += shift + value_trait[value]
            latent = latent / len(item.values) + trait + _stable_normal(item.id, 0.25)
            latent += rng.normal(0, ANSWER_SD, size=people)
            if item.reverse:
                latent = -latent
            codes = self._categorise(latent, scale.type, scale.codes)
            missing = rng.random(people)
            codes[missing < 0.04] = -1
            if not item.required:
                codes[missing > 0.98] = -2
            out[item.id] = codes
        return out

    @staticmethod
    def _categorise(latent: np.ndarray, scale_type: str, codes: tuple[int, ...]) -> np.ndarray:
        if scale_type == "likert-5":
            return np.searchsorted(_CUTS_5, latent) + 1
        if scale_type == "scale-0-10":
            return np.clip(np.rint(6.0 + 1.8 * latent), 0, 10).astype(int)
        if scale_type == "yes-no":
            return (latent > 0).astype(int)
        # single choice: spread over the options by the latent score's quantile
        cuts = np.linspace(-1.5, 1.5, len(codes) - 1)
        return np.asarray(codes)[np.searchsorted(cuts, latent)]

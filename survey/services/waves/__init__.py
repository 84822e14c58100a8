"""Waves (Befragungsrunden): create, open, close, edit while still a draft, list.

A wave is asked for as a `WavePlan` (create) or a `WaveChange` (edit), from a page, the JSON API
or the command line alike; every check runs on each, and what it refuses comes as a
`WavePlanError` listing every problem with its field (`FieldProblem`): the message a page shows
next to the field (no command), and the command line's text, which names the option.

    _model   what a wave is asked as and answered with (plans, changes, problems, listings)
    _checks  the checks, and what may be chosen (versions, units)
    _plans   create and edit; titles per language
    _states  open, close, what would refuse it, list, detail
"""

from survey.domain.mailing import parse_reminder_days
from survey.services.waves._checks import (
    COMMENT_REVIEWS,
    check_thresholds,
    check_wave_key,
    unit_choices,
    version_choices,
)
from survey.services.waves._model import (
    K_MAX,
    K_MIN,
    TITLE_MAX,
    FieldProblem,
    VersionChoice,
    WaveAction,
    WaveChange,
    WaveDetail,
    WaveError,
    WaveListing,
    WavePlan,
    WavePlanError,
    answerable,
)
from survey.services.waves._plans import (
    create_planned_wave,
    create_wave,
    edit_planned_wave,
    edit_wave,
    title_in,
    wave_title,
)
from survey.services.waves._states import close_wave, list_waves, open_wave, wave_action_refusal, wave_detail
from survey.store.waves import Wave, WaveFacts

__all__ = [
    "COMMENT_REVIEWS",
    "K_MAX",
    "K_MIN",
    "TITLE_MAX",
    "FieldProblem",
    "VersionChoice",
    "Wave",
    "WaveAction",
    "WaveChange",
    "WaveDetail",
    "WaveError",
    "WaveFacts",
    "WaveListing",
    "WavePlan",
    "WavePlanError",
    "answerable",
    "check_thresholds",
    "check_wave_key",
    "close_wave",
    "create_planned_wave",
    "create_wave",
    "edit_planned_wave",
    "edit_wave",
    "list_waves",
    "open_wave",
    "parse_reminder_days",
    "title_in",
    "unit_choices",
    "version_choices",
    "wave_action_refusal",
    "wave_detail",
    "wave_title",
]

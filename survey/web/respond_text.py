"""The words of the respondent side, shared by its pages (survey.web.respond) and its JSON API
(survey.web.api): translators for a language, the messages of answer problems and the pages that
say why a code, link or service point takes no answers.

The strings are in the respondent catalogs (survey/web/locale/*/LC_MESSAGES/messages.po).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from survey.domain import Scale
from survey.domain.answers import AnswerProblem
from survey.web.i18n import Language, translations

__all__ = [
    "ENTRY_PAGES",
    "N_",
    "general_message",
    "problem_message",
    "scale_options",
    "text_picker",
    "translators",
]


def translators(lang: Language) -> tuple[Callable[..., str], Callable[..., str]]:
    """gettext and ngettext of the language: `%(name)s` filled from keywords, `%(num)d` the count."""
    catalog = translations(lang.tag)

    def gettext(message: str, **variables: Any) -> str:
        text = catalog.gettext(message)
        return text % variables if variables else text

    def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        return catalog.ngettext(singular, plural, n) % {"num": n, **variables}

    return gettext, ngettext


def text_picker(lang: Language) -> Callable[[dict[str, str]], str]:
    def pick(texts: dict[str, str]) -> str:
        return texts.get(lang.tag) or texts.get("de") or next(iter(texts.values()), "")

    return pick


def scale_options(lang: Language) -> Callable[[Scale], list[dict[str, Any]]]:
    pick = text_picker(lang)

    def options(scale: Scale) -> list[dict[str, Any]]:
        if scale.type == "likert-5":
            labels = scale.labels.get(lang.tag) or next(iter(scale.labels.values()))
            return [{"value": code, "label": label} for code, label in zip(scale.codes, labels, strict=True)]
        if scale.type == "yes-no":
            labels = scale.labels.get(lang.tag) or next(iter(scale.labels.values()))
            return [{"value": 1, "label": labels[1]}, {"value": 0, "label": labels[0]}]
        if scale.type == "scale-0-10":
            low, high = scale.anchors.get(lang.tag) or next(iter(scale.anchors.values()))
            return [
                {"value": n, "label": f"{n} – {low}" if n == 0 else f"{n} – {high}" if n == 10 else str(n)}
                for n in scale.codes
            ]
        return [{"value": o.code, "label": pick(o.label)} for o in scale.options]

    return options


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; it is translated where it is shown."""
    return message


def problem_message(problem: AnswerProblem, gettext: Callable[..., str]) -> str:
    match problem.code:
        case "required":
            return gettext("Please answer this question.")
        case "unknown_item":
            return gettext("This question is not part of the questionnaire.")
        case "too_long":
            return gettext("Please shorten your text to %(max)s characters.", max=problem.detail)
        case _:
            return gettext("Please choose one of the offered answers.")


def general_message(code: str, gettext: Callable[..., str]) -> tuple[str, str]:
    """(field anchor, message) for problems not tied to one question."""
    messages = {
        "empty": ("main", gettext("Please answer at least one question before you send the form.")),
        "form_changed": (
            "main",
            gettext("The form was changed or is out of date. Please check your answers and send them again."),
        ),
        "access_code_wrong": (
            "access_code",
            gettext("The access code is not correct. You find it on the notice in your unit."),
        ),
        "access_paused": (
            "access_code",
            gettext("Too many wrong access codes. Please wait ten minutes and try again."),
        ),
        "receipt_unknown": (
            "receipt_code",
            gettext(
                "We do not know the code on your receipt. Please correct it, "
                "or delete it to answer without it."
            ),
        ),
        "receipt_used": ("main", gettext("The code on your receipt has already been used.")),
        "code_used": ("main", gettext("This invitation code has already been used. Each code works once.")),
        "flood": (
            "main",
            gettext("Very many ratings are arriving right now. Please send again in a minute."),
        ),
    }
    return messages.get(code, ("main", gettext("Something went wrong. Please send again.")))


#: per reason a code, link or service point takes no answers: (status, title, paragraphs), marked
#: for translation and translated where shown
ENTRY_PAGES: dict[str, tuple[int, str, list[str]]] = {
    "code_unknown": (
        404,
        N_("We do not know this code"),
        [
            N_(
                "Please check the code in your letter. "
                "Letters that look alike, such as 0 and O, count as the same."
            )
        ],
    ),
    "code_used": (
        410,
        N_("This code has already been used"),
        [N_("Each invitation code works once, so that everybody answers once. If that was you: thank you!")],
    ),
    "link_unknown": (
        404,
        N_("This link is not valid"),
        [
            N_(
                "Please check the address, or ask the survey office of your administration "
                "for the current link."
            )
        ],
    ),
    "service_point_unknown": (
        404,
        N_("We do not know this service point"),
        [N_("Please check the address on the poster.")],
    ),
    "no_wave": (
        200,
        N_("There is no survey at the moment"),
        [N_("Thank you for wanting to give feedback. Please try again another time.")],
    ),
    "closed": (
        410,
        N_("This survey has ended"),
        [N_("Answers can no longer be sent. Thank you for your interest.")],
    ),
    "not_yet_open": (
        403,
        N_("This survey has not started yet"),
        [N_("Please come back once it has started; the letter or poster tells you when.")],
    ),
}

"""Numbers and dates on pages, formatted by babel for the page's locale."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment

__all__ = ["register_filters"]


def register_filters(environment: Environment, locale: str) -> None:
    environment.autoescape = True

    def date(value: dt.date, style: str = "long") -> str:
        return format_date(value, format=style, locale=locale)

    def number(value: float | int) -> str:
        return format_decimal(value, locale=locale)

    environment.filters["date"] = date
    environment.filters["number"] = number
    environment.globals["locale"] = locale
    environment.globals["lang"] = locale.split("_")[0]

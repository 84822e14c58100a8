"""Settings, read from the environment once.

Every setting is an environment variable; docs/settings.md lists them all (a test keeps it so).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import ClassVar

from survey.errors import ConfigError

__all__ = ["DEFAULT_DATABASE_URL", "Settings"]

DEFAULT_DATABASE_URL = "sqlite:///var/leitbild-puls.sqlite3"


@dataclass(frozen=True)
class Settings:
    #: `sqlite:///relative/path.sqlite3`, `sqlite:////absolute/path.sqlite3` or `postgresql://…`
    database_url: str = DEFAULT_DATABASE_URL
    #: folder of the Leitbild and questionnaire files
    questionnaires: Path = Path("questionnaires")
    #: where `survey serve` listens
    host: str = "127.0.0.1"
    port: int = 8000
    #: seconds an SQLite writer waits for the lock before giving up
    sqlite_timeout: float = 30.0
    #: default UI language
    locale: str = "de_DE"
    #: public address of the app, used in invitation letters, QR codes and posters
    base_url: str = "http://127.0.0.1:8000"
    #: key for hashing access codes; empty: generated once and kept in the database
    secret_key: str = ""
    #: citizen ratings accepted per service point and minute (flood protection)
    flood_limit: int = 30
    #: folder of report, letter and poster templates; empty: ./reports, else the shipped one
    reports: str = ""
    #: processes per app worker that build reports (0: in the worker itself)
    report_processes: int = 1
    #: load the results pages' libraries at a worker's start, in the background (`survey serve`)
    warm_up: bool = False
    #: how much lower the report processes' CPU priority is than their worker's, in `nice` steps
    #: (`survey serve`: 10, so that answers being sent go first)
    report_niceness: int = 0
    #: the Kommune's mail relay for invitations and reminders; empty: no mails are sent
    smtp_host: str = ""
    smtp_port: int = 587
    #: starttls (port 587), tls (port 465) or none (a relay on the same host or network only)
    smtp_security: str = "starttls"
    #: the relay's user and password; empty: the relay takes mails without signing in
    smtp_user: str = ""
    smtp_password: str = ""
    #: the sender of invitations and reminders, e.g. Befragung Lindenau <befragung@lindenau.de>
    mail_from: str = ""
    #: mails per minute at most, over all workers and hosts together
    mail_rate: int = 120

    #: environment variable of each field
    ENV: ClassVar[dict[str, str]] = {
        "database_url": "DATABASE_URL",
        "questionnaires": "SURVEY_QUESTIONNAIRES",
        "host": "SURVEY_HOST",
        "port": "SURVEY_PORT",
        "sqlite_timeout": "SURVEY_SQLITE_TIMEOUT",
        "locale": "SURVEY_LOCALE",
        "base_url": "SURVEY_BASE_URL",
        "secret_key": "SURVEY_SECRET_KEY",
        "flood_limit": "SURVEY_FLOOD_LIMIT",
        "reports": "SURVEY_REPORTS",
        "report_processes": "SURVEY_REPORT_PROCESSES",
        "warm_up": "SURVEY_WARM_UP",
        "report_niceness": "SURVEY_REPORT_NICENESS",
        "smtp_host": "SURVEY_SMTP_HOST",
        "smtp_port": "SURVEY_SMTP_PORT",
        "smtp_security": "SURVEY_SMTP_SECURITY",
        "smtp_user": "SURVEY_SMTP_USER",
        "smtp_password": "SURVEY_SMTP_PASSWORD",
        "mail_from": "SURVEY_MAIL_FROM",
        "mail_rate": "SURVEY_MAIL_RATE",
    }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            name = cls.ENV[f.name]
            raw = env.get(name, "").strip()
            if not raw:
                continue
            default = f.default
            try:
                if isinstance(default, bool):
                    values[f.name] = raw.lower() in ("1", "true", "yes", "on")
                elif isinstance(default, int):
                    values[f.name] = int(raw)
                elif isinstance(default, float):
                    values[f.name] = float(raw)
                elif isinstance(default, Path):
                    values[f.name] = Path(raw)
                else:
                    values[f.name] = raw
            except ValueError:
                kind = type(default).__name__.replace("int", "a whole number").replace("float", "a number")
                raise ConfigError(f"{name}={raw!r} is not valid: give {kind}") from None
        settings = cls(**values)  # type: ignore[arg-type]
        settings = replace(settings, base_url=settings.base_url.rstrip("/"))
        if not 0 < settings.port < 65536:
            raise ConfigError(f"SURVEY_PORT={settings.port} is not a port: use 1 to 65535")
        if not settings.base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"SURVEY_BASE_URL={settings.base_url!r}: write the address people open, "
                "e.g. https://umfrage.lindenau.de"
            )
        if settings.secret_key and len(settings.secret_key) < 32:
            raise ConfigError(
                "SURVEY_SECRET_KEY is too short: use at least 32 random characters, "
                "e.g. from `python -c 'import secrets; print(secrets.token_hex(32))'`"
            )
        if settings.flood_limit < 1:
            raise ConfigError(f"SURVEY_FLOOD_LIMIT={settings.flood_limit}: use 1 or more")
        _check_mail(settings)
        if settings.locale not in ("de_DE", "en"):
            raise ConfigError(f"SURVEY_LOCALE={settings.locale!r} is not supported: use de_DE or en")
        return settings


def _check_mail(settings: Settings) -> None:
    if settings.smtp_security not in ("starttls", "tls", "none"):
        raise ConfigError(
            f"SURVEY_SMTP_SECURITY={settings.smtp_security!r}: "
            "use starttls (port 587), tls (port 465) or none"
        )
    if not 0 < settings.smtp_port < 65536:
        raise ConfigError(f"SURVEY_SMTP_PORT={settings.smtp_port} is not a port: use 1 to 65535")
    if settings.mail_rate < 1:
        raise ConfigError(f"SURVEY_MAIL_RATE={settings.mail_rate}: use 1 or more mails per minute")
    if settings.smtp_host and "@" not in settings.mail_from:
        raise ConfigError(
            "SURVEY_MAIL_FROM is missing: with SURVEY_SMTP_HOST set, give the sender of the mails, "
            "e.g. 'Befragung Lindenau <befragung@lindenau.de>'"
        )

"""The installation's secret: keys the hashes of access codes and the submission keys."""

from __future__ import annotations

import secrets

from survey.settings import Settings
from survey.store.tables import SettingRow

__all__ = ["installation_secret"]

_cache: dict[str, bytes] = {}


async def installation_secret(settings: Settings) -> bytes:
    """SURVEY_SECRET_KEY, or a key made once and kept in the database (shared by all workers)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    cached = _cache.get(settings.database_url)
    if cached is not None:
        return cached
    row = await SettingRow.select(SettingRow.value).where(SettingRow.key == "secret_key").first().run()
    if row is None:
        candidate = secrets.token_hex(32)
        # Two workers may start at once: the unique key lets one win, both read the winner.
        await SettingRow.raw(
            "INSERT INTO setting (key, value) VALUES ({}, {}) ON CONFLICT (key) DO NOTHING",
            "secret_key",
            candidate,
        )
        row = await SettingRow.select(SettingRow.value).where(SettingRow.key == "secret_key").first().run()
    secret = row["value"].encode()
    _cache[settings.database_url] = secret
    return secret
